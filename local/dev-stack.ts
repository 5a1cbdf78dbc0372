/**
 * The local stack as a developer sees it: {@link startStack} plus the demo
 * storefront under /shop/, the scheduled functions (timers and
 * `/__local/run/<name>`) and the billing tools (`/__local/dispatch-charges`,
 * `/__local/queues`: charge-tools.ts). `npm start` and the browser tests both build it
 * here, so the tests drive exactly what a developer runs.
 */
import { type ChargeTools, chargeToolsFallback, createChargeTools } from "./charge-tools.js";
import {
  type RunRecord,
  type ScheduledJob,
  type Scheduler,
  schedulerFallback,
  startScheduler,
} from "./scheduler.js";
import { type Stack, type StackOptions, startStack } from "./stack.js";
import { chainFallbacks, type ShopConfig, staticFallback } from "./static.js";

/** The code pages pass to `IMP.init` with the sandbox. */
export const SANDBOX_MERCHANT_CODE = "imp00000000";
const IAMPORT_SDK_URL = "https://cdn.iamport.kr/v1/iamport.js";

export interface DevStackOptions extends Omit<StackOptions, "fallback"> {
  /** `IMP.init` code with real iamport (IAMPORT_MERCHANT_CODE); the sandbox's otherwise. */
  merchantCode?: string;
  /** Run scheduled functions on their rate(...) timers; default true (tests turn it off). */
  timers?: boolean;
  onRun?: (job: ScheduledJob, record: RunRecord) => void;
}

export interface DevStack {
  stack: Stack;
  scheduler: Scheduler;
  /** The dispatcher ahead of time and a look into the queues (`/__local/dispatch-charges`, `/__local/queues`). */
  charges: ChargeTools;
  /** What the pages read from /shop/config.json. */
  shopConfig(): ShopConfig;
  close(): Promise<void>;
}

export async function startDevStack(options: DevStackOptions): Promise<DevStack> {
  const { merchantCode, timers, onRun, ...stackOptions } = options;
  // The fallback answers only once the server listens; both are set before then.
  let stack: Stack | undefined;
  let scheduler: Scheduler | undefined;
  let charges: ChargeTools | undefined;
  const shopConfig = (): ShopConfig => {
    const sandboxUrl = stack?.sandbox?.url ?? null;
    return {
      apiKey: stack?.apiKey ?? "",
      iamport: sandboxUrl ? "sandbox" : "iamport",
      sdkUrl: sandboxUrl ? `${sandboxUrl}/v1/iamport.js` : IAMPORT_SDK_URL,
      merchantCode: sandboxUrl ? SANDBOX_MERCHANT_CODE : (merchantCode ?? ""),
      sandboxUrl,
    };
  };
  stack = await startStack({
    ...stackOptions,
    sandbox: { merchantCode: SANDBOX_MERCHANT_CODE, ...stackOptions.sandbox },
    fallback: chainFallbacks(
      staticFallback({ config: shopConfig }),
      schedulerFallback(() => scheduler),
      chargeToolsFallback(() => charges),
    ),
  });
  scheduler = startScheduler(stack.functions, {
    ...(timers !== undefined ? { timers } : {}),
    ...(onRun ? { onRun } : {}),
  });
  charges = createChargeTools(stack);
  const started = { stack, scheduler, charges };
  return {
    ...started,
    shopConfig,
    async close() {
      started.scheduler.stop();
      await started.stack.close();
    },
  };
}
