import type { Engine } from "../core/engine.js";
import type { TokenIssuer } from "../core/tokens.js";
import { Router } from "../http/router.js";
import { registerAuth } from "./auth.js";
import { registerCancel } from "./cancel.js";
import { registerPayments } from "./payments.js";
import { registerPrepare } from "./prepare.js";
import { registerSchedules } from "./schedules.js";
import { registerSubscribe } from "./subscribe.js";

/** Every iamport V1 route the sandbox serves. Order matters: specific before parametrised. */
export function restRouter(engine: Engine, tokens: TokenIssuer): Router {
  const router = new Router();
  registerAuth(router, engine, tokens);
  registerPrepare(router, engine);
  registerCancel(router, engine);
  registerPayments(router, engine);
  registerSubscribe(router, engine);
  registerSchedules(router, engine);
  return router;
}
