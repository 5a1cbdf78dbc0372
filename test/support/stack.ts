/**
 * Starts the real local stack (API stand-in + handlers + sandbox + a fresh
 * DynamoDB Local table) for one test file, with small helpers to call it.
 * Handlers read their config once per process, so one stack per test file.
 */
import { afterAll, beforeAll, inject } from "vitest";
import { type Stack, startStack } from "../../local/stack.js";
import type { SandboxOptions } from "../../sandbox/index.js";
import { sandboxModesFromEnv } from "./sandbox-modes.js";

export interface TestStack {
  stack: Stack;
  /** fetch against the API with the merchant API key; JSON in and out. */
  api(
    path: string,
    init?: { method?: string; body?: unknown; headers?: Record<string, string>; key?: string | null },
  ): Promise<{ status: number; body: any; headers: Headers }>;
  createOrder(
    overrides?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: any }>;
}

export function useStack(
  options: { env?: Record<string, string>; sandbox?: SandboxOptions; sqsVisibilityTimeoutMs?: number } = {},
): () => TestStack {
  let current: TestStack | undefined;
  beforeAll(async () => {
    const stack = await startStack({
      dynamoEndpoint: inject("dynamoEndpoint"),
      // TEST_LOG_LEVEL=info shows the handlers' JSON logs while debugging a test.
      env: { IAMPORT_TIMEOUT_MS: "400", LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent", ...options.env },
      // The mode matrix (SANDBOX_MODES) under whatever the test file asks of the sandbox.
      sandbox: { ...options.sandbox, modes: { ...sandboxModesFromEnv(), ...options.sandbox?.modes } },
      // A message the consumer hands back is delivered again after half a second, not six minutes.
      sqsVisibilityTimeoutMs: options.sqsVisibilityTimeoutMs ?? 500,
    });
    const api: TestStack["api"] = async (path, init = {}) => {
      const headers: Record<string, string> = { ...init.headers };
      if (init.key !== null) headers["x-api-key"] = init.key ?? stack.apiKey;
      if (init.body !== undefined && !headers["content-type"]) headers["content-type"] = "application/json";
      const response = await fetch(`${stack.apiUrl}${path}`, {
        method: init.method ?? (init.body === undefined ? "GET" : "POST"),
        headers,
        redirect: "manual",
        ...(init.body !== undefined
          ? { body: typeof init.body === "string" ? init.body : JSON.stringify(init.body) }
          : {}),
      });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {}
      return { status: response.status, body, headers: response.headers };
    };
    current = {
      stack,
      api,
      createOrder: (overrides = {}, headers = {}) =>
        api("/orders", { body: { ...cardOrder(), ...overrides }, headers }),
    };
  });
  afterAll(async () => {
    await current?.stack.close();
  });
  return () => {
    if (!current) throw new Error("stack not started");
    return current;
  };
}

let counter = 0;
/** A fresh merchant_uid per call, unique across test files. */
export function uid(prefix = "t"): string {
  counter++;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

export function cardOrder(): Record<string, unknown> {
  return {
    merchant_uid: uid("ord"),
    name: "Blue mug",
    amount: 12_000,
    pay_method: "card",
    buyer_name: "홍길동",
    buyer_email: "buyer@example.com",
    buyer_tel: "010-1234-5678",
  };
}
