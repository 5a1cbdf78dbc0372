import type { IncomingMessage } from "node:http";

/** Request bodies above this are refused; nothing iamport takes comes close. */
const MAX_BODY = 1024 * 1024;

export type Fields = Record<string, unknown>;

export class BodyError extends Error {
  override readonly name = "BodyError";
}

/** Reads a JSON or form-urlencoded body; every V1 POST/PUT accepts both. */
export async function readBody(req: IncomingMessage): Promise<Fields> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY) throw new BodyError("request body too large");
    chunks.push(buf);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return {};
  const type = (req.headers["content-type"] ?? "").toLowerCase();
  if (type.includes("application/x-www-form-urlencoded")) return formFields(new URLSearchParams(text));
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
      throw new BodyError("body must be a JSON object");
    return parsed as Fields;
  } catch (err) {
    if (err instanceof BodyError) throw err;
    // Some clients send form bodies without the header; fall back before giving up.
    if (text.includes("=") && !text.trim().startsWith("{")) return formFields(new URLSearchParams(text));
    throw new BodyError("body is neither JSON nor form-urlencoded");
  }
}

/** Form fields: `a[]=1&a[]=2` and repeated keys become arrays; everything else a string. */
export function formFields(params: URLSearchParams): Fields {
  const out: Fields = {};
  for (const [rawKey, value] of params) {
    const isArray = rawKey.endsWith("[]");
    const key = isArray ? rawKey.slice(0, -2) : rawKey;
    const prev = out[key];
    if (Array.isArray(prev)) prev.push(value);
    else if (prev !== undefined) out[key] = [prev, value];
    else out[key] = isArray ? [value] : value;
  }
  return out;
}

/** Form bodies carry numbers as strings; JSON bodies as numbers. Both mean the same. */
export function numberField(fields: Fields, key: string): number | undefined {
  const v = fields[key];
  if (v === undefined || v === null || v === "") return undefined;
  const n = typeof v === "number" ? v : typeof v === "string" ? Number(v) : Number.NaN;
  return Number.isFinite(n) ? n : Number.NaN;
}

export function stringField(fields: Fields, key: string): string | undefined {
  const v = fields[key];
  if (v === undefined || v === null) return undefined;
  return typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : undefined;
}

export function boolField(fields: Fields, key: string): boolean {
  const v = fields[key];
  return v === true || v === "true" || v === "1" || v === 1;
}
