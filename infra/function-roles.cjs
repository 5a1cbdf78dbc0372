/**
 * One IAM role per function, from `custom.access` in serverless.yml (a local
 * osls plugin). Each role holds only what that function's code does: the table
 * actions it uses (and GSI1 only for the functions that page it), the SSM
 * parameters it reads, the queue it sends to or consumes, its own log group,
 * and X-Ray. A function gets the variable naming a secret or a queue only with
 * the permission to use it, so a variable and its grant cannot drift apart.
 *
 * A function without an entry fails the package step: a new function never
 * falls back to a shared role by accident. An empty entry (`{}`, the
 * `$default` route's) is a role with its logs and X-Ray only.
 */
"use strict";

const TABLE_ACTIONS = new Set([
  "BatchGetItem",
  "GetItem",
  "PutItem",
  "UpdateItem",
  "ConditionCheckItem",
  "Query",
]);
const INDEX_ACTIONS = new Set(["Query"]);

class FunctionRoles {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = {
      initialize: () => this.assignRoles(),
      "before:package:finalize": () => this.addRoles(),
    };
  }

  get service() {
    return this.serverless.service;
  }

  get naming() {
    return this.serverless.getProvider("aws").naming;
  }

  fail(message) {
    const error = new Error(`function-roles: ${message}`);
    error.stack = error.message;
    throw error;
  }

  accessOf(name) {
    const access = (this.service.custom && this.service.custom.access) || {};
    const entry = access[name];
    if (!entry) this.fail(`function ${name} has no entry in custom.access (what may its role do?)`);
    for (const key of Object.keys(entry)) {
      if (!["table", "index", "secrets", "send", "consume", "stream", "publish", "onFailure"].includes(key))
        this.fail(
          `custom.access.${name}.${key} is not one of table, index, secrets, send, consume, stream, publish, onFailure`,
        );
    }
    for (const action of entry.table || [])
      if (!TABLE_ACTIONS.has(action)) this.fail(`custom.access.${name}.table: ${action} is not allowed`);
    for (const action of entry.index || [])
      if (!INDEX_ACTIONS.has(action)) this.fail(`custom.access.${name}.index: ${action} is not allowed`);
    return entry;
  }

  /** Runs before the functions are compiled: the role and the variables that come with each grant. */
  assignRoles() {
    const secrets = (this.service.custom && this.service.custom.secrets) || {};
    const queues = (this.service.custom && this.service.custom.queues) || {};
    for (const name of this.service.getAllFunctions()) {
      const fn = this.service.getFunction(name);
      const access = this.accessOf(name);
      fn.role = this.roleId(name);
      fn.environment = { ...(fn.environment || {}) };
      for (const variable of access.secrets || []) {
        if (!secrets[variable])
          this.fail(`custom.access.${name}.secrets: ${variable} is not in custom.secrets`);
        fn.environment[variable] = `/${this.service.service}/${this.stage()}/${secrets[variable]}`;
      }
      for (const variable of access.send || []) {
        if (!queues[variable]) this.fail(`custom.access.${name}.send: ${variable} is not in custom.queues`);
        fn.environment[variable] = { Ref: queues[variable] };
      }
      // The bus it may put on is the one it is told about.
      if (access.publish) fn.environment.EVENT_BUS_NAME = { Ref: access.publish };
    }
  }

  stage() {
    return this.serverless.getProvider("aws").getStage();
  }

  roleId(name) {
    return `${this.naming.getNormalizedFunctionName(name)}Role`;
  }

  addRoles() {
    const resources = this.service.provider.compiledCloudFormationTemplate.Resources;
    const secrets = (this.service.custom && this.service.custom.secrets) || {};
    const queues = (this.service.custom && this.service.custom.queues) || {};
    const tableArn = { "Fn::GetAtt": ["PaymentsTable", "Arn"] };
    for (const name of this.service.getAllFunctions()) {
      const access = this.accessOf(name);
      const statements = [
        {
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: [{ "Fn::GetAtt": [this.naming.getLogGroupLogicalId(name), "Arn"] }],
        },
        // X-Ray has no resource-level permissions: "*" is the only resource these actions take.
        { Effect: "Allow", Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], Resource: "*" },
      ];
      if (access.table && access.table.length)
        statements.push({
          Effect: "Allow",
          Action: access.table.map((a) => `dynamodb:${a}`),
          Resource: [tableArn],
        });
      if (access.index && access.index.length)
        statements.push({
          Effect: "Allow",
          Action: access.index.map((a) => `dynamodb:${a}`),
          Resource: [{ "Fn::Join": ["/", [tableArn, "index", "GSI1"]] }],
        });
      if (access.secrets && access.secrets.length)
        statements.push({
          Effect: "Allow",
          Action: ["ssm:GetParameters"],
          Resource: access.secrets.map((variable) => ({
            "Fn::Sub": `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter/${this.service.service}/${this.stage()}/${secrets[variable]}`,
          })),
        });
      if (access.send && access.send.length)
        statements.push({
          Effect: "Allow",
          Action: ["sqs:SendMessage"],
          Resource: access.send.map((variable) => ({ "Fn::GetAtt": [queues[variable], "Arn"] })),
        });
      if (access.consume)
        statements.push({
          Effect: "Allow",
          Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
          Resource: [{ "Fn::GetAtt": [access.consume, "Arn"] }],
        });
      // A stream's records are read by Lambda with the function's role: these four, on that stream only.
      if (access.stream)
        statements.push({
          Effect: "Allow",
          Action: [
            "dynamodb:DescribeStream",
            "dynamodb:GetRecords",
            "dynamodb:GetShardIterator",
            "dynamodb:ListStreams",
          ],
          Resource: [{ "Fn::GetAtt": [access.stream, "StreamArn"] }],
        });
      if (access.publish)
        statements.push({
          Effect: "Allow",
          Action: ["events:PutEvents"],
          Resource: [{ "Fn::GetAtt": [access.publish, "Arn"] }],
        });
      // The stream's on-failure destination is sent to with the function's role too.
      if (access.onFailure)
        statements.push({
          Effect: "Allow",
          Action: ["sqs:SendMessage"],
          Resource: [{ "Fn::GetAtt": [access.onFailure, "Arn"] }],
        });
      resources[this.roleId(name)] = {
        Type: "AWS::IAM::Role",
        Properties: {
          AssumeRolePolicyDocument: {
            Version: "2012-10-17",
            Statement: [
              {
                Effect: "Allow",
                Principal: { Service: ["lambda.amazonaws.com"] },
                Action: ["sts:AssumeRole"],
              },
            ],
          },
          Policies: [
            {
              PolicyName: `${name}-least-privilege`,
              PolicyDocument: { Version: "2012-10-17", Statement: statements },
            },
          ],
        },
      };
    }
  }
}

module.exports = FunctionRoles;
