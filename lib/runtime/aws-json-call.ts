/**
 * One AWS JSON-protocol call (`x-amz-target`) as a signed HTTPS request. The
 * SigV4 signer, the SHA-256 and the credential chain are the ones the DynamoDB
 * client already brings, and the request goes through lib/outbound-http.ts (node:https, which
 * the DynamoDB client loads anyway), so a function that needs one SSM or EventBridge operation
 * carries no SDK client for it and pays no fetch engine at its cold start (bench/).
 */
import { defaultProvider } from "@aws-sdk/credential-provider-node";
import { Sha256 } from "@smithy/core/checksum";
import { SignatureV4 } from "@smithy/signature-v4";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { outboundSend } from "../outbound-http.js";

export interface AwsJsonCallOptions {
  /** The signing name and endpoint prefix: `ssm`, `events`. */
  service: string;
  region: string;
  /** Defaults to the regional endpoint. */
  endpoint?: string;
  credentials?: AwsCredentialIdentityProvider | (() => Promise<AwsCredentialIdentity>);
  timeoutMs: number;
  /** Names the service in the message of an answer that is not JSON (`SSM`, `EventBridge`). */
  serviceLabel: string;
  /** The caller's error class, so its callers keep telling its failures apart. */
  fail: (message: string) => Error;
}

/** The regional endpoint of `service` (the China partition has its own domain). */
export function regionalEndpoint(service: string, region: string): string {
  return `https://${service}.${region}.${region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com"}/`;
}

/**
 * Builds `call(target, payload, failurePrefix)`: posts `payload` as `target` (e.g. `AmazonSSM.GetParameters`)
 * and returns the parsed answer; an error answer throws `fail("<failurePrefix> failed: <type>: <message>")`.
 * The credential chain is resolved on first use, not at init.
 */
export function createAwsJsonCall(options: AwsJsonCallOptions) {
  const url = new URL(options.endpoint ?? regionalEndpoint(options.service, options.region));
  const signer = new SignatureV4({
    service: options.service,
    region: options.region,
    credentials: options.credentials ?? defaultProvider(),
    sha256: Sha256,
  });
  return async <T extends object>(target: string, payload: unknown, failurePrefix: string): Promise<T> => {
    const body = JSON.stringify(payload);
    const signed = await signer.sign({
      method: "POST",
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query: {},
      headers: { host: url.host, "content-type": "application/x-amz-json-1.1", "x-amz-target": target },
      body,
    });
    const response = await outboundSend(url, {
      method: "POST",
      headers: signed.headers,
      body,
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    const text = await response.text();
    let parsed: T & { __type?: string; message?: string; Message?: string };
    try {
      parsed = JSON.parse(text);
    } catch {
      throw options.fail(
        `${options.serviceLabel} answered HTTP ${response.status} with a body that is not JSON`,
      );
    }
    if (!response.ok) {
      const type =
        String(parsed.__type ?? "")
          .split("#")
          .pop() || `HTTP ${response.status}`;
      throw options.fail(`${failurePrefix} failed: ${type}: ${parsed.message ?? parsed.Message ?? ""}`);
    }
    return parsed;
  };
}
