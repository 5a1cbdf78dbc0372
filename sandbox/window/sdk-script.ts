/**
 * The browser SDK served at /v1/iamport.js: a drop-in for iamport's V1 `IMP` object, so a
 * merchant page switches between the real SDK and this one by the script URL alone.
 * Plain ES5-style JS in a string (no bundler); it talks to the sandbox's control API.
 *
 * Mobile (redirect) mode: a mobile user agent, or `IMP.sandbox = { mode: "mobile" }` set
 * by the page before request_pay. `{ mode: "pc" }` forces the PC overlay.
 */
export const SDK_SCRIPT = `(function () {
  "use strict";
  var script = document.currentScript;
  var BASE = script && script.src ? new URL(script.src).origin : "";
  var overlay = null;

  function isMobile() {
    var mode = window.IMP && window.IMP.sandbox && window.IMP.sandbox.mode;
    if (mode === "mobile") return true;
    if (mode === "pc") return false;
    return /Mobi|Android|iPhone|iPad|iPod/i.test(navigator.userAgent);
  }

  function post(path, body) {
    return fetch(BASE + "/__sandbox" + path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body)
    }).then(function (res) { return res.json(); });
  }

  function redirect(url, rsp) {
    var target = new URL(url, window.location.href);
    if (rsp.imp_uid) target.searchParams.set("imp_uid", rsp.imp_uid);
    target.searchParams.set("merchant_uid", rsp.merchant_uid || "");
    target.searchParams.set("imp_success", String(Boolean(rsp.success)));
    if (!rsp.success) {
      target.searchParams.set("error_code", rsp.error_code || "");
      target.searchParams.set("error_msg", rsp.error_msg || "");
    }
    window.location.href = target.toString();
  }

  function finish(params, mobile, callback, rsp) {
    if (mobile && params.m_redirect_url) return redirect(params.m_redirect_url, rsp);
    if (typeof callback === "function") callback(rsp);
  }

  function openOverlay(sessionUrl, params, callback) {
    overlay = document.createElement("div");
    overlay.id = "imp-sandbox-overlay";
    overlay.setAttribute("style", "position:fixed;inset:0;background:rgba(0,0,0,.5);z-index:2147483647;display:flex;align-items:center;justify-content:center");
    var frame = document.createElement("iframe");
    frame.name = "imp-sandbox-window";
    frame.title = "iamport sandbox payment window";
    frame.src = sessionUrl;
    frame.setAttribute("style", "width:420px;height:600px;max-width:95vw;max-height:95vh;border:0;border-radius:8px;background:#fff");
    overlay.appendChild(frame);
    document.body.appendChild(overlay);
    function onMessage(event) {
      if (event.origin !== BASE || !event.data || event.data.type !== "imp-sandbox-result") return;
      window.removeEventListener("message", onMessage);
      if (overlay && overlay.parentNode) overlay.parentNode.removeChild(overlay);
      overlay = null;
      finish(params, false, callback, event.data.rsp);
    }
    window.addEventListener("message", onMessage);
  }

  function closeOverlay() {
    if (overlay && overlay.parentNode) overlay.parentNode.removeChild(overlay);
    overlay = null;
  }

  var IMP = {
    sandbox: undefined,
    _code: null,
    init: function (code) { IMP._code = code; },
    agency: function (code) { IMP._code = code; },
    request_pay: function (params, callback) {
      params = params || {};
      var mobile = isMobile();
      var fail = function (msg) {
        finish(params, mobile, callback, { success: false, imp_success: false, imp_uid: null, merchant_uid: params.merchant_uid || null, error_code: "F0000", error_msg: msg });
      };
      if (!IMP._code) return fail("IMP.init(가맹점 식별코드)를 먼저 호출해 주세요.");
      var request = Object.assign({}, params, { channel: mobile ? "mobile" : "pc", user_agent: navigator.userAgent });
      post("/sessions", { merchant_code: IMP._code, params: request }).then(function (res) {
        if (res.rsp) return finish(params, mobile, callback, res.rsp);
        if (!res.url) return fail(res.error || "sandbox error");
        if (mobile) window.location.href = res.url;
        else openOverlay(res.url, params, callback);
      }, function (err) { fail("sandbox unreachable: " + err); });
    },
    // Identity verification (본인인증) is its own PG contract; KICC payments do not provide it.
    certification: function (params, callback) {
      params = params || {};
      var rsp = { success: false, imp_success: false, imp_uid: null, merchant_uid: params.merchant_uid || null, pg_provider: "kicc", pg_type: "certification", error_code: "F0000", error_msg: "KICC 결제 채널은 본인인증(IMP.certification)을 지원하지 않습니다." };
      if (isMobile() && params.m_redirect_url) return redirect(params.m_redirect_url, rsp);
      if (typeof callback === "function") setTimeout(function () { callback(rsp); }, 0);
    },
    // Closes an open payment window without a result, as the real SDK's IMP.close().
    close: function () { closeOverlay(); }
  };
  window.IMP = IMP;
})();
`;
