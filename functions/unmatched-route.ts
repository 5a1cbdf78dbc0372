/**
 * The `$default` route (`httpApi: '*'`): every request no other route matches, answered as a JSON
 * 405 with `Allow` or a JSON 404. It reads nothing: its role holds only its logs and X-Ray.
 */
import { loadConfig } from "../lib/config.js";
import { httpHandler } from "../lib/http/handler.js";
import { answerUnmatched } from "../lib/http/unmatched-route.js";
import { createLogger, type Logger } from "../lib/observability/logger.js";

// Not the container's: that would bundle the DynamoDB and iamport clients this function never uses.
let logger: Logger | undefined;
const log = (): Logger =>
  (logger ??= createLogger({ level: loadConfig().LOG_LEVEL, base: { stage: loadConfig().STAGE } }));

export const handler = httpHandler(
  async (event, requestLog) =>
    answerUnmatched(event, { origins: loadConfig().RESULT_ORIGINS, log: requestLog }),
  { logger: log },
);
