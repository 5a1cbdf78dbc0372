import { checkout, precheck } from "../core/checkout.js";
import type { Engine } from "../core/engine.js";
import { ControlError } from "../core/errors.js";
import type { PayInput, PayOutcome, PayResult } from "../core/pay-input.js";
import type { Router } from "../http/router.js";
import { SDK_SCRIPT } from "./sdk-script.js";
import { WindowSessions } from "./sessions.js";
import { windowPage } from "./window-page.js";

/**
 * m_redirect_url plus the result, keeping the merchant's own query params (fact sheet §7). It
 * carries `imp_success` as older SDKs did: it says nothing a server may trust (re-read the payment).
 */
export function redirectUrl(base: string, rsp: PayResult): string {
  const url = new URL(base);
  if (rsp.imp_uid) url.searchParams.set("imp_uid", rsp.imp_uid);
  url.searchParams.set("merchant_uid", rsp.merchant_uid);
  url.searchParams.set("imp_success", String(rsp.success));
  if (!rsp.success) {
    url.searchParams.set("error_code", rsp.error_code ?? "");
    url.searchParams.set("error_msg", rsp.error_msg ?? "");
  }
  return url.toString();
}

/** The browser SDK, the payment window and receipts. */
export function registerWindow(router: Router, engine: Engine): void {
  const sessions = new WindowSessions();
  router.add("GET", "/v1/iamport.js", () => ({
    status: 200,
    body: SDK_SCRIPT,
    contentType: "application/javascript; charset=utf-8",
    headers: { "cache-control": "no-store" },
  }));

  router.add("POST", "/__sandbox/sessions", ({ body }) => {
    const params = (body.params ?? {}) as Omit<PayInput, "outcome">;
    const merchantUid = typeof params.merchant_uid === "string" ? params.merchant_uid : "";
    if (body.merchant_code !== engine.options.merchantCode) {
      const rsp: PayResult = {
        imp_uid: null,
        merchant_uid: merchantUid,
        success: false,
        imp_success: false,
        error_code: "F0001",
        error_msg: `등록되지 않은 가맹점 식별코드입니다: ${String(body.merchant_code)}`,
      };
      return { status: 200, body: { rsp } };
    }
    // Pre-validation refusals never open the window, as with iamport.
    const refused = precheck(engine, { ...params, outcome: "approve" });
    if (refused) return { status: 200, body: { rsp: refused } };
    const session = sessions.open(params);
    return { status: 200, body: { url: `${engine.baseUrl}/__sandbox/window/${session.id}` } };
  });

  router.add("GET", "/__sandbox/window/:id", ({ params }) => {
    const session = sessions.get(params.id as string);
    if (!session)
      return { status: 404, body: "<p>payment window expired or unknown</p>", contentType: "text/html" };
    return { status: 200, body: windowPage(session), contentType: "text/html; charset=utf-8" };
  });

  router.add("POST", "/__sandbox/window/:id/complete", ({ params, body }) => {
    const session = sessions.get(params.id as string);
    if (!session) throw new ControlError("unknown payment window", 404);
    if (session.done) throw new ControlError("this payment window is already finished", 409);
    session.done = true;
    const card = body.card as PayInput["card"] | undefined;
    const input: PayInput = {
      ...session.params,
      card: { ...(session.params.card ?? {}), ...(card ?? {}) },
      outcome: body.outcome as PayOutcome,
    };
    const rsp = checkout(engine, input);
    const mobile = session.params.channel === "mobile" && typeof session.params.m_redirect_url === "string";
    return {
      status: 200,
      body: { rsp, redirect_url: mobile ? redirectUrl(session.params.m_redirect_url as string, rsp) : null },
    };
  });

  const receipt = (impUid: string) => {
    const p = engine.store.payments.get(impUid);
    if (!p) return { status: 404, body: "<p>no such receipt</p>", contentType: "text/html" };
    const v = p.view;
    return {
      status: 200,
      contentType: "text/html; charset=utf-8",
      body: `<!doctype html><meta charset="utf-8"><title>영수증</title><h1>SANDBOX 영수증</h1><pre>${JSON.stringify(
        {
          imp_uid: v.imp_uid,
          merchant_uid: v.merchant_uid,
          amount: v.amount,
          cancel_amount: v.cancel_amount,
          status: v.status,
        },
        null,
        2,
      ).replace(/</g, "&lt;")}</pre>`,
    };
  };
  router.add("GET", "/__sandbox/receipts/:imp_uid", ({ params }) => receipt(params.imp_uid as string));
  router.add("GET", "/__sandbox/receipts/:imp_uid/:cancellation_id", ({ params }) =>
    receipt(params.imp_uid as string),
  );
}
