/**
 * The one place `lib/` gets zod from.
 *
 * `zod/mini` with only the English messages keeps a Lambda bundle near 19 KB of
 * validation code instead of ~450 KB for `import { z } from "zod"` (which pulls
 * every locale); cold starts are paid by buyers.
 */

import { en } from "zod/locales";
import * as z from "zod/mini";

z.config(en());

export { z };
