import type { AddressInfo } from "node:net";
import { SandboxControl } from "./control/control.js";
import { controlRouter } from "./control/http-control.js";
import { Engine } from "./core/engine.js";
import type { SandboxOptions } from "./core/options.js";
import { startScheduleTimer } from "./core/schedule-run.js";
import { TokenIssuer } from "./core/tokens.js";
import { FaultBook } from "./http/faults.js";
import { createSandboxServer } from "./http/server.js";
import { requireToken } from "./routes/auth.js";
import { restRouter } from "./routes/rest-router.js";
import { registerWindow } from "./window/routes.js";

export { SandboxControl } from "./control/control.js";
export {
  defaultModes,
  formatModes,
  MODE_CHOICES,
  MODE_NAMES,
  ModeError,
  type ModeName,
  nonDefaultModes,
  parseModes,
  type SandboxModes,
} from "./core/modes.js";
export type { SandboxOptions } from "./core/options.js";
export type { PayInput, PayOutcome, PayResult } from "./core/pay-input.js";
export type { ScheduleStatus, ScheduleView } from "./core/schedule-types.js";
export type {
  BillingKeyView,
  CancelHistoryEntry,
  DeclineReason,
  DeclineRule,
  PaymentStatus,
  PaymentView,
  PreparedView,
} from "./core/types.js";
export type { FaultRule, RouteFaultKind } from "./http/faults.js";
export type { WebhookDelivery, WebhookEvent, WebhookFaultKind, WebhookFaultRule } from "./webhooks/types.js";

/** A running sandbox: its base URL (http://127.0.0.1:<port>), the control API, and close(). */
export interface Sandbox {
  url: string;
  control: SandboxControl;
  close(): Promise<void>;
}

/** The port is taken: a clear message instead of a raw EADDRINUSE. */
export class SandboxPortInUseError extends Error {
  override readonly name = "SandboxPortInUseError";
  constructor(
    readonly port: number,
    options?: { cause?: unknown },
  ) {
    super(
      `port ${port} on 127.0.0.1 is already in use; stop the other process or pick another port`,
      options,
    );
  }
}

/**
 * Starts an iamport V1 emulator on 127.0.0.1. Tests run it in-process; `sandbox/main.ts`
 * runs it standalone. It shares no code with lib/: they meet only over HTTP.
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const engine = new Engine(options);
  const tokens = new TokenIssuer(engine.clock, engine.ids);
  const faults = new FaultBook();
  const control = new SandboxControl(engine, faults);
  const controlRoutes = controlRouter(control, engine);
  registerWindow(controlRoutes, engine);
  const { server, clearTimers } = createSandboxServer({
    control: controlRoutes,
    rest: restRouter(engine, tokens),
    faults,
    authorize: (req) => requireToken(req.headers, tokens),
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) =>
      reject(
        err.code === "EADDRINUSE" ? new SandboxPortInUseError(engine.options.port, { cause: err }) : err,
      );
    server.once("error", onError);
    server.listen(engine.options.port, "127.0.0.1", () => {
      server.off("error", onError);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  engine.baseUrl = url;
  const stopSchedules = startScheduleTimer(engine, engine.options.scheduleIntervalMs);
  let closed: Promise<void> | undefined;
  return {
    url,
    control,
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        stopSchedules();
        engine.webhooks.close();
        clearTimers();
        server.close(() => resolve());
        // Faults like "timeout" hold sockets open on purpose; end them so close() finishes.
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
