import type { ScheduleInput, ScheduleRequest } from "../core/schedule-types.js";
import { type Fields, numberField, stringField } from "../http/body.js";
import { badRequest } from "./envelope.js";

/** Above this a schedule_at is surely milliseconds, not the unix seconds iamport takes. */
const MAX_UNIX_SECONDS = 100_000_000_000;

/**
 * `schedules` as JSON sends it (an array of objects), as a JSON string, or as form fields
 * `schedules[0][merchant_uid]=...` (PHP-style clients).
 */
function scheduleItems(body: Fields): unknown[] {
  const raw = body.schedules;
  if (Array.isArray(raw)) return raw;
  if (typeof raw === "string" && raw.trim().startsWith("[")) {
    try {
      const parsed: unknown = JSON.parse(raw);
      if (Array.isArray(parsed)) return parsed;
    } catch {
      badRequest("schedules는 배열이어야 합니다.");
    }
  }
  const items: Fields[] = [];
  for (const [key, value] of Object.entries(body)) {
    const m = /^schedules\[(\d+)\]\[([A-Za-z_]+)\]$/.exec(key);
    if (!m) continue;
    const index = Number(m[1]);
    items[index] ??= {};
    (items[index] as Fields)[m[2] as string] = value;
  }
  return items.filter((item) => item !== undefined);
}

function optionalNumber(item: Fields, key: string, i: number): number | undefined {
  const n = numberField(item, key);
  if (n !== undefined && Number.isNaN(n)) badRequest(`schedules[${i}].${key}는 숫자여야 합니다.`);
  return n;
}

function parseItem(raw: unknown, i: number): ScheduleInput {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw))
    badRequest(`schedules[${i}]는 객체여야 합니다.`);
  const item = raw as Fields;
  const merchantUid = stringField(item, "merchant_uid");
  if (!merchantUid) badRequest(`schedules[${i}].merchant_uid는 필수입력입니다.`);
  const at = optionalNumber(item, "schedule_at", i);
  if (at === undefined) badRequest(`schedules[${i}].schedule_at는 필수입력입니다.`);
  if (!Number.isInteger(at) || at < 0 || at >= MAX_UNIX_SECONDS)
    badRequest(`schedules[${i}].schedule_at은 unix timestamp(초 단위 정수)여야 합니다: ${at}`);
  const amount = optionalNumber(item, "amount", i);
  if (amount === undefined || amount <= 0) badRequest(`schedules[${i}].amount는 0보다 큰 숫자여야 합니다.`);
  const custom = item.custom_data;
  const notice = item.notice_url;
  return {
    merchant_uid: merchantUid,
    schedule_at: at,
    amount,
    currency: stringField(item, "currency"),
    name: stringField(item, "name"),
    tax_free: optionalNumber(item, "tax_free", i),
    card_quota: optionalNumber(item, "card_quota", i),
    custom_data:
      typeof custom === "string"
        ? custom
        : custom !== undefined && custom !== null
          ? JSON.stringify(custom)
          : undefined,
    notice_url:
      typeof notice === "string" || Array.isArray(notice) ? (notice as string | string[]) : undefined,
    buyer_name: stringField(item, "buyer_name"),
    buyer_email: stringField(item, "buyer_email"),
    buyer_tel: stringField(item, "buyer_tel"),
    buyer_addr: stringField(item, "buyer_addr"),
    buyer_postcode: stringField(item, "buyer_postcode"),
    promotion_id: stringField(item, "promotion_id"),
  };
}

/** `POST /subscribe/payments/schedule`: missing or malformed params are HTTP 400, code -1. */
export function parseScheduleRequest(body: Fields): ScheduleRequest {
  const customerUid = stringField(body, "customer_uid");
  if (!customerUid) badRequest("customer_uid는 필수입력입니다.");
  const items = scheduleItems(body);
  if (items.length === 0) badRequest("schedules는 1건 이상의 예약정보 배열이어야 합니다.");
  return {
    customer_uid: customerUid,
    customer_id: stringField(body, "customer_id"),
    card_number: stringField(body, "card_number"),
    schedules: items.map(parseItem),
  };
}

/** merchant_uid of unschedule: a JSON array, `merchant_uid[]` form fields, or one string. */
export function merchantUidList(body: Fields): string[] | undefined {
  const raw = body.merchant_uid;
  if (raw === undefined || raw === null || raw === "") return undefined;
  const list = Array.isArray(raw) ? raw : [raw];
  if (!list.every((v): v is string => typeof v === "string" && v !== ""))
    badRequest("merchant_uid는 문자열 배열이어야 합니다.");
  return list;
}
