/**
 * The port the publisher sends through: EventBridge's PutEvents on AWS
 * (lib/runtime/event-bridge.ts), an in-memory bus in the local stack.
 */

/** One entry of a PutEvents call. */
export interface BusEntry {
  source: string;
  detailType: string;
  /** The envelope, as JSON. */
  detail: string;
  time: string;
}

export interface EventBus {
  /**
   * Sends at most {@link MAX_ENTRIES_PER_PUT} entries; resolves with the indexes of the entries the bus
   * refused (a throttle, an internal error) and, where the bus named it, each one's error code by index;
   * rejects when the call itself failed.
   */
  put(entries: BusEntry[]): Promise<{ failed: number[]; errorCodes?: Record<number, string> }>;
}

/** PutEvents takes at most 10 entries per call. */
export const MAX_ENTRIES_PER_PUT = 10;
