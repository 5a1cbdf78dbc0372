import type { IncomingHttpHeaders } from "node:http";
import type { Engine } from "../core/engine.js";
import { IamportApiError } from "../core/errors.js";
import type { TokenIssuer } from "../core/tokens.js";
import { stringField } from "../http/body.js";
import type { Router } from "../http/router.js";
import { ok } from "./envelope.js";

/** POST /users/getToken: same token until expiry, extended in the last minute. */
export function registerAuth(router: Router, engine: Engine, tokens: TokenIssuer): void {
  router.add("POST", "/users/getToken", ({ body }) => {
    const key = stringField(body, "imp_key");
    const secret = stringField(body, "imp_secret");
    if (key !== engine.options.impKey || secret !== engine.options.impSecret) {
      throw new IamportApiError(401, -1, "imp_key, imp_secret 인증에 실패하였습니다.");
    }
    return ok(tokens.issue());
  });
}

/**
 * Accepts the three header forms official clients use: `Authorization: Bearer <t>`,
 * a raw token in Authorization, and `X-ImpTokenHeader` (fact sheet §1).
 */
export function requireToken(headers: IncomingHttpHeaders, tokens: TokenIssuer): void {
  const auth = headers.authorization;
  const alt = headers["x-imptokenheader"];
  const raw = typeof auth === "string" && auth !== "" ? auth : typeof alt === "string" ? alt : "";
  const token = raw.replace(/^Bearer\s+/i, "").trim();
  if (token === "") throw new IamportApiError(401, -1, "Unauthorized");
  if (!tokens.isValid(token)) throw new IamportApiError(401, -1, "Unauthorized");
}
