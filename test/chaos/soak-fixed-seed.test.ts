/** The soak at CI size with a fixed seed: the same plan every run (the machine decides the interleaving). */
import { test } from "vitest";
import { expectBalancedBooks, soakAtCiSize } from "./soak-support.js";

test("the books balance with iamport's after a soak under chaos (fixed seed)", async () => {
  expectBalancedBooks(await soakAtCiSize(20261201));
}, 400_000);
