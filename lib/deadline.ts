/**
 * The invocation's deadline, carried through async calls (AsyncLocalStorage)
 * so every outbound call can be bounded by the time Lambda leaves, without
 * threading it through every use case. Set once per invocation by the
 * handler wiring (lib/http/handler.ts, the SQS and scheduled functions); read
 * by the iamport transport, which never starts or waits past it.
 */
import { AsyncLocalStorage } from "node:async_hooks";

const store = new AsyncLocalStorage<number>();

/**
 * Kept back from Lambda's timeout: time to write what was decided and answer (503 with Retry-After
 * when iamport was too slow) before Lambda would cut the invocation off.
 */
export const DEADLINE_MARGIN_MS = 1_500;

/** Runs `fn` with the deadline `remainingMs - DEADLINE_MARGIN_MS` from now. */
export function withInvocationDeadline<T>(
  context: { getRemainingTimeInMillis(): number },
  fn: () => Promise<T>,
): Promise<T> {
  return store.run(Date.now() + context.getRemainingTimeInMillis() - DEADLINE_MARGIN_MS, fn);
}

/** Epoch ms by which the current invocation's calls must be done, or undefined outside one. */
export function currentDeadline(): number | undefined {
  return store.getStore();
}
