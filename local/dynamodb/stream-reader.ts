/**
 * DynamoDB Streams' API on DynamoDB Local (DescribeStream, GetShardIterator,
 * GetRecords) as signed JSON calls: the project has no streams client, and
 * these three calls are all Lambda's stream event source makes.
 */
import { Sha256 } from "@smithy/core/checksum";
import { SignatureV4 } from "@smithy/signature-v4";

export interface StreamShard {
  ShardId: string;
  SequenceNumberRange?: { StartingSequenceNumber?: string; EndingSequenceNumber?: string };
}

export interface StreamApiRecord {
  eventID?: string;
  eventName?: string;
  dynamodb?: { SequenceNumber?: string; NewImage?: Record<string, unknown>; Keys?: Record<string, unknown> };
}

/** The table's latest stream ARN and calls on it; DynamoDB Local keys its data by these credentials. */
export function streamReader(endpoint: string) {
  const url = new URL(endpoint);
  const signer = new SignatureV4({
    service: "dynamodb",
    region: "ap-northeast-2",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    sha256: Sha256,
  });
  const call = async <T>(target: string, input: Record<string, unknown>): Promise<T> => {
    const body = JSON.stringify(input);
    const signed = await signer.sign({
      method: "POST",
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: "/",
      query: {},
      headers: { host: url.host, "content-type": "application/x-amz-json-1.0", "x-amz-target": target },
      body,
    });
    const response = await fetch(new URL("/", url), {
      method: "POST",
      headers: signed.headers,
      body,
      signal: AbortSignal.timeout(5_000),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${target} failed: HTTP ${response.status} ${text.slice(0, 200)}`);
    return JSON.parse(text) as T;
  };
  return {
    async streamArn(tableName: string): Promise<string | undefined> {
      const out = await call<{ Table?: { LatestStreamArn?: string } }>("DynamoDB_20120810.DescribeTable", {
        TableName: tableName,
      });
      return out.Table?.LatestStreamArn;
    },
    async shards(streamArn: string): Promise<StreamShard[]> {
      const out = await call<{ StreamDescription?: { Shards?: StreamShard[] } }>(
        "DynamoDBStreams_20120810.DescribeStream",
        { StreamArn: streamArn },
      );
      return out.StreamDescription?.Shards ?? [];
    },
    /** From the shard's oldest record, or just after `after` (a sequence number already handled). */
    async iterator(streamArn: string, shardId: string, after?: string): Promise<string | undefined> {
      const out = await call<{ ShardIterator?: string }>("DynamoDBStreams_20120810.GetShardIterator", {
        StreamArn: streamArn,
        ShardId: shardId,
        ...(after
          ? { ShardIteratorType: "AFTER_SEQUENCE_NUMBER", SequenceNumber: after }
          : { ShardIteratorType: "TRIM_HORIZON" }),
      });
      return out.ShardIterator;
    },
    async records(iterator: string): Promise<{ records: StreamApiRecord[]; next: string | undefined }> {
      const out = await call<{ Records?: StreamApiRecord[]; NextShardIterator?: string }>(
        "DynamoDBStreams_20120810.GetRecords",
        { ShardIterator: iterator, Limit: 100 },
      );
      return { records: out.Records ?? [], next: out.NextShardIterator };
    },
  };
}
