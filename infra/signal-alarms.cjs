/**
 * The alarms of lib/observability/signals.json (a local osls plugin): one per
 * alert kind on the PaymentAlerts metric the logger emits as EMF (any one
 * pages), one per counter on the Signals metric at the counter's own rate
 * (spoof attempts, iamport outages). Derived from the same list as the code's
 * metrics, so a kind cannot have one without the other.
 */
"use strict";

const path = require("node:path");

const pascal = (kind) =>
  kind
    .split("_")
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("");

class SignalAlarms {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { "before:package:finalize": () => this.addAlarms() };
  }

  addAlarms() {
    const service = this.serverless.service;
    const stage = this.serverless.getProvider("aws").getStage();
    const signals = require(path.join(this.serverless.serviceDir, "lib/observability/signals.json"));
    const resources = service.provider.compiledCloudFormationTemplate.Resources;
    const topic = { Ref: "AlarmTopic" };
    const namespace = `${signals.namespacePrefix}/${stage}`;
    const alarm = (props) => ({
      Type: "AWS::CloudWatch::Alarm",
      Properties: {
        Namespace: namespace,
        Statistic: "Sum",
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
        // No data means nothing happened: an alert metric only exists while something is wrong.
        TreatMissingData: "notBreaching",
        AlarmActions: [topic],
        OKActions: [topic],
        ...props,
      },
    });
    for (const [kind, description] of Object.entries(signals.alerts)) {
      resources[`Alert${pascal(kind)}Alarm`] = alarm({
        AlarmDescription: `${kind}: ${description} (see the ALERT log lines)`,
        MetricName: signals.alertMetric,
        Dimensions: [{ Name: "alert", Value: kind }],
        Period: 300,
        EvaluationPeriods: 1,
        Threshold: 1,
      });
    }
    for (const [kind, counter] of Object.entries(signals.counters)) {
      resources[`Signal${pascal(kind)}Alarm`] = alarm({
        AlarmDescription: `${kind}: ${counter.description}`,
        MetricName: signals.counterMetric,
        Dimensions: [{ Name: "signal", Value: kind }],
        Period: counter.periodSeconds,
        EvaluationPeriods: counter.evaluationPeriods,
        DatapointsToAlarm: counter.evaluationPeriods,
        Threshold: counter.threshold,
      });
    }
  }
}

module.exports = SignalAlarms;
