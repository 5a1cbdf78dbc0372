import { sameCardNumber } from "./cards.js";
import type { DeclineAnswer, DeclineReason, DeclineRule } from "./types.js";

/** How each known reason reads in `fail_reason` / `error_msg` (KICC-style wording). */
const MESSAGES: Record<string, { code: string; message: string }> = {
  limit_exceeded: { code: "8324", message: "[8324] 카드 한도초과" },
  insufficient_balance: { code: "8326", message: "[8326] 잔액부족" },
  lost_card: { code: "8310", message: "[8310] 분실신고 카드" },
  expired_card: { code: "8316", message: "[8316] 유효기간 경과 카드" },
};

export interface Decline {
  code: string;
  message: string;
  /** How `again` answers this decline when the rule says (else the `againDecline` mode). */
  answer?: DeclineAnswer;
}

export function describeDecline(reason: DeclineReason): Decline {
  return MESSAGES[reason] ?? { code: "DECLINED", message: reason };
}

export interface DeclineSubject {
  customerUid?: string | null;
  cardNumber?: string | null;
  cardCode?: string | null;
}

/** First rule that matches the charge; every field a rule sets must match. */
export function findDecline(rules: DeclineRule[], subject: DeclineSubject): Decline | undefined {
  const rule = rules.find((r) => {
    if (r.customer_uid === undefined && r.card_number === undefined && r.card_code === undefined)
      return false;
    if (r.customer_uid !== undefined && r.customer_uid !== subject.customerUid) return false;
    if (
      r.card_number !== undefined &&
      !(subject.cardNumber && sameCardNumber(r.card_number, subject.cardNumber))
    )
      return false;
    if (r.card_code !== undefined && r.card_code !== subject.cardCode) return false;
    return true;
  });
  if (!rule) return undefined;
  return { ...describeDecline(rule.reason), ...(rule.answer ? { answer: rule.answer } : {}) };
}
