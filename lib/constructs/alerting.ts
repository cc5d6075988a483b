import type { RemovalPolicy } from "aws-cdk-lib";
import { Key } from "aws-cdk-lib/aws-kms";
import { Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import { Construct } from "constructs";

export interface AlertingProps {
  readonly stage: string;
  /** Each address gets an email subscription (confirmed by its owner). */
  readonly alertEmails: readonly string[];
  readonly keyRemovalPolicy: RemovalPolicy;
}

/**
 * The `alerts` SNS topic: air-quality alerts (opened, reminder, resolved) with message attributes
 * severity, sensor_id, zone, metric and state, so that subscribers filter by policy.
 */
export class Alerting extends Construct {
  /**
   * The topic's own key. Its default policy lets this account's IAM policies grant it, which is
   * how publishers get kms:GenerateDataKey and kms:Decrypt (KaikaiFunction.bindTopic).
   */
  public readonly key: Key;
  public readonly alertsTopic: Topic;

  constructor(scope: Construct, id: string, props: AlertingProps) {
    super(scope, id);
    this.key = new Key(this, "Key", {
      enableKeyRotation: true,
      description: `Kaikai alerts topic (${props.stage})`,
      removalPolicy: props.keyRemovalPolicy,
    });
    this.alertsTopic = new Topic(this, "Alerts", {
      displayName: `Kaikai air-quality alerts (${props.stage})`,
      masterKey: this.key,
      enforceSSL: true,
    });
    for (const address of props.alertEmails) {
      this.alertsTopic.addSubscription(new EmailSubscription(address));
    }
  }
}
