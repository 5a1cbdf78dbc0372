/**
 * Starts one DynamoDB Local for the whole run (tests create their own tables,
 * so they never see each other's data) and tears it down at the end.
 */
import type { TestProject } from "vitest/node";
import { type DynamoDbLocal, startDynamoDbLocal } from "../../local/dynamodb/dynamodb-local.js";

let ddb: DynamoDbLocal | undefined;

export async function setup(project: TestProject): Promise<void> {
  ddb = await startDynamoDbLocal();
  project.provide("dynamoEndpoint", ddb.endpoint);
}

export async function teardown(): Promise<void> {
  await ddb?.stop();
}

declare module "vitest" {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}
