/**
 * The one place `lib/` gets zod from: `import * as z from "../validation/zod.js"`.
 *
 * `zod/mini` with only the English messages, re-exported name by name, keeps a
 * Lambda bundle at ~20 KB of validation code instead of ~420 KB: a namespace
 * object passed around as a value (`export { z }`) would force esbuild to keep
 * every locale. Cold starts are paid by buyers.
 */
import { config } from "zod/mini";
import en from "zod/v4/locales/en.js";

config(en());

export * from "zod/mini";
