/** `republish-events`' command line (pure): a target or a window, the ISO times, the flags each takes. */
import { describe, expect, test } from "vitest";
import { parseConfig } from "../../../lib/config.js";
import { parseCommandLine } from "../../../ops/args.js";
import { environmentFor } from "../../../ops/environment.js";
import { UsageError } from "../../../ops/errors.js";
import { isoTimeFlag, republishRequest } from "../../../ops/republish-events.js";

const request = (argv: string[]) => {
  const args = parseCommandLine(["republish-events", ...argv]);
  return republishRequest(args.positionals, args.flags);
};

describe("republish-events arguments", () => {
  test("a merchant_uid, a subscription id or a charge's merchant_uid names the aggregate; --since is normalised", () => {
    expect(request(["ord-1042"])).toEqual({
      kind: "aggregate",
      aggregate: { kind: "order", id: "ord-1042" },
      limit: 1000,
    });
    expect(request(["ord-1042", "--since", "2026-12-01T12:00:00+09:00", "--limit", "50"])).toEqual({
      kind: "aggregate",
      aggregate: { kind: "order", id: "ord-1042" },
      since: "2026-12-01T03:00:00.000Z",
      limit: 50,
    });
  });

  test("a window: --from and --to as ISO instants, --scan-limit 10000 unless given", () => {
    expect(request(["--from", "2026-12-01T03:00:00Z", "--to", "2026-12-01T03:05:00.5Z"])).toEqual({
      kind: "window",
      from: "2026-12-01T03:00:00.000Z",
      to: "2026-12-01T03:05:00.500Z",
      scanLimit: 10_000,
    });
    expect(
      request(["--from", "2026-12-01T03:00:00Z", "--to", "2026-12-01T03:00:00Z", "--scan-limit", "5"]),
    ).toMatchObject({ kind: "window", scanLimit: 5 });
  });

  test.each([
    [[], /missing <merchant_uid \| subscription id>, or --from/],
    [["ord-1", "--from", "2026-12-01T03:00:00Z", "--to", "2026-12-01T04:00:00Z"], /not both/],
    [["ord-1", "--to", "2026-12-01T04:00:00Z"], /not both/],
    [["ord-1", "ord-2"], /unexpected argument "ord-2"/],
    [["ord#1"], /neither a merchant_uid nor a subscription id/],
    [["ord-1", "--scan-limit", "10"], /--scan-limit goes with --from\/--to/],
    [["ord-1", "--since", "yesterday"], /--since must be an ISO 8601 time/],
    [["--from", "2026-12-01T03:00:00Z"], /--from and --to go together/],
    [["--to", "2026-12-01T03:00:00Z"], /--from and --to go together/],
    [["--from", "2026-12-01", "--to", "2026-12-02T00:00:00Z"], /--from must be an ISO 8601 time with a zone/],
    [["--from", "2026-12-01T03:00:00", "--to", "2026-12-02T00:00:00Z"], /--from must be/],
    [["--from", "2026-02-30T03:00:00Z", "--to", "2026-03-02T00:00:00Z"], /--from must be/],
    [["--from", "2026-12-01T03:00:00Z", "--to", "2026-13-01T00:00:00Z"], /--to must be/],
    [["--from", "2026-12-01T04:00:00Z", "--to", "2026-12-01T03:00:00Z"], /--from .* is after --to/],
    [
      ["--from", "2026-12-01T03:00:00Z", "--to", "2026-12-01T04:00:00Z", "--since", "2026-12-01T03:00:00Z"],
      /--since goes with/,
    ],
    [["--from", "2026-12-01T03:00:00Z", "--to", "2026-12-01T04:00:00Z", "--limit", "3"], /--limit goes with/],
    [
      ["--from", "2026-12-01T03:00:00Z", "--to", "2026-12-01T04:00:00Z", "--scan-limit", "0"],
      /--scan-limit must be/,
    ],
  ])("%j is a usage error", (argv, message) => {
    expect(() => request(argv)).toThrow(UsageError);
    expect(() => request(argv)).toThrow(message);
  });

  test("flags of other commands are refused; republish-events' own are refused elsewhere", () => {
    expect(() => request(["ord-1", "--older-than", "5"])).toThrow(
      /republish-events does not take --older-than/,
    );
    expect(() => parseCommandLine(["timeline", "ord-1", "--since", "2026-12-01T03:00:00Z"])).toThrow(
      /timeline does not take --since/,
    );
  });

  test("an ISO time is kept to the instant, in the events' own format", () => {
    expect(isoTimeFlag("2026-12-01T12:00:00.123456+0900", "from")).toBe("2026-12-01T03:00:00.123Z");
    expect(isoTimeFlag("2026-12-01T03:00Z", "to")).toBe("2026-12-01T03:00:00.000Z");
    expect(() => isoTimeFlag(true, "from")).toThrow(/--from must be/);
  });

  test("the bus: npm start's in-memory one locally; the stage's kicc-payments-<stage>-events with --stage", () => {
    expect(parseConfig(environmentFor({}))).toMatchObject({
      EVENT_BUS_NAME: "local",
      EVENTBRIDGE_ENDPOINT: "http://127.0.0.1:3000/__local/eventbridge/",
    });
    const stage = parseConfig(environmentFor({ stage: "prod", table: "t" }));
    expect(stage.EVENT_BUS_NAME).toBe("kicc-payments-prod-events");
    expect(stage.EVENTBRIDGE_ENDPOINT).toBeUndefined();
  });
});
