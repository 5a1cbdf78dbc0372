/**
 * The invocation's deadline, carried through async calls (AsyncLocalStorage)
 * so every outbound call can be bounded by the time Lambda leaves, without
 * threading it through every use case. Set once per invocation by the
 * handler wiring (lib/http/handler.ts, the SQS and scheduled functions); read
 * by the iamport transport, which never starts or waits past it.
 */
import { AsyncLocalStorage } from "node:async_hooks";

/** The invocation an async call belongs to: its deadline, and its function (for tests that attribute calls). */
export interface Invocation {
  deadlineMs: number;
  functionName?: string;
}

const store = new AsyncLocalStorage<Invocation>();

/**
 * Kept back from Lambda's timeout: time to write what was decided and answer (503 with Retry-After
 * when iamport was too slow) before Lambda would cut the invocation off.
 */
export const DEADLINE_MARGIN_MS = 1_500;

/** Runs `fn` with the deadline `remainingMs - DEADLINE_MARGIN_MS` from now. */
export function withInvocationDeadline<T>(
  context: { getRemainingTimeInMillis(): number; functionName?: string },
  fn: () => Promise<T>,
): Promise<T> {
  const deadlineMs = Date.now() + context.getRemainingTimeInMillis() - DEADLINE_MARGIN_MS;
  return store.run(
    context.functionName ? { deadlineMs, functionName: context.functionName } : { deadlineMs },
    fn,
  );
}

/** Epoch ms by which the current invocation's calls must be done, or undefined outside one. */
export function currentDeadline(): number | undefined {
  return store.getStore()?.deadlineMs;
}

/** The invocation the current async call belongs to, or undefined outside one. */
export function currentInvocation(): Invocation | undefined {
  return store.getStore();
}
