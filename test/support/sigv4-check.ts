/**
 * What AWS checks of a signed request, for the stand-in servers of the
 * runtime tests: a SigV4 signature by the test credentials for `service` in
 * ap-northeast-2, over the headers AWS requires, recomputed from the request
 * as received.
 */
import type { IncomingMessage } from "node:http";
import { Sha256 } from "@smithy/core/checksum";
import { SignatureV4 } from "@smithy/signature-v4";

export const testCredentials = {
  accessKeyId: "AKIDTEST",
  secretAccessKey: "secret-test",
  sessionToken: "session-test",
};

/** True when `req` (with `body`) carries a valid signature for `service` by `testCredentials`. */
export async function signatureOk(service: string, req: IncomingMessage, body: string): Promise<boolean> {
  const match = String(req.headers.authorization ?? "").match(
    new RegExp(
      `^AWS4-HMAC-SHA256 Credential=${testCredentials.accessKeyId}/(\\d{8})/ap-northeast-2/${service}/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$`,
    ),
  );
  if (!match) return false;
  const signed = (match[2] as string).split(";");
  for (const required of ["host", "x-amz-date", "x-amz-target", "content-type", "x-amz-security-token"])
    if (!signed.includes(required)) return false;
  const amzDate = String(req.headers["x-amz-date"]);
  const headers: Record<string, string> = {};
  for (const name of signed) headers[name] = String(req.headers[name]);
  const again = await new SignatureV4({
    service,
    region: "ap-northeast-2",
    credentials: testCredentials,
    sha256: Sha256,
  }).sign(
    { method: "POST", protocol: "http:", hostname: "127.0.0.1", path: "/", query: {}, headers, body },
    {
      signingDate: new Date(
        `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
      ),
    },
  );
  return String(again.headers.authorization).endsWith(`Signature=${match[3]}`);
}
