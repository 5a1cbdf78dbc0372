import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsPlugin from "ajv-formats";
import { expect, test } from "vitest";
import { EVENT_TYPES, eventSchemas } from "../../../lib/events/event-schemas.js";
import { buildEventsCatalogue, eventExamples } from "../../../local/events-catalogue.js";
import { repoRoot } from "../../../local/serverless-routes.js";

const addFormats = addFormatsPlugin as unknown as (ajv: Ajv2020) => Ajv2020;

test("docs/events.json is the current generated catalogue (run `npm run events`)", () => {
  const committed = JSON.parse(readFileSync(resolve(repoRoot, "docs/events.json"), "utf8"));

  expect(committed).toEqual(buildEventsCatalogue());
});

test("every event type is in the catalogue, and its example matches its published JSON Schema and zod schema", () => {
  const catalogue = buildEventsCatalogue() as {
    envelope: Record<string, unknown>;
    events: Record<string, { data: Record<string, unknown>; example: { data: unknown } }>;
  };
  const ajv = addFormats(new Ajv2020({ strict: false, allErrors: true }));
  const envelope = ajv.compile(catalogue.envelope);

  expect(Object.keys(catalogue.events)).toEqual(EVENT_TYPES);
  for (const type of EVENT_TYPES) {
    const entry = catalogue.events[type]!;
    const data = ajv.compile(entry.data);
    expect(envelope(entry.example), `${type} envelope: ${JSON.stringify(envelope.errors)}`).toBe(true);
    expect(data(entry.example.data), `${type}: ${JSON.stringify(data.errors)}`).toBe(true);
    expect(eventSchemas[type].safeParse(eventExamples[type]).success, type).toBe(true);
  }
});

test("the published schema refuses a body that is not the type's (it can fail)", () => {
  const catalogue = buildEventsCatalogue() as { events: Record<string, { data: Record<string, unknown> }> };
  const ajv = new Ajv2020({ strict: false });
  const paid = ajv.compile(catalogue.events["order.paid"]!.data);

  expect(paid({ merchant_uid: "m-1" })).toBe(false);
});
