/**
 * Billing keys (`CUSTOMER#<customer_uid>` / `KEY`): which customer_uids we
 * opened a window for, what iamport said when we verified them, and which
 * subscriptions charge each one (a string set, changed only with ADD/DELETE
 * so concurrent subscriptions never overwrite each other's entry).
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { BillingKeyRecord } from "../billing/billing-key.js";
import type { BillingKeysRepository } from "../billing/ports.js";
import { isConditionFailure, lostTo } from "./condition-failure.js";
import { billingKeyKey } from "./keys.js";

const NAMES = { "#status": "status" };

/**
 * The update that records a subscription starting (`add`) or stopping
 * (`remove`) to charge a key, with the verified fields when adding. Used
 * inside the subscription repository's transactions.
 */
export function billingKeyUpdate(
  TableName: string,
  key: Partial<BillingKeyRecord> & Pick<BillingKeyRecord, "customerUid" | "updatedAt">,
  change: { add: string } | { remove: string },
) {
  if ("remove" in change) {
    return {
      TableName,
      Key: billingKeyKey(key.customerUid),
      UpdateExpression: "DELETE subscriptionIds :ids SET updatedAt = :u",
      ExpressionAttributeValues: { ":ids": new Set([change.remove]), ":u": key.updatedAt },
    };
  }
  const { customerUid: _uid, subscriptionIds: _ids, ...fields } = key;
  const entries = Object.entries(fields).filter(([, value]) => value !== undefined);
  const names: Record<string, string> = { ...NAMES };
  const values: Record<string, unknown> = { ":ids": new Set([change.add]), ":deleting": "deleting" };
  const sets = entries.map(([name, value], i) => {
    names[`#f${i}`] = name;
    values[`:f${i}`] = value;
    return `#f${i} = :f${i}`;
  });
  return {
    TableName,
    Key: billingKeyKey(key.customerUid),
    UpdateExpression: `SET ${[...sets, "customerUid = :uid"].join(", ")} ADD subscriptionIds :ids`,
    // A key being deleted at iamport must not gain a subscription (it would charge a deleted key).
    ConditionExpression: "attribute_not_exists(#status) OR #status <> :deleting",
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: { ...values, ":uid": key.customerUid },
  };
}

/** The repository over one DynamoDB document client and table. */
export function createBillingKeysRepository(deps: {
  db: DynamoDBDocumentClient;
  tableName: string;
}): BillingKeysRepository {
  const { db, tableName: TableName } = deps;
  const get = async (customerUid: string) => {
    const { Item } = await db.send(
      new GetCommand({ TableName, Key: billingKeyKey(customerUid), ConsistentRead: true }),
    );
    return Item ? fromItem(Item) : null;
  };

  return {
    get,

    async reserve(record) {
      try {
        await db.send(
          new PutCommand({
            TableName,
            Item: {
              ...billingKeyKey(record.customerUid),
              type: "billing_key",
              ...record,
              subscriptionIds: undefined,
            },
            // A verified key is never issued again under its customer_uid: iamport would re-point it
            // and the old card's key could never be revoked. Only an unused reservation or a deleted key is reused.
            ConditionExpression: "attribute_not_exists(PK) OR #status IN (:requested, :deleted)",
            ExpressionAttributeNames: NAMES,
            ExpressionAttributeValues: { ":requested": "requested", ":deleted": "deleted" },
            // A refusal reads the stored record in the same round trip.
            ReturnValuesOnConditionCheckFailure: "ALL_OLD",
          }),
        );
        return { reserved: true };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        const old = lostTo(error);
        const existing = old ? fromItem(old) : await get(record.customerUid);
        if (!existing) throw error;
        return { reserved: false, existing };
      }
    },

    async markDeleting(customerUid, now) {
      try {
        await db.send(
          new UpdateCommand({
            TableName,
            Key: billingKeyKey(customerUid),
            UpdateExpression: "SET #status = :deleting, updatedAt = :u",
            // Only a key no subscription charges (the set is removed with its last member), and only once
            // verified: a requested or deleted key has nothing to delete; `deleting` again retries a failed delete.
            ConditionExpression: "attribute_not_exists(subscriptionIds) AND #status IN (:active, :deleting)",
            ExpressionAttributeNames: NAMES,
            ExpressionAttributeValues: {
              ":deleting": "deleting",
              ":active": "active",
              ":u": now.toISOString(),
            },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    async markDeleted(customerUid, now) {
      try {
        await db.send(
          new UpdateCommand({
            TableName,
            Key: billingKeyKey(customerUid),
            UpdateExpression: "SET #status = :deleted, deletedAt = :u, updatedAt = :u",
            // Only the deletion we started: a concurrent one already finished it.
            ConditionExpression: "#status = :deleting",
            ExpressionAttributeNames: NAMES,
            ExpressionAttributeValues: {
              ":deleting": "deleting",
              ":deleted": "deleted",
              ":u": now.toISOString(),
            },
          }),
        );
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    },
  };
}

function fromItem(item: Record<string, unknown>): BillingKeyRecord {
  const { PK: _pk, SK: _sk, type: _type, subscriptionIds, ...rest } = item;
  return {
    ...(rest as unknown as BillingKeyRecord),
    subscriptionIds: subscriptionIds instanceof Set ? [...(subscriptionIds as Set<string>)].sort() : [],
  };
}
