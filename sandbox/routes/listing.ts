import type { StoredPayment } from "../core/types.js";
import { badRequest } from "./envelope.js";

const SORTINGS = ["-started", "started", "-paid", "paid", "-updated", "updated"] as const;
export type Sorting = (typeof SORTINGS)[number];

export function parseSorting(value: string | null): Sorting {
  if (value === null || value === "") return "-started";
  if (!(SORTINGS as readonly string[]).includes(value)) badRequest(`지원되지 않는 정렬방식입니다: ${value}`);
  return value as Sorting;
}

/** Sorts by the chosen timestamp; the creation sequence breaks ties within one second. */
export function sortPayments(list: StoredPayment[], sorting: Sorting): StoredPayment[] {
  const desc = sorting.startsWith("-");
  const field = sorting.replace("-", "");
  const key = (p: StoredPayment): number =>
    field === "paid" ? p.view.paid_at : field === "updated" ? p.meta.updatedAt : p.view.started_at;
  return [...list].sort((a, b) => {
    const diff = key(a) - key(b) || a.meta.seq - b.meta.seq;
    return desc ? -diff : diff;
  });
}

export interface Page {
  page: number;
  limit: number;
}

export function parsePage(query: URLSearchParams): Page {
  const page = query.get("page") === null ? 1 : Number(query.get("page"));
  const limit = query.get("limit") === null ? 20 : Number(query.get("limit"));
  if (!Number.isInteger(page) || page < 1) badRequest("page는 1 이상의 정수여야 합니다.");
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    badRequest("limit는 1 이상 1000 이하의 정수여야 합니다.");
  return { page, limit };
}

/** `{total, previous, next, list}` with 0 for a missing neighbour page, as the spec says. */
export function paginate<T>(
  items: T[],
  { page, limit }: Page,
): { total: number; previous: number; next: number; list: T[] } {
  const start = (page - 1) * limit;
  return {
    total: items.length,
    previous: page > 1 ? page - 1 : 0,
    next: start + limit < items.length ? page + 1 : 0,
    list: items.slice(start, start + limit),
  };
}

/** The timestamp /payments/status filters on: the one that matches the payment's status. */
export function statusTime(p: StoredPayment): number {
  const v = p.view;
  if (v.status === "paid") return v.paid_at;
  if (v.status === "cancelled") return v.cancelled_at;
  if (v.status === "failed") return v.failed_at;
  return v.started_at;
}
