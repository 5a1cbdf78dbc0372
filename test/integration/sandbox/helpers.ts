import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { Sandbox } from "../../../sandbox/index.js";

export interface Envelope<T = unknown> {
  code: number;
  message: string | null;
  response: T;
}

/** A tiny REST client for the sandbox: getToken once, then JSON calls with Bearer. */
export class Api {
  token = "";
  constructor(private readonly sandbox: Sandbox) {}

  async login(): Promise<void> {
    const res = await this.call<{ access_token: string }>("POST", "/users/getToken", {
      imp_key: "sandbox_key",
      imp_secret: "sandbox_secret",
    });
    this.token = res.body.response.access_token;
  }

  async call<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: Record<string, unknown>,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: Envelope<T> }> {
    const res = await fetch(`${this.sandbox.url}${path}`, {
      method,
      headers: {
        ...(body ? { "content-type": "application/json" } : {}),
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...headers,
      },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(5000),
    });
    return { status: res.status, body: (await res.json()) as Envelope<T> };
  }

  get<T = Record<string, unknown>>(path: string) {
    return this.call<T>("GET", path);
  }

  post<T = Record<string, unknown>>(path: string, body: Record<string, unknown>) {
    return this.call<T>("POST", path, body);
  }
}

/** Minimal valid KICC card params for control.pay. */
export function cardParams(merchantUid: string, amount = 10_000) {
  return {
    pg: "kicc",
    pay_method: "card",
    merchant_uid: merchantUid,
    amount,
    name: "테스트 주문",
    buyer_name: "홍길동",
    buyer_tel: "010-1234-5678",
    buyer_email: "buyer@example.com",
  };
}

export interface ReceivedWebhook {
  contentType: string;
  raw: string;
  body: Record<string, string>;
}

/** A webhook receiver on 127.0.0.1 that answers `status()` and records every request. */
export async function startReceiver(status: () => number = () => 200) {
  const received: ReceivedWebhook[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const contentType = req.headers["content-type"] ?? "";
      const body = contentType.includes("json")
        ? (JSON.parse(raw) as Record<string, string>)
        : Object.fromEntries(new URLSearchParams(raw));
      received.push({ contentType, raw, body });
      res.writeHead(status()).end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhook`,
    received,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
