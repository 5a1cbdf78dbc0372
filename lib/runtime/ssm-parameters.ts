/**
 * SSM Parameter Store's `GetParameters` as one signed HTTPS request: every
 * secret a function needs (up to 10) in one round trip, decrypted. The AWS
 * SDK's SSM client is a third of a bundle for this one call; the SigV4 signer,
 * the SHA-256 and the credential chain used here are the ones the DynamoDB
 * client already brings, and `fetch` is Node's own (bench/, "Secrets").
 *
 * The AWS Parameters and Secrets Lambda Extension was the other way measured:
 * it adds a layer (an ARN per region), a second process started with every
 * cold container, and one local request per parameter, behind which the
 * extension still makes its own call to SSM on a miss; this makes one.
 */
import { defaultProvider } from "@aws-sdk/credential-provider-node";
import { Sha256 } from "@smithy/core/checksum";
import { SignatureV4 } from "@smithy/signature-v4";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";

export interface SsmParametersOptions {
  region: string;
  /** Defaults to the regional endpoint; `AWS_ENDPOINT_URL_SSM` (the SDK's own variable) overrides it. */
  endpoint?: string;
  credentials?: AwsCredentialIdentityProvider | (() => Promise<AwsCredentialIdentity>);
  timeoutMs?: number;
}

/** SSM answered with an error, or named parameters it does not have. */
export class SsmParametersError extends Error {
  override readonly name = "SsmParametersError";
}

export type GetParameters = (names: readonly string[]) => Promise<Map<string, string>>;

/** Builds the reader; the credential chain is resolved on first use, not at init. */
export function createGetParameters(options: SsmParametersOptions): GetParameters {
  const url = new URL(
    options.endpoint ??
      process.env.AWS_ENDPOINT_URL_SSM ??
      `https://ssm.${options.region}.${options.region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com"}/`,
  );
  const signer = new SignatureV4({
    service: "ssm",
    region: options.region,
    credentials: options.credentials ?? defaultProvider(),
    sha256: Sha256,
  });
  return async (names) => {
    if (names.length === 0) return new Map();
    if (names.length > 10) throw new SsmParametersError("GetParameters takes at most 10 names");
    const body = JSON.stringify({ Names: names, WithDecryption: true });
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
        "x-amz-target": "AmazonSSM.GetParameters",
      },
      body,
    });
    const response = await fetch(url, {
      method: "POST",
      headers: signed.headers,
      body,
      signal: AbortSignal.timeout(options.timeoutMs ?? 3_000),
    });
    const text = await response.text();
    let parsed: {
      Parameters?: Array<{ Name?: string; Value?: string }>;
      InvalidParameters?: string[];
      __type?: string;
      message?: string;
      Message?: string;
    };
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new SsmParametersError(`SSM answered HTTP ${response.status} with a body that is not JSON`);
    }
    if (!response.ok) {
      const type =
        String(parsed.__type ?? "")
          .split("#")
          .pop() || `HTTP ${response.status}`;
      throw new SsmParametersError(
        `SSM GetParameters failed: ${type}: ${parsed.message ?? parsed.Message ?? ""}`,
      );
    }
    if (parsed.InvalidParameters?.length)
      throw new SsmParametersError(`SSM has no parameter ${parsed.InvalidParameters.join(", ")}`);
    const values = new Map<string, string>();
    for (const p of parsed.Parameters ?? []) if (p.Name) values.set(p.Name, p.Value ?? "");
    return values;
  };
}
