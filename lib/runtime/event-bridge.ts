/**
 * EventBridge's `PutEvents` as one signed HTTPS request (lib/runtime/aws-json-call.ts, as for SSM),
 * so the publisher's bundle carries no EventBridge client (bench/build.ts measures it).
 */
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { AppError } from "../errors.js";
import { type EventBus, MAX_ENTRIES_PER_PUT } from "../events/event-bus.js";
import { createAwsJsonCall } from "./aws-json-call.js";

export interface EventBridgeOptions {
  region: string;
  busName: string;
  /** Defaults to the regional endpoint; the local stack points it at its in-memory bus. */
  endpoint?: string;
  credentials?: AwsCredentialIdentityProvider | (() => Promise<AwsCredentialIdentity>);
  timeoutMs?: number;
}

/** EventBridge refused the call itself (not single entries: those come back as failed indexes). */
export class EventBridgeError extends AppError {
  override readonly name: string = "EventBridgeError";
}

/** A bus over signed PutEvents calls; the credential chain is resolved on first use. */
export function createEventBridgeBus(options: EventBridgeOptions): EventBus {
  const call = createAwsJsonCall({
    service: "events",
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    timeoutMs: options.timeoutMs ?? 5_000,
    serviceLabel: "EventBridge",
    fail: (message) => new EventBridgeError(message),
  });
  return {
    async put(entries) {
      if (entries.length === 0) return { failed: [] };
      if (entries.length > MAX_ENTRIES_PER_PUT)
        throw new EventBridgeError("PutEvents takes at most 10 entries");
      const parsed = await call<{ Entries?: Array<{ EventId?: string; ErrorCode?: string }> }>(
        "AWSEvents.PutEvents",
        {
          Entries: entries.map((e) => ({
            EventBusName: options.busName,
            Source: e.source,
            DetailType: e.detailType,
            Detail: e.detail,
            // PutEvents takes seconds since the epoch in its JSON protocol.
            Time: Math.floor(Date.parse(e.time) / 1000),
          })),
        },
        "PutEvents",
      );
      // Entries answer in the order sent; one without an EventId (an ErrorCode instead) was not put.
      const answers = parsed.Entries ?? [];
      const failed: number[] = [];
      const errorCodes: Record<number, string> = {};
      for (let i = 0; i < entries.length; i++) {
        if (answers[i]?.EventId) continue;
        failed.push(i);
        errorCodes[i] = answers[i]?.ErrorCode ?? "NoEventId";
      }
      return failed.length > 0 ? { failed, errorCodes } : { failed };
    },
  };
}
