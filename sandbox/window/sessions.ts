import { randomBytes } from "node:crypto";
import type { PayInput } from "../core/pay-input.js";

/** One opened payment window: the request_pay params waiting for a person's choice. */
export interface WindowSession {
  id: string;
  params: Omit<PayInput, "outcome">;
  done: boolean;
}

/** Cap so a page that loops on request_pay cannot grow memory without bound. */
const MAX_SESSIONS = 1000;

export class WindowSessions {
  private readonly sessions = new Map<string, WindowSession>();

  open(params: Omit<PayInput, "outcome">): WindowSession {
    if (this.sessions.size >= MAX_SESSIONS) {
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.sessions.delete(oldest);
    }
    const session = { id: randomBytes(12).toString("hex"), params, done: false };
    this.sessions.set(session.id, session);
    return session;
  }

  get(id: string): WindowSession | undefined {
    return this.sessions.get(id);
  }
}
