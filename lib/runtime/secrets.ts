/**
 * Secrets come from SSM Parameter Store (SecureString) on AWS and are cached
 * per container for a few minutes so a rotation is picked up without a
 * deploy. Locally (SECRETS_SOURCE=env) they come from the environment.
 */
import type { Config } from "../config.js";
import * as z from "../validation/zod.js";

export interface Secrets {
  iamportCredentials(): Promise<{ impKey: string; impSecret: string }>;
  merchantApiKeys(): Promise<readonly string[]>;
}

const credentialsSchema = z.object({ imp_key: z.string(), imp_secret: z.string() });
const CACHE_MS = 5 * 60_000;

export function createSecrets(config: Config): Secrets {
  if (config.SECRETS_SOURCE === "env") {
    return {
      iamportCredentials: async () => ({
        impKey: config.IAMPORT_IMP_KEY ?? "",
        impSecret: config.IAMPORT_IMP_SECRET ?? "",
      }),
      merchantApiKeys: async () => config.MERCHANT_API_KEYS ?? [],
    };
  }
  // Loaded on first use: the SSM client is a third of a bundle, and a warm container never needs it again.
  const ssm = import("@aws-sdk/client-ssm").then(({ SSMClient, GetParameterCommand }) => ({
    client: new SSMClient({ region: config.AWS_REGION }),
    GetParameterCommand,
  }));
  const cache = new Map<string, { value: Promise<string>; at: number }>();
  const read = (name: string): Promise<string> => {
    const hit = cache.get(name);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.value;
    const value = ssm
      .then(({ client, GetParameterCommand }) =>
        client.send(new GetParameterCommand({ Name: name, WithDecryption: true })),
      )
      .then((out) => out.Parameter?.Value ?? "");
    value.catch(() => cache.delete(name));
    cache.set(name, { value, at: Date.now() });
    return value;
  };
  // A function is given a parameter's name only with the permission to read it (serverless.yml custom.access).
  const named = (variable: string, name: string | undefined): string => {
    if (!name) throw new Error(`${variable} is not set: this function's role may not read that secret`);
    return name;
  };
  return {
    async iamportCredentials() {
      const name = named("IAMPORT_CREDENTIALS_PARAM", config.IAMPORT_CREDENTIALS_PARAM);
      const parsed = credentialsSchema.parse(JSON.parse(await read(name)));
      return { impKey: parsed.imp_key, impSecret: parsed.imp_secret };
    },
    async merchantApiKeys() {
      return (await read(named("MERCHANT_API_KEYS_PARAM", config.MERCHANT_API_KEYS_PARAM)))
        .split(",")
        .map((key) => key.trim())
        .filter(Boolean);
    },
  };
}
