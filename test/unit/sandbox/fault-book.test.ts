import { describe, expect, test } from "vitest";
import { FaultBook } from "../../../sandbox/http/faults.js";

describe("the sandbox's fault book", () => {
  test("a one-shot rule faults one matching request, then is listed as spent and matches nothing", () => {
    const book = new FaultBook();
    book.add({ method: "POST", path: "/subscribe/payments/again", kind: "timeout", times: 1 });

    expect(book.take("GET", "/payments/imp_1")).toBeUndefined();
    expect(book.take("POST", "/subscribe/payments/again")).toMatchObject({ kind: "timeout" });
    expect(book.take("POST", "/subscribe/payments/again")).toBeUndefined();
    expect(book.list()).toEqual([expect.objectContaining({ path: "/subscribe/payments/again", times: 0 })]);
  });

  test("rules match in the order they were added, spent ones first in the list", () => {
    const book = new FaultBook();
    book.add({ path: "/payments/:imp_uid", kind: "status", status: 502, times: 1 });
    book.add({ path: "/payments/:imp_uid", kind: "drop", times: 2 });

    const kinds = Array.from({ length: 4 }, () => book.take("GET", "/payments/imp_1")?.kind ?? null);

    expect(kinds).toEqual(["status", "drop", "drop", null]);
    expect(book.list().map((r) => [r.kind, r.times])).toEqual([
      ["status", 0],
      ["drop", 0],
    ]);
  });

  test("a long run of one-shot rules keeps only the recent spent ones, and clear() forgets all", () => {
    const book = new FaultBook();
    for (let i = 0; i < 3000; i++) {
      book.add({ path: "/payments/prepare", kind: "latency", ms: 1, times: 1 });
      book.take("POST", "/payments/prepare");
    }
    book.add({ path: "/payments/prepare", kind: "drop" });

    expect(book.list()).toHaveLength(1001);
    expect(book.take("POST", "/payments/prepare")).toMatchObject({ kind: "drop" });
    book.clear();
    expect(book.list()).toEqual([]);
  });
});
