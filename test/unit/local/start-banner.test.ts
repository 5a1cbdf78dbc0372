/** The banner `npm start` prints: its route table reads as a table whatever the methods and paths. */
import { expect, test } from "vitest";
import { type BannerInput, formatBanner } from "../../../local/start-banner.js";

function input(routes: Array<{ method: string; path: string; fn: string }>): BannerInput {
  const functions = routes.map((r) => ({
    name: r.fn,
    routes: [{ method: r.method, path: r.path }],
    queues: [],
  }));
  return {
    dev: {
      stack: {
        apiUrl: "http://127.0.0.1:3000",
        apiKey: "key",
        tableName: "t",
        sandbox: { url: "http://127.0.0.1:7701" },
        sqs: { url: "http://127.0.0.1:9324" },
        functions,
      },
      scheduler: { jobs: () => [] },
    } as never,
    dynamoEndpoint: "http://127.0.0.1:8000",
    realIamportUrl: null,
    startedInMs: 1_000,
    openApi: false,
  };
}

test("every route row puts its function in one column, OPTIONS and long paths included", () => {
  const banner = formatBanner(
    input([
      { method: "GET", path: "/orders/{merchant_uid}", fn: "getOrder" },
      { method: "OPTIONS", path: "/payments/complete", fn: "completePayment" },
      { method: "POST", path: "/subscriptions/{id}/plan/a/path/longer/than/thirty-four", fn: "changePlan" },
    ]),
  );
  const rows = banner.split("\n").filter((line) => /^ {4}(GET|POST|OPTIONS) /.test(line));
  expect(rows).toHaveLength(3);
  const columns = rows.map((row) => row.search(/(getOrder|completePayment|changePlan)$/));
  expect(new Set(columns).size).toBe(1);
  const paths = rows.map((row) => row.indexOf("/"));
  expect(new Set(paths).size).toBe(1);
});
