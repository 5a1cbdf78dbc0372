// Domain events as the local stack's in-memory bus received them (GET /__local/events): what a shop's
// other systems would hear. The order and subscription pages list their own; the panel lists them all.
import { formatTime, h } from "./common.js";

/** A section listing the events of `aggregate` (a merchant_uid or subscription id; all when omitted), filled once read. */
export function eventsSection(aggregate, { limit = 50 } = {}) {
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
  fill(body, aggregate, limit);
  return section;
}

async function fill(body, aggregate, limit) {
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
    return;
  }
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
