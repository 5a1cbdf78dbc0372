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
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { AppError } from "../errors.js";
import { createAwsJsonCall, regionalEndpoint } from "./aws-json-call.js";

export interface SsmParametersOptions {
  region: string;
  /** Defaults to the regional endpoint; `AWS_ENDPOINT_URL_SSM` (the SDK's own variable) overrides it. */
  endpoint?: string;
  credentials?: AwsCredentialIdentityProvider | (() => Promise<AwsCredentialIdentity>);
  timeoutMs?: number;
}

/** SSM answered with an error, or named parameters it does not have. */
export class SsmParametersError extends AppError {
  override readonly name: string = "SsmParametersError";
}

export type GetParameters = (names: readonly string[]) => Promise<Map<string, string>>;

/** Builds the reader; the credential chain is resolved on first use, not at init. */
export function createGetParameters(options: SsmParametersOptions): GetParameters {
  const call = createAwsJsonCall({
    service: "ssm",
    region: options.region,
    endpoint: options.endpoint ?? process.env.AWS_ENDPOINT_URL_SSM ?? regionalEndpoint("ssm", options.region),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    timeoutMs: options.timeoutMs ?? 3_000,
    serviceLabel: "SSM",
    fail: (message) => new SsmParametersError(message),
  });
  return async (names) => {
    if (names.length === 0) return new Map();
    if (names.length > 10) throw new SsmParametersError("GetParameters takes at most 10 names");
    const parsed = await call<{
      Parameters?: Array<{ Name?: string; Value?: string }>;
      InvalidParameters?: string[];
    }>("AmazonSSM.GetParameters", { Names: names, WithDecryption: true }, "SSM GetParameters");
    if (parsed.InvalidParameters?.length)
      throw new SsmParametersError(`SSM has no parameter ${parsed.InvalidParameters.join(", ")}`);
    const values = new Map<string, string>();
    for (const p of parsed.Parameters ?? []) if (p.Name) values.set(p.Name, p.Value ?? "");
    return values;
  };
}
