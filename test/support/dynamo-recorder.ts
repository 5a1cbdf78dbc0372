/** The recording proxy in front of DynamoDB Local (chaos/dynamo-recorder.ts), for tests that pin round trips. */
export { type DynamoRecorder, startDynamoRecorder } from "../../chaos/dynamo-recorder.js";
