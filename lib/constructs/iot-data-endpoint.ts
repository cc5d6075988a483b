import { CfnResource, type RemovalPolicy, Stack } from "aws-cdk-lib";
import { PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { LogGroup, type RetentionDays } from "aws-cdk-lib/aws-logs";
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from "aws-cdk-lib/custom-resources";
import { Construct } from "constructs";
import { acknowledgeWildcard } from "../nag.js";

/** The endpoint type whose certificate is issued by Amazon Trust Services, as AWS recommends. */
const IOT_DATA_ATS_ENDPOINT_TYPE = "iot:Data-ATS";

export interface IotDataEndpointProps {
  /** Retention of the lookup function's log group. */
  readonly logRetention: RetentionDays;
  /** What happens to that log group when the stack is deleted. */
  readonly logRemovalPolicy: RemovalPolicy;
}

/**
 * The account's IoT data endpoint (`<prefix>-ats.iot.<region>.amazonaws.com`), looked up at deploy
 * time: it is per account and CloudFormation has no attribute for it, and the SDK's default
 * endpoint is the legacy VeriSign-signed one. The lookup's role starts empty, like the functions'.
 */
export class IotDataEndpoint extends Construct {
  /** `https://` URL of the endpoint, a deploy-time value. */
  public readonly url: string;
  public readonly lookup: AwsCustomResource;
  public readonly role: Role;
  public readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: IotDataEndpointProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, "Logs", {
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy,
    });
    this.role = new Role(this, "Role", {
      assumedBy: new ServicePrincipal("lambda.amazonaws.com"),
      description: "Looks up the account's IoT data endpoint (iot:Data-ATS) at deploy time",
    });
    this.logGroup.grantWrite(this.role);

    this.lookup = new AwsCustomResource(this, "Lookup", {
      onUpdate: {
        service: "@aws-sdk/client-iot",
        action: "DescribeEndpoint",
        parameters: { endpointType: IOT_DATA_ATS_ENDPOINT_TYPE },
        physicalResourceId: PhysicalResourceId.of(IOT_DATA_ATS_ENDPOINT_TYPE),
      },
      policy: AwsCustomResourcePolicy.fromStatements([
        new PolicyStatement({ actions: ["iot:DescribeEndpoint"], resources: ["*"] }),
      ]),
      role: this.role,
      logGroup: this.logGroup,
      // The runtime's SDK has DescribeEndpoint; the latest one would be fetched from npm on every deploy.
      installLatestAwsSdk: false,
    });
    acknowledgeWildcard(
      this.lookup,
      "Resource::*",
      "iot:DescribeEndpoint has no resource type (IAM accepts only `*`); it only reads the account's endpoint address.",
    );
    // The provider is CDK's singleton for the stack, named after its public UUID. Given our role, it
    // depends on it beside reading its ARN, which cfn-lint flags (W3005) as on the house functions.
    const provider = Stack.of(this).node.tryFindChild(
      `AWS${AwsCustomResource.PROVIDER_FUNCTION_UUID.replaceAll("-", "")}`,
    )?.node.defaultChild;
    if (CfnResource.isCfnResource(provider)) {
      provider.addMetadata("cfn-lint", { config: { ignore_checks: ["W3005"] } });
    }
    this.url = `https://${this.lookup.getResponseField("endpointAddress")}`;
  }
}
