/**
 * Example bodies for the OpenAPI document's responses. Written by hand, and
 * validated against their own schemas by test/unit/local/openapi.test.ts, so
 * an example that no longer fits its response fails there.
 */

const requestPay = {
  pg: "kicc.T5102001",
  pay_method: "card",
  merchant_uid: "order-20261201-0001",
  name: "Blue mug",
  amount: 12000,
  currency: "KRW",
  buyer_name: "홍길동",
  buyer_email: "buyer@example.com",
  buyer_tel: "010-1234-5678",
  m_redirect_url: "https://pay.example.com/payments/complete/mobile",
  notice_url: "https://pay.example.com/webhooks/iamport",
};

export const orderExample = {
  merchant_uid: "order-20261201-0001",
  status: "paid",
  amount: 12000,
  tax_free: 0,
  currency: "KRW",
  name: "Blue mug",
  pay_method: "card",
  buyer: { name: "홍길동", email: "buyer@example.com", tel: "010-1234-5678" },
  escrow: false,
  kicc_products: null,
  imp_uid: "imp_123456789012",
  paid_at: "2026-12-01T01:02:03.000Z",
  fail_reason: null,
  vbank: null,
  refunded_amount: 0,
  refundable_amount: 12000,
  refunds: [],
  forgery: null,
  refunds_owed: [],
  request_pay: requestPay,
  created_at: "2026-12-01T01:00:00.000Z",
  updated_at: "2026-12-01T01:02:04.000Z",
  history: [
    {
      at: "2026-12-01T01:00:00.000Z",
      from: null,
      to: "pending",
      source: "api",
      reason: "order created",
      imp_uid: null,
    },
    {
      at: "2026-12-01T01:02:04.000Z",
      from: "pending",
      to: "paid",
      source: "webhook",
      reason: "paid in full",
      imp_uid: "imp_123456789012",
    },
  ],
};

export const createOrderExample = {
  merchant_uid: "order-20261201-0001",
  status: "pending",
  request_pay: requestPay,
  order: {
    ...orderExample,
    status: "pending",
    imp_uid: null,
    paid_at: null,
    refundable_amount: 0,
    updated_at: "2026-12-01T01:00:00.000Z",
    history: [],
  },
};

export const statusExample = {
  merchant_uid: "order-20261201-0002",
  status: "awaiting_deposit",
  amount: 30000,
  vbank: {
    bank_name: "신한은행",
    number: "56211105948400",
    holder: "(주)예시상점",
    due_at: "2026-12-03T14:59:59.000Z",
  },
};

export const refundExample = {
  merchant_uid: "order-20261201-0001",
  idempotency_key: "3f7c9a52-8a57-4f0e-9a43-1c2b0f6c1d11",
  refund: {
    cancellation_id: "cancel_123456",
    amount: 2000,
    tax_free: 0,
    reason: "one item returned",
    cancelled_at: "2026-12-02T03:00:00.000Z",
  },
  order: { status: "partially_refunded", amount: 12000, refunded_amount: 2000, refundable_amount: 10000 },
};

export const billingKeyExample = {
  customer_uid: "cu_5Q2fX9bLk3Pz8RwA1cVt7YhM",
  request_pay: {
    pg: "kicc.T5102002",
    pay_method: "card",
    merchant_uid: "bk_5Q2fX9bLk3Pz8RwA1cVt7YhM",
    name: "정기결제 카드 등록",
    amount: 0,
    currency: "KRW",
    customer_uid: "cu_5Q2fX9bLk3Pz8RwA1cVt7YhM",
    buyer_name: "홍길동",
    buyer_tel: "010-1234-5678",
    m_redirect_url: "https://shop.example.com/paid",
  },
};

export const subscriptionExample = {
  id: "sub_4fT8kQ2mZ7xR1bN9",
  status: "active",
  customer_uid: "cu_5Q2fX9bLk3Pz8RwA1cVt7YhM",
  plan: { name: "Pro plan", amount: 9900, interval: "month" },
  currency: "KRW",
  billing: { time_zone: "Asia/Seoul", interval: "month", anchor_day: 1, charge_time: "10:00" },
  current_cycle: 2,
  next_attempt: 1,
  next_charge_at: "2027-01-01T01:00:00.000Z",
  paid_through: "2027-01-01T01:00:00.000Z",
  paid_cycles: 1,
  skipped_cycles: 0,
  cancel_at_period_end: false,
  canceled_at: null,
  cancel_reason: null,
  paused_at: null,
  dunning: null,
  last_charge: {
    cycle: 1,
    attempt: 1,
    merchant_uid: "sub_4fT8kQ2mZ7xR1bN9_1_1",
    status: "paid",
    imp_uid: "imp_987654321098",
    reason: null,
    at: "2026-12-01T01:00:02.000Z",
  },
  buyer: { name: "홍길동", tel: "010-1234-5678" },
  cycles: [
    {
      cycle: 1,
      period_start: "2026-12-01T01:00:00.000Z",
      period_end: "2027-01-01T01:00:00.000Z",
      status: "paid",
      imp_uid: "imp_987654321098",
      attempts: [
        {
          attempt: 1,
          merchant_uid: "sub_4fT8kQ2mZ7xR1bN9_1_1",
          customer_uid: "cu_5Q2fX9bLk3Pz8RwA1cVt7YhM",
          amount: 9900,
          status: "paid",
          decline: null,
          reason: null,
          error_code: null,
          imp_uid: "imp_987654321098",
          paid_at: "2026-12-01T01:00:02.000Z",
          refund: null,
          resolved_by: "response",
          refunded_amount: 0,
          refunded_at: null,
          sends: 1,
          lookups: 0,
          claimed_at: "2026-12-01T01:00:01.000Z",
          unknown_since: null,
          updated_at: "2026-12-01T01:00:02.000Z",
        },
      ],
    },
    {
      cycle: 2,
      period_start: "2027-01-01T01:00:00.000Z",
      period_end: "2027-02-01T01:00:00.000Z",
      status: "scheduled",
      imp_uid: null,
      attempts: [],
    },
  ],
  refunds_owed: [],
  history: [
    {
      at: "2026-12-01T01:00:00.000Z",
      from: null,
      to: "active",
      source: "api",
      reason: "subscription created",
      cycle: null,
      attempt: null,
    },
  ],
  created_at: "2026-12-01T01:00:00.000Z",
  updated_at: "2026-12-01T01:00:02.000Z",
};

export const switchCardExample = {
  ...subscriptionExample,
  customer_uid: "cu_8ZpW2nQ6rT1yU4iO7aS3dF5g",
  card_switch: {
    changed: true,
    retry_queued: false,
    old_card: { customer_uid: "cu_5Q2fX9bLk3Pz8RwA1cVt7YhM", key: "deleted" },
  },
};

export const webhookExample = { kind: "order", outcome: "applied", status: "paid" };
