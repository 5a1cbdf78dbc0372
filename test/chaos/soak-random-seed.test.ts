/**
 * The soak at CI size with a fresh seed each run (printed, so a failure can be
 * replayed with `npm run soak -- --seed <seed>`), and the audit's own check:
 * a payment planted behind our back is found.
 */
import { expect, test } from "vitest";
import { drawSandboxModes } from "../../chaos/soak/run-soak.js";
import { expectBalancedBooks, soakAtCiSize } from "./soak-support.js";

test("the books balance with iamport's after a soak under chaos (random seed, modes drawn from it)", async () => {
  const seed = Math.floor(Math.random() * 2 ** 31);
  process.stderr.write(`soak seed ${seed} (replay: npm run soak -- --seed ${seed} --sandbox-mode random)\n`);
  expectBalancedBooks(await soakAtCiSize(seed, { sandboxModes: drawSandboxModes(seed) }));
}, 400_000);

test("the audit is not blind: a payment nobody applied is counted as lost and named", async () => {
  let planted = "";
  const result = await soakAtCiSize(7, {
    subscriptions: 3,
    cycles: 1,
    orders: 6,
    faultRate: 0,
    beforeAudit: async (world) => {
      const paid = world.sandbox.control
        .payments()
        .find((p) => p.merchant_uid.startsWith("ord_") && p.status === "paid" && p.pay_method === "card");
      if (!paid) throw new Error("the soak paid no card order");
      const rsp = world.sandbox.control.pay({
        pg: "kicc",
        pay_method: "card",
        merchant_uid: paid.merchant_uid,
        amount: paid.amount,
        name: "planted",
        buyer_tel: "010-1234-5678",
        outcome: "approve",
        openedBeforePaid: true,
      });
      planted = paid.merchant_uid;
      expect(rsp.success).toBe(true);
    },
  });
  // Unknown to the order, and a second payment holding money beside the one it keeps.
  expect(result).toMatchObject({ lost_payments: 1, double_charges: 1 });
  expect(result.violations.map((v) => [v.kind, v.key]).sort()).toEqual([
    ["double_charges", planted],
    ["lost_payments", planted],
  ]);
}, 120_000);
