import type { SandboxClock } from "./clock.js";
import type { IdGenerator } from "./ids.js";

/** iamport: 30 minutes; a repeat call in the last minute extends the same token by 5 (§1). */
const LIFETIME = 30 * 60;
const EXTEND_WINDOW = 60;
const EXTENSION = 5 * 60;

export interface IssuedToken {
  access_token: string;
  now: number;
  expired_at: number;
}

/** The sandbox's access tokens. Tokens survive `reset()`, as keys do. */
export class TokenIssuer {
  private current: { token: string; expiresAt: number } | undefined;
  private readonly all = new Map<string, number>();

  constructor(
    private readonly clock: SandboxClock,
    private readonly ids: IdGenerator,
  ) {}

  issue(): IssuedToken {
    const now = this.clock.now();
    if (this.current && this.current.expiresAt > now) {
      if (this.current.expiresAt - now <= EXTEND_WINDOW) {
        this.current.expiresAt += EXTENSION;
        this.all.set(this.current.token, this.current.expiresAt);
      }
    } else {
      this.current = { token: this.ids.token(), expiresAt: now + LIFETIME };
      this.all.set(this.current.token, this.current.expiresAt);
    }
    return { access_token: this.current.token, now, expired_at: this.current.expiresAt };
  }

  isValid(token: string): boolean {
    const expiresAt = this.all.get(token);
    return expiresAt !== undefined && expiresAt > this.clock.now();
  }
}
