import { DynamoDBClient, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { withEndpointFromEnv } from "../client-endpoint.js";

/** The DynamoDB client, straight to an emulator when one is configured (client-endpoint.ts). */
export function createDynamoDbClient(
  config: DynamoDBClientConfig = {},
  env: NodeJS.ProcessEnv = process.env,
): DynamoDBClient {
  return new DynamoDBClient(withEndpointFromEnv(config, "AWS_ENDPOINT_URL_DYNAMODB", env));
}
