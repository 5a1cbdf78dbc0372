/**
 * EventBridge's `PutEvents` as one signed HTTPS request, as lib/runtime/ssm-parameters.ts does for SSM:
 * the SigV4 signer, the SHA-256 and the credential chain are the ones the DynamoDB client already
 * brings, so the publisher's bundle carries no EventBridge client (bench/build.ts measures it).
 */
import { defaultProvider } from "@aws-sdk/credential-provider-node";
import { Sha256 } from "@smithy/core/checksum";
import { SignatureV4 } from "@smithy/signature-v4";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { type EventBus, MAX_ENTRIES_PER_PUT } from "../events/event-bus.js";

export interface EventBridgeOptions {
  region: string;
  busName: string;
  /** Defaults to the regional endpoint; the local stack points it at its in-memory bus. */
  endpoint?: string;
  credentials?: AwsCredentialIdentityProvider | (() => Promise<AwsCredentialIdentity>);
  timeoutMs?: number;
}

/** EventBridge refused the call itself (not single entries: those come back as failed indexes). */
export class EventBridgeError extends Error {
  override readonly name = "EventBridgeError";
}

/** A bus over signed PutEvents calls; the credential chain is resolved on first use. */
export function createEventBridgeBus(options: EventBridgeOptions): EventBus {
  const url = new URL(
    options.endpoint ??
      `https://events.${options.region}.${options.region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com"}/`,
  );
  const signer = new SignatureV4({
    service: "events",
    region: options.region,
    credentials: options.credentials ?? defaultProvider(),
    sha256: Sha256,
  });
  return {
    async put(entries) {
      if (entries.length === 0) return { failed: [] };
      if (entries.length > MAX_ENTRIES_PER_PUT)
        throw new EventBridgeError("PutEvents takes at most 10 entries");
      const body = JSON.stringify({
        Entries: entries.map((e) => ({
          EventBusName: options.busName,
          Source: e.source,
          DetailType: e.detailType,
          Detail: e.detail,
          // PutEvents takes seconds since the epoch in its JSON protocol.
          Time: Math.floor(Date.parse(e.time) / 1000),
        })),
      });
      const signed = await signer.sign({
        method: "POST",
        protocol: url.protocol,
        hostname: url.hostname,
        ...(url.port ? { port: Number(url.port) } : {}),
        path: url.pathname,
        query: {},
        headers: {
          host: url.host,
          "content-type": "application/x-amz-json-1.1",
          "x-amz-target": "AWSEvents.PutEvents",
        },
        body,
      });
      const response = await fetch(url, {
        method: "POST",
        headers: signed.headers,
        body,
        signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
      });
      const text = await response.text();
      let parsed: {
        Entries?: Array<{ EventId?: string; ErrorCode?: string }>;
        __type?: string;
        message?: string;
      };
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new EventBridgeError(
          `EventBridge answered HTTP ${response.status} with a body that is not JSON`,
        );
      }
      if (!response.ok) {
        const type =
          String(parsed.__type ?? "")
            .split("#")
            .pop() || `HTTP ${response.status}`;
        throw new EventBridgeError(`PutEvents failed: ${type}: ${parsed.message ?? ""}`);
      }
      // Entries answer in the order sent; one without an EventId (an ErrorCode instead) was not put.
      const answers = parsed.Entries ?? [];
      const failed: number[] = [];
      for (let i = 0; i < entries.length; i++) if (!answers[i]?.EventId) failed.push(i);
      return { failed };
    },
  };
}
