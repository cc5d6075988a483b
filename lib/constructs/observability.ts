import { ArnFormat, Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import {
  Alarm,
  type AlarmProps,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  type IWidget,
  LogQueryVisualizationType,
  LogQueryWidget,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
} from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import { type ITable, Operation } from "aws-cdk-lib/aws-dynamodb";
import { PolicyStatement, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { type IKey, Key } from "aws-cdk-lib/aws-kms";
import type { Function as LambdaFunction } from "aws-cdk-lib/aws-lambda";
import { Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { PIPELINE_ALARMS } from "../../lambdas/bindings/alarms.js";
import {
  baseDimensions,
  METRIC,
  METRICS_NAMESPACE,
  type MetricName,
  REASON_DIMENSION,
  ZONE_DIMENSION,
} from "../../lambdas/bindings/metrics.js";
import { REDRIVABLE_QUEUES } from "../../lambdas/bindings/resources.js";
import { REASON_CODES } from "../../lambdas/core/reading.js";
import { ZONES } from "../../lambdas/core/sensor.js";
import { SENSORS } from "../config/sensors.js";
import type { StageConfig, StageName } from "../config/stages.js";
import { MAX_MEMORY_QUERY_LINES, OBSERVABILITY_DEFAULTS } from "./observability-defaults.js";

export interface ObservabilityProps {
  readonly stage: StageName;
  /** The stage's settings: `opsEmails`, the `ops` alarm thresholds, `retainData`. */
  readonly config: StageConfig;
  /** Every function of the stack by a short label (`ingest`, `hourlyRollup`, ...); each gets an errors alarm. */
  readonly functions: Readonly<Record<string, LambdaFunction>>;
  /** Queues shown with their depth and oldest message age, by label. */
  readonly queues: Readonly<Record<string, IQueue>>;
  /** Dead-letter queues by label; each alarms as soon as one message sits in it. */
  readonly deadLetterQueues: Readonly<Record<string, IQueue>>;
  /** Name of the IoT topic rule that routes telemetry (the `CfnTopicRule`'s ref). */
  readonly topicRuleName: string;
  /**
   * The DynamoDB tables of a stage that keeps its data there, by label: each gets graphs of its
   * consumed capacity, throttled requests and system errors, and alarms on the last two.
   * @default none (a Timestream stage: its writes show in the store graph)
   */
  readonly dynamoDbTables?: Readonly<Record<string, ITable>>;
  /**
   * Sensors the fleet should have: the line drawn on the active-sensors graph.
   * @default SENSORS.length (the registry in lib/config/sensors.ts)
   */
  readonly registrySize?: number;
  /**
   * Key that encrypts the ops topic; CloudWatch is allowed to use it so alarms can publish.
   * @default a new customer-managed key with rotation
   */
  readonly opsTopicKey?: IKey;
  /**
   * Period of the dashboard graphs and of the errors, DLQ and IoT alarms.
   * @default OBSERVABILITY_DEFAULTS.period (5 minutes)
   */
  readonly period?: Duration;
  /**
   * Window the reject share is computed over.
   * @default OBSERVABILITY_DEFAULTS.rejectSharePeriod (15 minutes)
   */
  readonly rejectSharePeriod?: Duration;
  /**
   * Hours in a row without a successful roll-up run before the roll-up alarms fire.
   * @default OBSERVABILITY_DEFAULTS.rollupMissedHours (2)
   */
  readonly rollupMissedHours?: number;
}

/**
 * The seed's monitoring plan made visible: an `ops` SNS topic (apart from the air-quality alerts),
 * one CloudWatch dashboard for the stage and the alarms that page the team through that topic.
 * Every Kaikai metric name comes from lambdas/bindings/metrics.ts, the module the functions emit with.
 */
export class Observability extends Construct {
  public readonly opsTopic: Topic;
  public readonly dashboard: Dashboard;
  /** Every alarm by a stable id (`errors-ingest`, `dlq-ingest`, `reject-share`, ...). */
  public readonly alarms: Readonly<Record<string, Alarm>>;

  private readonly props: ObservabilityProps;
  private readonly period: Duration;
  private readonly alarmAction: SnsAction;
  private readonly alarmsById: Record<string, Alarm> = {};

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    this.props = props;
    this.period = props.period ?? OBSERVABILITY_DEFAULTS.period;
    this.opsTopic = this.createOpsTopic();
    this.alarmAction = new SnsAction(this.opsTopic);
    this.alarms = this.alarmsById;

    this.createFunctionAlarms();
    this.createQueueAlarms();
    this.createIotAlarm();
    this.createPipelineAlarms();
    this.createDynamoDbAlarms();
    this.dashboard = this.createDashboard();
  }

  private createOpsTopic(): Topic {
    const { stage, config } = this.props;
    const key =
      this.props.opsTopicKey ??
      new Key(this, "OpsTopicKey", {
        description: `Kaikai ${stage} ops topic`,
        enableKeyRotation: true,
        removalPolicy: config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      });
    const topic = new Topic(this, "OpsTopic", {
      displayName: `Kaikai ${stage} ops`,
      masterKey: key,
      enforceSSL: true,
    });
    // Only this stage's alarms may publish, through the topic and its key; without the key grant
    // CloudWatch cannot publish to an encrypted topic and the alarms fail silently.
    const fromOwnAlarms = {
      StringEquals: { "aws:SourceAccount": Stack.of(this).account },
      ArnLike: { "aws:SourceArn": this.alarmArnPattern() },
    };
    const cloudWatch = new ServicePrincipal("cloudwatch.amazonaws.com");
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [cloudWatch],
        actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
        resources: ["*"],
        conditions: fromOwnAlarms,
      }),
    );
    topic.addToResourcePolicy(
      new PolicyStatement({
        principals: [cloudWatch],
        actions: ["sns:Publish"],
        resources: [topic.topicArn],
        conditions: fromOwnAlarms,
      }),
    );
    for (const email of config.opsEmails) {
      topic.addSubscription(new EmailSubscription(email));
    }
    return topic;
  }

  private kaikaiMetric(
    metricName: MetricName,
    statistic: string,
    options: { extraDimensions?: Record<string, string>; label?: string; period?: Duration } = {},
  ): Metric {
    return new Metric({
      namespace: METRICS_NAMESPACE,
      metricName,
      dimensionsMap: { ...baseDimensions(this.props.stage), ...options.extraDimensions },
      statistic,
      period: options.period ?? this.period,
      label: options.label,
    });
  }

  /** An alarm named `kaikai-<stage>-<alarmId>` that notifies the ops topic when it fires and when it clears. */
  private addAlarm(constructId: string, alarmId: string, props: Omit<AlarmProps, "alarmName">): void {
    const alarm = new Alarm(this, constructId, { ...props, alarmName: this.alarmName(alarmId) });
    alarm.addAlarmAction(this.alarmAction);
    alarm.addOkAction(this.alarmAction);
    this.alarmsById[alarmId] = alarm;
  }

  private alarmName(alarmId: string): string {
    return `${this.alarmNamePrefix()}${alarmId}`;
  }

  private alarmNamePrefix(): string {
    return `kaikai-${this.props.stage}-`;
  }

  private alarmArnPattern(): string {
    return Stack.of(this).formatArn({
      service: "cloudwatch",
      resource: "alarm",
      resourceName: `${this.alarmNamePrefix()}*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }

  private createFunctionAlarms(): void {
    for (const [label, fn] of Object.entries(this.props.functions)) {
      this.addAlarm(`ErrorsAlarm-${label}`, `errors-${label}`, {
        alarmDescription: `The ${label} function threw at least once.`,
        metric: fn.metricErrors({ period: this.period, statistic: "Sum" }),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    }
  }

  private createQueueAlarms(): void {
    for (const [label, dlq] of Object.entries(this.props.deadLetterQueues)) {
      this.addAlarm(`DlqAlarm-${label}`, `dlq-${label}`, {
        alarmDescription: `Messages are waiting in the ${label} dead-letter queue: ${remedyOf(label, this.props.stage)}`,
        metric: dlq.metricApproximateNumberOfMessagesVisible({ period: this.period, statistic: "Maximum" }),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    }
  }

  /**
   * A Metrics Insights query sums the failures of every action of the rule, whatever its
   * ActionType dimension says, so adding an action to the rule needs no change here.
   */
  private iotRuleMetric(metricName: "Failure" | "ErrorActionFailure"): MathExpression {
    return new MathExpression({
      expression: `SELECT SUM(${metricName}) FROM "AWS/IoT" WHERE RuleName = '${this.props.topicRuleName}'`,
      usingMetrics: {},
      period: this.period,
      label: `IoT rule ${metricName}`,
    });
  }

  private createIotAlarm(): void {
    this.addAlarm("IotRuleFailureAlarm", "iot-rule-action-failures", {
      alarmDescription: "The IoT topic rule could not hand readings to its action (see its error action).",
      metric: this.iotRuleMetric("Failure"),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }

  private rejectShare(period: Duration): MathExpression {
    return new MathExpression({
      expression: "100 * FILL(quarantined, 0) / received",
      usingMetrics: {
        quarantined: this.kaikaiMetric(METRIC.readingsQuarantined, "Sum", { period }),
        received: this.kaikaiMetric(METRIC.readingsReceived, "Sum", { period }),
      },
      period,
      label: "Reject share (%)",
    });
  }

  private createPipelineAlarms(): void {
    const { ops } = this.props.config;
    const rejectSharePeriod = this.props.rejectSharePeriod ?? OBSERVABILITY_DEFAULTS.rejectSharePeriod;
    this.addAlarm("RejectShareAlarm", PIPELINE_ALARMS.rejectShare, {
      alarmDescription: `More than ${ops.rejectSharePercent}% of readings were quarantined (see the reject mix).`,
      metric: this.rejectShare(rejectSharePeriod),
      threshold: ops.rejectSharePercent,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      // No readings at all is the silent-pipeline alarm's case, not this one's.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    this.addAlarm("SilentPipelineAlarm", PIPELINE_ALARMS.noReadingStored, {
      alarmDescription: `No reading was stored for ${ops.silentMinutes} minutes.`,
      metric: this.kaikaiMetric(METRIC.readingsStored, "Sum", { period: Duration.minutes(ops.silentMinutes) }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.BREACHING,
    });

    const rollupPeriod = OBSERVABILITY_DEFAULTS.rollupPeriod;
    if (ops.minActiveSensors > 0) {
      this.addAlarm("ActiveSensorsAlarm", PIPELINE_ALARMS.activeSensorsLow, {
        alarmDescription: `Fewer than ${ops.minActiveSensors} sensors reported in the last hour rolled up.`,
        metric: this.kaikaiMetric(METRIC.activeSensors, "Maximum", { period: rollupPeriod }),
        threshold: ops.minActiveSensors,
        comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 1,
        // A roll-up that did not run is the roll-up alarms' case.
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    }

    const missedHours = this.props.rollupMissedHours ?? OBSERVABILITY_DEFAULTS.rollupMissedHours;
    const rollups = [
      {
        alarmId: PIPELINE_ALARMS.hourlyRollupMissed,
        constructId: "HourlyRollupAlarm",
        metricName: METRIC.hourlyRollupRuns,
      },
      { alarmId: PIPELINE_ALARMS.zoneRollupMissed, constructId: "ZoneRollupAlarm", metricName: METRIC.zoneRollupRuns },
    ] as const;
    for (const { alarmId, constructId, metricName } of rollups) {
      this.addAlarm(constructId, alarmId, {
        alarmDescription: `No successful ${metricName} for ${missedHours} hours: the roll-up failed or did not run.`,
        metric: this.kaikaiMetric(metricName, "Sum", { period: rollupPeriod }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: missedHours,
        datapointsToAlarm: missedHours,
        treatMissingData: TreatMissingData.BREACHING,
      });
    }
  }

  private createDashboard(): Dashboard {
    const { stage } = this.props;
    const dashboard = new Dashboard(this, "Dashboard", { dashboardName: `kaikai-${stage}` });
    const rows: IWidget[][] = [
      [this.headerWidget(), new AlarmStatusWidget({ title: "Alarms", alarms: Object.values(this.alarms), width: 16 })],
      [this.flowWidget(), this.rejectMixWidget(), this.rejectShareWidget()],
      [this.latencyWidget(), this.storeWidget(), this.activeSensorsWidget()],
      [this.completenessWidget(), this.alertsWidget(), this.rollupRunsWidget()],
      this.functionWidgets(),
      [this.memoryWidget()],
      this.queueWidgets(),
      this.dynamoDbWidgets(),
    ];
    for (const row of rows) {
      dashboard.addWidgets(...row);
    }
    return dashboard;
  }

  private headerWidget(): TextWidget {
    const { stage, config } = this.props;
    const registrySize = this.props.registrySize ?? SENSORS.length;
    return new TextWidget({
      width: 8,
      height: 6,
      markdown: [
        `# Kaikai ${stage}`,
        `Registry: **${registrySize}** sensors. Alarms page the ops topic.`,
        `- reject share above **${config.ops.rejectSharePercent}%**`,
        `- nothing stored for **${config.ops.silentMinutes} min**`,
        `- fewer than **${config.ops.minActiveSensors}** active sensors`,
      ].join("\n"),
    });
  }

  private flowWidget(): GraphWidget {
    return new GraphWidget({
      title: "Readings: received / stored / quarantined",
      width: 8,
      left: [
        this.kaikaiMetric(METRIC.readingsReceived, "Sum", { label: "received" }),
        this.kaikaiMetric(METRIC.readingsStored, "Sum", { label: "stored" }),
        this.kaikaiMetric(METRIC.readingsQuarantined, "Sum", { label: "quarantined" }),
      ],
    });
  }

  private rejectMixWidget(): GraphWidget {
    return new GraphWidget({
      title: "Reject mix by reason",
      width: 8,
      stacked: true,
      left: REASON_CODES.map((reason) =>
        this.kaikaiMetric(METRIC.readingsQuarantined, "Sum", {
          extraDimensions: { [REASON_DIMENSION]: reason },
          label: reason,
        }),
      ),
    });
  }

  private rejectShareWidget(): GraphWidget {
    return new GraphWidget({
      title: "Reject share (%)",
      width: 8,
      left: [this.rejectShare(this.period)],
      leftAnnotations: [{ value: this.props.config.ops.rejectSharePercent, label: "alarm threshold" }],
      leftYAxis: { min: 0, max: 100 },
    });
  }

  private latencyWidget(): GraphWidget {
    const percentiles = ["p50", "p90", "p99"] as const;
    return new GraphWidget({
      title: "Latency (ms): reading to receipt (left), receipt to stored (right)",
      width: 8,
      left: percentiles.map((p) => this.kaikaiMetric(METRIC.ingestLatency, p, { label: `ingest ${p}` })),
      right: [
        ...percentiles.map((p) => this.kaikaiMetric(METRIC.processingLatency, p, { label: `processing ${p}` })),
        this.kaikaiMetric(METRIC.batchDuration, "p99", { label: "batch duration p99" }),
      ],
    });
  }

  private storeWidget(): GraphWidget {
    return new GraphWidget({
      title: "Store: write calls and readings it refused",
      width: 8,
      left: [
        this.kaikaiMetric(METRIC.writeRecordsCalls, "Sum", {
          label: "write calls (WriteRecords or TransactWriteItems)",
        }),
        this.kaikaiMetric(METRIC.recordsRejectedByStore, "Sum", { label: "readings refused by the store" }),
      ],
    });
  }

  private dynamoDbOperations(): Operation[] {
    return [Operation.TRANSACT_WRITE_ITEMS, Operation.QUERY, Operation.BATCH_WRITE_ITEM];
  }

  /**
   * Throttling that lasts (the SDK and the store adapters retry a brief one, and the ingest
   * redelivers what is still held back) and any system error of the store.
   */
  private createDynamoDbAlarms(): void {
    for (const [label, table] of Object.entries(this.props.dynamoDbTables ?? {})) {
      const operations = this.dynamoDbOperations();
      this.addAlarm(`DynamoDbThrottlesAlarm-${label}`, `dynamodb-throttles-${label}`, {
        alarmDescription: `Requests to the ${label} table were throttled for ${OBSERVABILITY_DEFAULTS.dynamoDbThrottlePeriods} periods in a row.`,
        metric: table.metricThrottledRequestsForOperations({ operations, period: this.period }),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: OBSERVABILITY_DEFAULTS.dynamoDbThrottlePeriods,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      this.addAlarm(`DynamoDbErrorsAlarm-${label}`, `dynamodb-errors-${label}`, {
        alarmDescription: `DynamoDB answered requests to the ${label} table with system errors (HTTP 500).`,
        metric: table.metricSystemErrorsForOperations({ operations, period: this.period }),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    }
  }

  /** A row a table: capacity consumed, throttled requests, system errors (each a graph: their metric ids would clash). */
  private dynamoDbWidgets(): GraphWidget[] {
    const operations = this.dynamoDbOperations();
    return Object.entries(this.props.dynamoDbTables ?? {}).flatMap(([label, table]) => [
      new GraphWidget({
        title: `DynamoDB ${label}: capacity units consumed`,
        width: 8,
        left: [
          table.metricConsumedWriteCapacityUnits({ period: this.period, label: "write units" }),
          table.metricConsumedReadCapacityUnits({ period: this.period, label: "read units" }),
        ],
      }),
      new GraphWidget({
        title: `DynamoDB ${label}: throttled requests`,
        width: 8,
        left: [table.metricThrottledRequestsForOperations({ operations, period: this.period })],
      }),
      new GraphWidget({
        title: `DynamoDB ${label}: system errors`,
        width: 8,
        left: [table.metricSystemErrorsForOperations({ operations, period: this.period })],
      }),
    ]);
  }

  private activeSensorsWidget(): GraphWidget {
    const registrySize = this.props.registrySize ?? SENSORS.length;
    return new GraphWidget({
      title: "Active sensors per hour vs the registry",
      width: 8,
      left: [
        this.kaikaiMetric(METRIC.activeSensors, "Maximum", {
          label: "active sensors",
          period: OBSERVABILITY_DEFAULTS.rollupPeriod,
        }),
      ],
      leftAnnotations: [
        { value: registrySize, label: "registry" },
        { value: this.props.config.ops.minActiveSensors, label: "alarm below" },
      ],
      leftYAxis: { min: 0 },
    });
  }

  private completenessWidget(): GraphWidget {
    return new GraphWidget({
      title: "Completeness per zone (%, newest hour rolled up)",
      width: 8,
      left: ZONES.map((zone) =>
        this.kaikaiMetric(METRIC.zoneCompleteness, "Minimum", {
          extraDimensions: { [ZONE_DIMENSION]: zone },
          label: zone,
          period: OBSERVABILITY_DEFAULTS.rollupPeriod,
        }),
      ),
      leftYAxis: { min: 0 },
    });
  }

  /**
   * Open alerts live in the sensors' shadows, not in a metric: the graph shows alerts opened
   * and resolved, and their running difference over the range on screen.
   */
  private alertsWidget(): GraphWidget {
    const opened = this.kaikaiMetric(METRIC.alertsOpened, "Sum", { label: "opened" });
    const resolved = this.kaikaiMetric(METRIC.alertsResolved, "Sum", { label: "resolved" });
    return new GraphWidget({
      title: "Air-quality alerts",
      width: 8,
      left: [opened, resolved, this.kaikaiMetric(METRIC.alertPublishFailures, "Sum", { label: "publish failures" })],
      right: [
        new MathExpression({
          expression: "RUNNING_SUM(FILL(opened, 0) - FILL(resolved, 0))",
          usingMetrics: { opened, resolved },
          period: this.period,
          label: "opened minus resolved (range shown)",
        }),
      ],
    });
  }

  private rollupRunsWidget(): GraphWidget {
    const period = OBSERVABILITY_DEFAULTS.rollupPeriod;
    return new GraphWidget({
      title: "Roll-up runs per hour",
      width: 8,
      left: [
        this.kaikaiMetric(METRIC.hourlyRollupRuns, "Sum", { label: "hourly roll-up", period }),
        this.kaikaiMetric(METRIC.zoneRollupRuns, "Sum", { label: "zone roll-up", period }),
      ],
    });
  }

  private functionWidgets(): IWidget[] {
    const functions = Object.entries(this.props.functions);
    const perFunction = (metric: (label: string, fn: LambdaFunction) => IMetric): IMetric[] =>
      functions.map(([label, fn]) => metric(label, fn));
    return [
      new GraphWidget({
        title: "Lambda errors",
        width: 6,
        left: perFunction((label, fn) => fn.metricErrors({ period: this.period, statistic: "Sum", label })),
      }),
      new GraphWidget({
        title: "Lambda throttles",
        width: 6,
        left: perFunction((label, fn) => fn.metricThrottles({ period: this.period, statistic: "Sum", label })),
      }),
      new GraphWidget({
        title: "Lambda duration p99 (ms)",
        width: 6,
        left: perFunction((label, fn) =>
          fn.metricDuration({ period: this.period, statistic: "p99", label: `${label} p99` }),
        ),
      }),
      new GraphWidget({
        title: "IoT rule failures",
        width: 6,
        left: [this.iotRuleMetric("Failure"), this.iotRuleMetric("ErrorActionFailure")],
      }),
    ];
  }

  private memoryWidget(): LogQueryWidget {
    return new LogQueryWidget({
      title: "Lambda memory used (MB, from the REPORT lines)",
      width: 24,
      height: 5,
      logGroupNames: Object.values(this.props.functions).map((fn) => fn.logGroup.logGroupName),
      queryLines: [...MAX_MEMORY_QUERY_LINES],
      view: LogQueryVisualizationType.TABLE,
    });
  }

  private queueWidgets(): IWidget[] {
    const allQueues = { ...this.props.queues, ...prefixKeys("DLQ ", this.props.deadLetterQueues) };
    const entries = Object.entries(allQueues);
    return [
      new GraphWidget({
        title: "SQS messages waiting",
        width: 12,
        left: entries.map(([label, queue]) =>
          queue.metricApproximateNumberOfMessagesVisible({ period: this.period, statistic: "Maximum", label }),
        ),
      }),
      new GraphWidget({
        title: "SQS age of oldest message (s)",
        width: 12,
        left: entries.map(([label, queue]) =>
          queue.metricApproximateAgeOfOldestMessage({ period: this.period, statistic: "Maximum", label }),
        ),
      }),
    ];
  }
}

/** What to run about the messages of a dead-letter queue, for the alarm's text. */
function remedyOf(label: string, stage: string): string {
  if (label in REDRIVABLE_QUEUES) {
    return `see why in the function's logs, fix it, then send them back with \`npx kaikai dlq redrive --stage ${stage} --queue ${label}\`.`;
  }
  return `each is a roll-up run that failed; see why in the function's logs, fix it, then run those hours again with \`npx kaikai rollup --stage ${stage} --since <hour>\`.`;
}

function prefixKeys<T>(prefix: string, record: Readonly<Record<string, T>>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [`${prefix}${key}`, value]));
}
