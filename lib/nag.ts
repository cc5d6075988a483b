import { CfnElement, type CfnResource, Stack, Validations } from "aws-cdk-lib";
import type { IConstruct } from "constructs";

/**
 * Acknowledges one cdk-nag AwsSolutions-IAM5 finding (one wildcard resource) on one construct,
 * never the rule as a whole: any other wildcard there is still reported.
 */
export function acknowledgeWildcard(scope: IConstruct, finding: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
}

/** The finding cdk-nag reports for a resource ARN under `resource`'s ARN, e.g. `<Bucket.Arn>/prefix/*`. */
export function arnWildcardFinding(resource: IConstruct, suffix: string): string {
  const cfnResource = resource.node.defaultChild;
  if (!CfnElement.isCfnElement(cfnResource)) {
    throw new Error(`${resource.node.path} has no CloudFormation resource to name in a cdk-nag finding`);
  }
  return `Resource::<${Stack.of(resource).getLogicalId(cfnResource)}.Arn>${suffix}`;
}

/** A CloudFormation value as cdk-nag writes it in a finding: Refs as `<Name>`, GetAtts as `<Name.Attr>`. */
function flatten(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "object" && value !== null) {
    if ("Fn::Join" in value && Array.isArray(value["Fn::Join"])) {
      const [delimiter, parts] = value["Fn::Join"] as [string, unknown[]];
      return parts.map(flatten).join(delimiter);
    }
    if ("Ref" in value) return `<${String(value.Ref)}>`;
    if ("Fn::GetAtt" in value && Array.isArray(value["Fn::GetAtt"])) return `<${value["Fn::GetAtt"].join(".")}>`;
  }
  return JSON.stringify(value);
}

/** The finding cdk-nag reports for a resource ARN with a wildcard, e.g. `arn:<AWS::Partition>:iot:...:topic/kaikai/alerts/*`. */
export function wildcardArnFinding(scope: IConstruct, arn: string): string {
  return `Resource::${flatten(Stack.of(scope).resolve(arn))}`;
}

const TIMESTREAM_MAINTENANCE_CHECK = "W3697";

/**
 * Timestream for LiveAnalytics is closed to new accounts but kept for existing ones
 * (ARCHITECTURE.md): acknowledged on this resource only, for CDK's validation and for cfn-lint.
 */
export function acknowledgeTimestreamMaintenance(resource: CfnResource): void {
  Validations.of(resource).acknowledge({
    id: `CloudFormation-Validate::${TIMESTREAM_MAINTENANCE_CHECK}`,
    reason:
      "Timestream for LiveAnalytics is in maintenance mode (closed to new accounts since 2025-06-20); the target accounts already use it and the store sits behind a port for another backend.",
  });
  resource.addMetadata("cfn-lint", { config: { ignore_checks: [TIMESTREAM_MAINTENANCE_CHECK] } });
}
