/**
 * Secrets come from SSM Parameter Store (SecureString) on AWS, all of a
 * function's in one GetParameters call (ssm-parameters.ts), and are cached per
 * container for a few minutes so a rotation is picked up without a deploy.
 * Locally (SECRETS_SOURCE=env) they come from the environment.
 */
import type { Config } from "../config.js";
import * as z from "../validation/zod.js";
import { createGetParameters } from "./ssm-parameters.js";

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
  // Every parameter this function may read, fetched together: a cold function makes one round trip.
  const names = [config.IAMPORT_CREDENTIALS_PARAM, config.MERCHANT_API_KEYS_PARAM].filter(
    (name): name is string => Boolean(name),
  );
  const getParameters = createGetParameters({ region: config.AWS_REGION });
  let cache: { values: Promise<Map<string, string>>; at: number } | undefined;
  const read = async (name: string): Promise<string> => {
    if (!cache || Date.now() - cache.at >= CACHE_MS) {
      const values = getParameters(names);
      const entry = { values, at: Date.now() };
      // A failed read is not kept: the next call tries again.
      values.catch(() => {
        if (cache === entry) cache = undefined;
      });
      cache = entry;
    }
    const value = (await cache.values).get(name);
    if (value === undefined) throw new Error(`SSM returned no value for ${name}`);
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
