/**
 * The deploy parameters, checked before anything is packaged
 * (`custom.deploy: ${file(./infra/deploy-params.cjs)}` in serverless.yml).
 *
 * A stack without `publicApiUrl`, `resultOrigins` or `defaultResultUrl` (or,
 * in live mode, `kiccMid`) deploys, and then every call fails at start-up: so
 * none has an empty default, and one message names every missing one. The
 * `local` and `test` stages have their own values in serverless.yml's params.
 */
"use strict";

const REQUIRED = ["publicApiUrl", "resultOrigins", "defaultResultUrl"];
/** Only KICC's channel of this merchant is trusted in live mode; `pg: "kicc"` alone cannot be checked. */
const REQUIRED_LIVE = ["kiccMid"];
/** webhookSourceIps: comma-separated; empty (the default) leaves the webhook open to any address. */
const OPTIONAL = { kiccBillingMid: "", webhookSourceIps: "" };

module.exports = async ({ resolveVariable }) => {
  const stage = await resolveVariable("sls:stage");
  const read = async (name) => {
    const value = await resolveVariable(`param:${name}, null`);
    return value === null || value === undefined ? "" : String(value).trim();
  };
  const iamportMode = (await read("iamportMode")) || "live";
  const values = { iamportMode };
  const missing = [];
  for (const name of [...REQUIRED, ...(iamportMode === "live" ? REQUIRED_LIVE : [])]) {
    values[name] = await read(name);
    if (!values[name]) missing.push(name);
  }
  for (const [name, fallback] of Object.entries(OPTIONAL)) values[name] = (await read(name)) || fallback;
  if (!("kiccMid" in values)) values.kiccMid = await read("kiccMid");
  if (iamportMode !== "live" && iamportMode !== "test")
    missing.push('iamportMode (must be "live" or "test")');
  if (missing.length) {
    const error = new Error(
      `missing deploy parameters for stage ${stage}: ${missing.join(", ")} ` +
        `(pass each as --param="name=value"; see README, Deploying)`,
    );
    // osls prints the stack: keep it to the message.
    error.stack = error.message;
    throw error;
  }
  return values;
};
