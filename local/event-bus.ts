/**
 * The stage's EventBridge bus, locally: takes the publisher's signed
 * PutEvents calls (at `/__local/eventbridge/`), keeps every entry in memory
 * and serves the events at `GET /__local/events` (`?aggregate=<id>` for one
 * order's or subscription's, with the refunds owed it owns), each once by id as a consumer that dedupes
 * would see them, with how often it was delivered. Tests inject refusals.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

export interface BusEvent {
  id: string;
  type: string;
  time: string;
  aggregate: { type: string; id: string; version: number };
  data: Record<string, unknown>;
}

export interface LocalEventBus {
  /** Events once by id, in the order they first arrived. */
  events(aggregate?: string): Array<BusEvent & { deliveries: number; source: string }>;
  /** Every entry put, duplicates included. */
  readonly puts: number;
  /** The next `calls` PutEvents calls fail whole (HTTP 500), as an outage would. */
  failCalls(calls: number): void;
  /** Entries for which `refuse` answers true get an ErrorCode instead of an EventId (once each). */
  refuseEntries(refuse: ((event: BusEvent) => boolean) | null): void;
  clear(): void;
  /** The API stand-in's fallback for the two paths above; false for any other request. */
  handle(req: IncomingMessage, res: ServerResponse, body: Buffer): boolean;
}

/** Bounded: the local stack keeps the last this many distinct events. */
const MAX_EVENTS = 5_000;

export function createLocalEventBus(): LocalEventBus {
  const byId = new Map<string, BusEvent & { deliveries: number; source: string }>();
  let puts = 0;
  let failing = 0;
  let refuse: ((event: BusEvent) => boolean) | null = null;

  const putEvents = (body: Buffer) => {
    const input = JSON.parse(body.toString("utf8")) as {
      Entries?: Array<{ Source?: string; DetailType?: string; Detail?: string }>;
    };
    const entries = (input.Entries ?? []).map((entry, i) => {
      const event = JSON.parse(entry.Detail ?? "{}") as BusEvent;
      if (refuse?.(event)) return { ErrorCode: "InternalFailure", ErrorMessage: "refused by the test" };
      puts++;
      const seen = byId.get(event.id);
      if (seen) seen.deliveries++;
      else {
        byId.set(event.id, { ...event, deliveries: 1, source: entry.Source ?? "" });
        if (byId.size > MAX_EVENTS) byId.delete(byId.keys().next().value as string);
      }
      return { EventId: `local-${puts}-${i}` };
    });
    return { FailedEntryCount: entries.filter((e) => "ErrorCode" in e).length, Entries: entries };
  };

  const events: LocalEventBus["events"] = (aggregate) =>
    [...byId.values()].filter(
      // A refund owed is its own aggregate (its imp_uid) beside its owner: an order's page lists them too.
      (e) =>
        !aggregate ||
        e.aggregate.id === aggregate ||
        (e.data.owner as { id?: string } | undefined)?.id === aggregate,
    );

  return {
    events,
    get puts() {
      return puts;
    },
    failCalls(calls) {
      failing = calls;
    },
    refuseEntries(predicate) {
      refuse = predicate;
    },
    clear() {
      byId.clear();
      puts = 0;
    },
    handle(req, res, body) {
      // Split by hand: `new URL` throws on a target such as `//` (a malformed request is not ours to crash on).
      const [pathname = "/", query = ""] = (req.url ?? "/").split("?", 2);
      if (req.method === "POST" && pathname.startsWith("/__local/eventbridge")) {
        if (failing > 0) {
          failing--;
          res.writeHead(500, { "content-type": "application/x-amz-json-1.1" });
          res.end(JSON.stringify({ __type: "InternalException", message: "injected outage" }));
          return true;
        }
        res
          .writeHead(200, { "content-type": "application/x-amz-json-1.1" })
          .end(JSON.stringify(putEvents(body)));
        return true;
      }
      if (req.method === "GET" && pathname === "/__local/events") {
        const aggregate = new URLSearchParams(query).get("aggregate") ?? undefined;
        // The sandbox panel and the demo pages read it from the browser, from another origin.
        res.writeHead(200, { "content-type": "application/json", "access-control-allow-origin": "*" });
        res.end(JSON.stringify({ events: events(aggregate) }));
        return true;
      }
      return false;
    },
  };
}
