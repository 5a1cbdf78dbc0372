import type { Engine } from "../core/engine.js";
import type { Router } from "../http/router.js";

/** The browser SDK and payment window pages (phase 3). */
export function registerWindow(_router: Router, _engine: Engine): void {}
