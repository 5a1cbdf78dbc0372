// Domain events as the local stack's in-memory bus received them (GET /__local/events): what a shop's
// other systems would hear. The order and subscription pages list their own; the panel lists them all.
import { formatTime, h, sleep } from "./common.js";

// The publisher polls the table's stream: a change the person just made reaches the bus a moment after
// the page shows it. Read again, at most this often, until the change's event is there (a change that
// publishes nothing, such as creating an order, just stops after the last read).
const READS = 12;
const READ_MS = 500;

/**
 * A section listing the events of `aggregate` (a merchant_uid or subscription id; all when omitted).
 * With `since` (the time of the aggregate's latest change, ISO), it reads again (bounded) until an
 * event of that change or later is listed, or the section has left the page.
 */
export function eventsSection(aggregate, { limit = 50, since } = {}) {
  const body = h("div", {}, h("p", { class: "hint" }, "Reading the events…"));
  const section = h(
    "section",
    { "aria-labelledby": "events-h", id: "events-section" },
    h("h2", { id: "events-h" }, "Domain events"),
    h(
      "p",
      { class: "hint" },
      "Put on the stage's EventBridge bus by the publisher from the table's stream (at least once; dedupe by id).",
    ),
    body,
  );
  fill(body, aggregate, limit, since ? Date.parse(since) : null);
  return section;
}

/** The latest change time of a view's `history` (ISO), or undefined when it has none. */
export function latestChange(history) {
  const times = (history ?? []).map((event) => Date.parse(event.at)).filter(Number.isFinite);
  return times.length ? new Date(Math.max(...times)).toISOString() : undefined;
}

async function fill(body, aggregate, limit, since) {
  for (let read = 0; read < READS; read++) {
    if (read > 0) await sleep(READ_MS);
    // The page rendered again (a reload): the newer section reads for itself.
    if (read > 0 && !body.isConnected) return;
    const events = await readEvents(body, aggregate);
    if (!events) return;
    show(body, aggregate, limit, events);
    if (since === null || events.some((e) => Date.parse(e.time) >= since)) return;
  }
}

/** GET /__local/events; null (with a note in `body`) when this stack does not serve it. */
async function readEvents(body, aggregate) {
  let events;
  try {
    const res = await fetch(
      `/__local/events${aggregate ? `?aggregate=${encodeURIComponent(aggregate)}` : ""}`,
      {
        cache: "no-store",
      },
    );
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    ({ events } = await res.json());
  } catch {
    body.replaceChildren(
      h("p", {}, "This stack does not serve its events (only the local stack keeps them)."),
    );
    return null;
  }
  return events;
}

function show(body, aggregate, limit, events) {
  if (events.length === 0) {
    body.replaceChildren(h("p", { id: "events-empty" }, "No events yet."));
    return;
  }
  const headers = aggregate
    ? ["When", "Type", "Version", "Id", "Deliveries"]
    : ["When", "Type", "Of", "Version", "Id", "Deliveries"];
  const rows = events
    .slice(-limit)
    .reverse()
    .map((e) => {
      const cells = [
        h("td", {}, formatTime(e.time)),
        h("td", {}, h("code", {}, e.type)),
        ...(aggregate ? [] : [h("td", {}, h("code", {}, e.aggregate.id))]),
        h("td", {}, `v${e.aggregate.version}`),
        h("td", {}, h("code", { title: JSON.stringify(e.data, null, 2) }, e.id)),
        h("td", {}, String(e.deliveries)),
      ];
      for (const [i, cell] of cells.entries()) cell.dataset.label = headers[i] ?? "";
      return h("tr", { "data-type": e.type }, cells);
    });
  body.replaceChildren(
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { id: "events", class: "stack" },
        h("caption", { class: "visually-hidden" }, "Domain events, newest first"),
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            headers.map((x) => h("th", { scope: "col" }, x)),
          ),
        ),
        h("tbody", {}, rows),
      ),
    ),
  );
}
