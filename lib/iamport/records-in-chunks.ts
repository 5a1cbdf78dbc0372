/**
 * iamport's records of many payments, a hundred per `GET /payments?imp_uid[]=…`, each handed to `visit`
 * with its record: the daily audits' one way of reading iamport (the held-payment audit of orders, the
 * kept-charge audit). A payment the list leaves out is read alone, as every door reads one. A list that
 * cannot be read stops the run (the next run looks again); one item that fails does not.
 */
import { eachLimited } from "../concurrency.js";
import { PAYMENTS_PER_LOOKUP } from "./types.js";

/** Items visited at once: as the reconciler's own pages. */
const CONCURRENCY = 4;

export async function eachWithRecord<T, P extends { imp_uid: string }>(input: {
  items: readonly T[];
  impUidOf: (item: T) => string;
  iamport: {
    getPayments(impUids: readonly string[]): Promise<P[]>;
    getPayment(impUid: string): Promise<P>;
  };
  /** False once the invocation has too little time left for another chunk. */
  timeLeft: () => boolean;
  visit: (item: T, payment: P) => Promise<void>;
  /** A chunk's list could not be read: none of its items was visited, and no later chunk is. */
  chunkFailed: (items: readonly T[], error: unknown) => void;
  itemFailed: (item: T, error: unknown) => void;
}): Promise<void> {
  for (let start = 0; start < input.items.length && input.timeLeft(); start += PAYMENTS_PER_LOOKUP) {
    const chunk = input.items.slice(start, start + PAYMENTS_PER_LOOKUP);
    let records: Map<string, P>;
    try {
      const listed = await input.iamport.getPayments(chunk.map(input.impUidOf));
      records = new Map(listed.map((payment) => [payment.imp_uid, payment]));
    } catch (error) {
      input.chunkFailed(chunk, error);
      return;
    }
    await eachLimited(chunk, CONCURRENCY, async (item) => {
      try {
        const impUid = input.impUidOf(item);
        await input.visit(item, records.get(impUid) ?? (await input.iamport.getPayment(impUid)));
      } catch (error) {
        input.itemFailed(item, error);
      }
    });
  }
}
