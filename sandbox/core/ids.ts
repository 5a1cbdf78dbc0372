import { randomBytes } from "node:crypto";

/** Generates identifiers in the shapes iamport and KICC use, unique within a process. */
export class IdGenerator {
  private counter = 0;

  next(): number {
    this.counter += 1;
    return this.counter;
  }

  /** `imp_` plus 12 digits, like real imp_uids. */
  impUid(): string {
    const n = this.next();
    const rand = randomBytes(4).readUInt32BE(0) % 1_000_000;
    return `imp_${String(rand).padStart(6, "0")}${String(n).padStart(6, "0")}`;
  }

  /** KICC-like transaction id: date-ish prefix plus random digits. */
  pgTid(): string {
    return `${Date.now()}${String(this.next()).padStart(6, "0")}`.slice(-20);
  }

  cancellationId(): string {
    return `cncl_${randomBytes(8).toString("hex")}`;
  }

  applyNum(): string {
    return String(randomBytes(4).readUInt32BE(0) % 100_000_000).padStart(8, "0");
  }

  token(): string {
    return randomBytes(20).toString("hex");
  }

  vbankNum(): string {
    return `${String(randomBytes(4).readUInt32BE(0)).padStart(10, "0")}${String(this.next()).padStart(4, "0")}`;
  }
}
