/**
 * Creates the table from infra/table.json: the same definition serverless.yml
 * deploys, so local and AWS cannot drift.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";
import { repoRoot } from "../serverless-routes.js";

export function tableDefinition(): Record<string, unknown> {
  return JSON.parse(readFileSync(resolve(repoRoot, "infra/table.json"), "utf8")) as Record<string, unknown>;
}

export function localDynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: "ap-northeast-2",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
}

/**
 * Creates `tableName` (no-op when it exists) with its GSI, TTL and stream.
 * @param options.stream false for a table whose stream nobody reads (the soak audits the outbox items in
 *   the table itself): DynamoDB Local then keeps no stream records
 */
export async function createTable(
  endpoint: string,
  tableName: string,
  options: { stream?: boolean } = {},
): Promise<void> {
  const def = tableDefinition();
  const client = localDynamoClient(endpoint);
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: def.BillingMode,
        AttributeDefinitions: def.AttributeDefinitions,
        KeySchema: def.KeySchema,
        GlobalSecondaryIndexes: def.GlobalSecondaryIndexes,
        // CloudFormation's StreamSpecification has only the view type; the API also wants it enabled.
        ...(def.StreamSpecification && options.stream !== false
          ? { StreamSpecification: { StreamEnabled: true, ...(def.StreamSpecification as object) } }
          : {}),
      } as CreateTableCommandInput),
    );
    const ttl = def.TimeToLiveSpecification as { AttributeName: string; Enabled: boolean } | undefined;
    if (ttl?.Enabled) {
      await client.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: ttl }));
    }
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  } finally {
    client.destroy();
  }
}
