import { describe, expect, it } from "vitest";
import { createTokenCache } from "../../../lib/iamport/token-cache.js";

const SERVER_NOW = 1_700_000_000; // seconds
const LIFETIME = 1800; // iamport tokens live 30 min

function setup(localOffsetMs: number) {
  let localNow = SERVER_NOW * 1000 + localOffsetMs;
  let issued = 0;
  let serverNow = SERVER_NOW;
  const cache = createTokenCache({
    now: () => localNow,
    fetchToken: async () => {
      issued += 1;
      return { access_token: `t${issued}`, now: serverNow, expired_at: serverNow + LIFETIME };
    },
  });
  return {
    cache,
    issued: () => issued,
    advance(ms: number) {
      localNow += ms;
      serverNow += ms / 1000;
    },
  };
}

describe("token cache", () => {
  for (const [label, offset] of [
    ["in sync", 0],
    ["1 hour ahead", 3_600_000],
    ["1 hour behind", -3_600_000],
  ] as const) {
    it(`reuses the token until 60 s before the server's expiry with a local clock ${label}`, async () => {
      const t = setup(offset);

      expect(await t.cache.get()).toBe("t1");
      t.advance((LIFETIME - 61) * 1000);
      expect(await t.cache.get()).toBe("t1");
      t.advance(2000);
      expect(await t.cache.get()).toBe("t2");

      expect(t.issued()).toBe(2);
    });
  }

  it("shares one getToken among concurrent callers", async () => {
    let calls = 0;
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const cache = createTokenCache({
      now: () => 0,
      fetchToken: async () => {
        calls += 1;
        await gate;
        return { access_token: "only", now: 0, expired_at: LIFETIME };
      },
    });

    const all = Promise.all(Array.from({ length: 10 }, () => cache.get()));
    release();

    expect(await all).toEqual(Array(10).fill("only"));
    expect(calls).toBe(1);
  });

  it("refreshes once when many callers invalidate the same dead token", async () => {
    const t = setup(0);
    const dead = await t.cache.get();

    const fresh = await Promise.all(
      Array.from({ length: 10 }, () => {
        t.cache.invalidate(dead);
        return t.cache.get();
      }),
    );
    t.cache.invalidate(dead); // a late 401 for the old token must not drop the new one

    expect(new Set(fresh)).toEqual(new Set(["t2"]));
    expect(await t.cache.get()).toBe("t2");
    expect(t.issued()).toBe(2);
  });

  it("does not cache a failed getToken", async () => {
    let calls = 0;
    const cache = createTokenCache({
      now: () => 0,
      fetchToken: async () => {
        calls += 1;
        if (calls === 1) throw new Error("down");
        return { access_token: "ok", now: 0, expired_at: LIFETIME };
      },
    });

    await expect(cache.get()).rejects.toThrow("down");
    expect(await cache.get()).toBe("ok");
  });
});
