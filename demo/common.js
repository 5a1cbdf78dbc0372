// Shared helpers of the demo pages: the stack's config, the merchant API, formatting.
// Plain ES modules, no build step.

/** @returns {Promise<{apiKey: string, iamport: string, sdkUrl: string, merchantCode: string, sandboxUrl: string | null}>} */
export async function loadConfig() {
  const res = await fetch("/shop/config.json", { cache: "no-store" });
  if (!res.ok) throw new Error(`config.json: HTTP ${res.status}`);
  return res.json();
}

/**
 * Calls this project's HTTP API (same origin). The demo sends the local API key from the
 * browser; a real merchant keeps its key on its own server and calls POST /orders from there.
 */
export async function api(config, path, { method = "GET", body, headers = {}, key = true } = {}) {
  const init = { method, headers: { ...headers } };
  if (key) init.headers["x-api-key"] = config.apiKey;
  if (body !== undefined) {
    init.headers["content-type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (error) {
    return { ok: false, status: 0, body: { error: "network_error", message: String(error) } };
  }
  const text = await res.text();
  let parsed = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {}
  return { ok: res.ok, status: res.status, body: parsed };
}

/** Calls the sandbox's control API (CORS open). */
export async function sandbox(config, path, { method = "GET", body } = {}) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.headers["content-type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const res = await fetch(`${config.sandboxUrl}/__sandbox${path}`, init);
  const parsed = await res.json().catch(() => null);
  if (!res.ok) throw new Error(parsed?.error ?? `sandbox answered HTTP ${res.status}`);
  return parsed;
}

const won = new Intl.NumberFormat("ko-KR");
export const formatWon = (amount) => `${won.format(amount)}원`;

// sv-SE prints ISO-like "2026-11-27 20:24:38"; the time zone is Korea's whatever the viewer's.
const kst = new Intl.DateTimeFormat("sv-SE", {
  timeZone: "Asia/Seoul",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hour12: false,
});
/** An ISO string or unix seconds, shown in Korean time. */
export function formatTime(value) {
  if (value === null || value === undefined || value === "" || value === 0) return "—";
  const date = typeof value === "number" ? new Date(value * 1000) : new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : `${kst.format(date)} KST`;
}

/**
 * Server text (a history entry's reason, a decline) with every UTC instant in it
 * (`retry 1 of 3 at 2026-12-02T15:00:00.000Z`) shown in Korean time, as the rest of the page is.
 */
export function kstText(text) {
  if (text === null || text === undefined) return "";
  return String(text).replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z/g, (instant) =>
    formatTime(instant),
  );
}

/** Creates an element: h("td", { class: "x" }, "text", child). Strings are text, never HTML. */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export const badge = (status) => h("span", { class: `badge ${status}` }, status);

/** Shows an API error: what was refused and why, field by field, then the JSON body as the API sent it. */
export function showError(box, title, response) {
  const issues = Array.isArray(response?.body?.issues) ? response.body.issues : [];
  // replaceChildren writes a null argument as the text "null": only what there is goes in.
  const parts = [
    h("p", {}, h("strong", {}, title)),
    issues.length
      ? h(
          "ul",
          {},
          issues.map((issue) => h("li", {}, h("code", {}, issue.field), `: ${issue.reason}`)),
        )
      : null,
    response
      ? h(
          "pre",
          {},
          `HTTP ${response.status}\n${typeof response.body === "string" ? response.body : JSON.stringify(response.body, null, 2)}`,
        )
      : null,
  ];
  box.replaceChildren(...parts.filter((part) => part !== null));
  box.scrollIntoView({ block: "nearest" });
}

/** Loads a classic script (the IMP SDK) once. */
export function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src;
    script.onload = () => resolve();
    script.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.append(script);
  });
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
