import type { Engine } from "../core/engine.js";
import { MODE_CHOICES, type SandboxModes } from "../core/modes.js";
import type { PayInput } from "../core/pay-input.js";
import type { DeclineRule } from "../core/types.js";
import { type Fields, numberField, stringField } from "../http/body.js";
import type { FaultRule } from "../http/faults.js";
import type { Reply } from "../http/router.js";
import { Router } from "../http/router.js";
import type { WebhookFaultRule } from "../webhooks/types.js";
import type { SandboxControl } from "./control.js";

export const CONTROL_PREFIX = "/__sandbox";

const json = (body: unknown, status = 200): Reply => ({ status, body });

function optionalNumber(body: Fields, key: string): number | undefined {
  const n = numberField(body, key);
  return n === undefined || Number.isNaN(n) ? undefined : n;
}

/**
 * The control API over HTTP (JSON in and out, CORS-enabled by the server), so a demo page
 * or another process can drive the sandbox. Paths are relative to `/__sandbox`.
 */
export function controlRouter(control: SandboxControl, engine: Engine): Router {
  const r = new Router();
  const p = CONTROL_PREFIX;
  r.add("GET", `${p}/info`, () =>
    json({
      url: engine.baseUrl,
      merchantCode: engine.options.merchantCode,
      kiccMid: engine.options.kiccMid,
      billingMid: engine.options.billingMid,
      webhookUrl: engine.options.webhookUrl ?? null,
      webhookFormat: engine.options.webhookFormat,
      testChannel: engine.options.testChannel,
      modes: control.modes(),
      now: control.now(),
    }),
  );
  r.add("GET", `${p}/clock`, () => json({ now: control.now() }));
  r.add("POST", `${p}/clock`, ({ body }) => json({ now: control.setClock(Number(body.now)) }));
  r.add("POST", `${p}/clock/advance`, ({ body }) =>
    json({ now: control.advanceClock(Number(body.seconds)) }),
  );

  const pay = ({ body }: { body: Fields }) => json(control.pay(body as PayInput));
  r.add("POST", `${p}/pay`, pay);
  // The browser window posts here; same code path as control.pay.
  r.add("POST", `${p}/checkout`, pay);

  r.add("POST", `${p}/payments/:imp_uid/deposit`, ({ params, body }) =>
    json(control.depositVbank(params.imp_uid as string, { amount: optionalNumber(body, "amount") })),
  );
  r.add("POST", `${p}/payments/:imp_uid/cancel`, ({ params, body }) =>
    json(
      control.cancelFromConsole(params.imp_uid as string, {
        amount: optionalNumber(body, "amount"),
        reason: stringField(body, "reason"),
        tax_free: optionalNumber(body, "tax_free"),
      }),
    ),
  );

  // Behaviour modes: GET shows them with every allowed value (the first is the default);
  // POST changes the ones named; DELETE puts every mode back to its default.
  r.add("GET", `${p}/modes`, () => json({ modes: control.modes(), choices: MODE_CHOICES }));
  r.add("POST", `${p}/modes`, ({ body }) =>
    json({ modes: control.setModes(body as Partial<SandboxModes>), choices: MODE_CHOICES }),
  );
  r.add("DELETE", `${p}/modes`, () => json({ modes: control.resetModes(), choices: MODE_CHOICES }));

  r.add("GET", `${p}/faults`, () => json(control.faults()));
  r.add("POST", `${p}/faults`, ({ body }) => {
    control.addFault(body as unknown as FaultRule);
    return json({ faults: control.faults() });
  });
  r.add("DELETE", `${p}/faults`, () => {
    control.clearFaults();
    return json({ faults: [] });
  });
  r.add("GET", `${p}/declines`, () => json(engine.store.declines));
  r.add("POST", `${p}/declines`, ({ body }) => {
    control.addDecline(body as unknown as DeclineRule);
    return json({ declines: engine.store.declines });
  });
  r.add("DELETE", `${p}/declines`, () => {
    control.clearDeclines();
    return json({ declines: [] });
  });
  r.add("GET", `${p}/webhook-faults`, () => json(control.webhookFaults()));
  r.add("POST", `${p}/webhook-faults`, ({ body }) => {
    control.setWebhookFault(body as unknown as WebhookFaultRule);
    return json({ ok: true });
  });
  r.add("DELETE", `${p}/webhook-faults`, () => {
    control.clearWebhookFaults();
    return json({ ok: true });
  });

  r.add("GET", `${p}/payments`, () => json(control.payments()));
  r.add("GET", `${p}/payments/:imp_uid`, ({ params }) => {
    const payment = control.payment(params.imp_uid as string);
    return payment ? json(payment) : json({ error: `no payment ${params.imp_uid}` }, 404);
  });
  r.add("GET", `${p}/billing-keys`, () => json(control.billingKeys()));
  r.add("GET", `${p}/schedules`, () => json(control.schedules()));
  r.add("POST", `${p}/schedules/run`, () => json({ executed: control.runDueSchedules() }));
  r.add("GET", `${p}/prepared`, () => json(control.prepared()));
  r.add("GET", `${p}/webhooks`, () => json(control.webhooks()));
  r.add("POST", `${p}/webhooks/flush`, async () => {
    await control.flushWebhooks();
    return json({ webhooks: control.webhooks() });
  });
  r.add("POST", `${p}/reset`, () => {
    control.reset();
    return json({ ok: true });
  });
  return r;
}
