import { afterEach, describe, expect, test, vi } from "vitest";
import type { LoadedFunction } from "../../../local/load-functions.js";
import { scheduledEvent, startScheduler } from "../../../local/scheduler.js";

function fn(name: string, rates: string[], handler: LoadedFunction["handler"]): LoadedFunction {
  return {
    name,
    file: `functions/${name}.ts`,
    exportName: "handler",
    routes: [],
    schedules: rates.map((rate) => ({ rate })),
    queues: [],
    handler,
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("startScheduler", () => {
  test("runs a rate(...) function on its timer with an EventBridge scheduled event", async () => {
    vi.useFakeTimers();
    const handler = vi.fn(async (_event: unknown) => ({ checked: 0 }));
    const scheduler = startScheduler([fn("reconcile", ["rate(5 minutes)"], handler)]);

    await vi.advanceTimersByTimeAsync(5 * 60_000);

    expect(handler).toHaveBeenCalledTimes(1);
    expect(handler.mock.calls[0]?.[0]).toMatchObject({
      "detail-type": "Scheduled Event",
      source: "aws.events",
      detail: {},
    });
    expect(scheduler.jobs()[0]?.lastRun).toMatchObject({
      trigger: "timer",
      ok: true,
      result: { checked: 0 },
    });
    scheduler.stop();
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(handler).toHaveBeenCalledTimes(1);
  });

  test("a run still going when the timer fires again is not started twice", async () => {
    vi.useFakeTimers();
    let finish: () => void = () => undefined;
    const handler = vi.fn(() => new Promise<void>((resolve) => (finish = resolve)));
    const scheduler = startScheduler([fn("slow", ["rate(1 minute)"], handler)]);

    await vi.advanceTimersByTimeAsync(3 * 60_000);
    finish();
    await vi.advanceTimersByTimeAsync(0);

    expect(handler).toHaveBeenCalledTimes(1);
    scheduler.stop();
  });

  test("runs on demand, records a failure instead of throwing, and ignores unscheduled functions", async () => {
    const scheduler = startScheduler(
      [
        fn("nightly", ["cron(0 3 * * ? *)"], async () => {
          throw new Error("iamport down");
        }),
        fn("createOrder", [], async () => undefined),
      ],
      { timers: false },
    );

    const record = await scheduler.run("nightly");

    expect(record).toMatchObject({ trigger: "manual", ok: false, error: "iamport down" });
    expect(scheduler.jobs().map((job) => [job.functionName, job.everyMs])).toEqual([["nightly", null]]);
    await expect(scheduler.run("createOrder")).rejects.toThrow("no scheduled function named createOrder");
  });
});

test("scheduledEvent has EventBridge's shape (second-precision time, rule ARN)", () => {
  const event = scheduledEvent("reconcile", new Date("2026-01-31T15:00:00.123Z"));

  expect(event.time).toBe("2026-01-31T15:00:00Z");
  expect(event.resources[0]).toMatch(/^arn:aws:events:[^:]+:\d{12}:rule\/.*reconcile$/);
});
