import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../../sandbox/index.js";
import { Api } from "./helpers.js";

describe("sandbox auth: POST /users/getToken and tokens", () => {
  let sandbox: Sandbox;
  let api: Api;
  beforeAll(async () => {
    sandbox = await startSandbox({ now: 1_800_000_000 });
    api = new Api(sandbox);
  });
  afterAll(() => sandbox.close());

  const getToken = (body: Record<string, unknown>) =>
    new Api(sandbox).post<{ access_token: string; now: number; expired_at: number }>("/users/getToken", body);

  it("issues a 30-minute token with now and expired_at", async () => {
    const { status, body } = await getToken({ imp_key: "sandbox_key", imp_secret: "sandbox_secret" });
    expect(status).toBe(200);
    expect(body.code).toBe(0);
    expect(body.message).toBeNull();
    expect(body.response.expired_at - body.response.now).toBe(1800);
    expect(body.response.access_token).toMatch(/^[0-9a-f]{40}$/);
  });

  it("accepts a form-urlencoded body", async () => {
    const res = await fetch(`${sandbox.url}/users/getToken`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "imp_key=sandbox_key&imp_secret=sandbox_secret",
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { code: number }).code).toBe(0);
  });

  it("refuses a wrong secret with 401", async () => {
    const { status, body } = await getToken({ imp_key: "sandbox_key", imp_secret: "nope" });
    expect(status).toBe(401);
    expect(body.code).not.toBe(0);
    expect(body.response).toBeNull();
  });

  it("returns the same token before expiry, extends it in the last minute, renews it after", async () => {
    const creds = { imp_key: "sandbox_key", imp_secret: "sandbox_secret" };
    sandbox.control.advanceClock(3600); // start from a fresh token
    const first = (await getToken(creds)).body.response;
    sandbox.control.advanceClock(600);
    const same = (await getToken(creds)).body.response;
    expect(same.access_token).toBe(first.access_token);
    expect(same.expired_at).toBe(first.expired_at);

    sandbox.control.setClock(first.expired_at - 30);
    const extended = (await getToken(creds)).body.response;
    expect(extended.access_token).toBe(first.access_token);
    expect(extended.expired_at).toBe(first.expired_at + 300);

    sandbox.control.setClock(extended.expired_at + 1);
    const renewed = (await getToken(creds)).body.response;
    expect(renewed.access_token).not.toBe(first.access_token);
  });

  it("takes Bearer, a raw token and X-ImpTokenHeader; 401 without or with an expired token", async () => {
    await api.login();
    const path = "/payments/imp_missing";
    const asBearer = await fetch(`${sandbox.url}${path}`, {
      headers: { authorization: `Bearer ${api.token}` },
    });
    const asRaw = await fetch(`${sandbox.url}${path}`, { headers: { authorization: api.token } });
    const asImp = await fetch(`${sandbox.url}${path}`, { headers: { "x-imptokenheader": api.token } });
    expect([asBearer.status, asRaw.status, asImp.status]).toEqual([404, 404, 404]);

    const none = await fetch(`${sandbox.url}${path}`);
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ code: -1, response: null });
    const unknown = await fetch(`${sandbox.url}${path}`, { headers: { authorization: "Bearer nope" } });
    expect(unknown.status).toBe(401);

    sandbox.control.advanceClock(3600);
    const expired = await fetch(`${sandbox.url}${path}`, {
      headers: { authorization: `Bearer ${api.token}` },
    });
    expect(expired.status).toBe(401);
  });

  it("answers unknown routes with a 404 envelope", async () => {
    await api.login();
    const { status, body } = await api.get("/no/such/route");
    expect(status).toBe(404);
    expect(body).toMatchObject({ code: -1, response: null });
  });
});
