/**
 * Imported first by `local/start.ts`: turns off the AWS SDK's notice that its
 * 2027 releases need Node 22 (the SDK's own switch). It is true and harmless
 * here, but it would push the table a developer looks for off the screen.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
