import type { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import type { HourRange } from "../core/aggregates.js";
import type { ZoneRollupTrigger } from "../ports.js";
import { rangeEvent } from "../use-cases/rollup-range.js";

/**
 * The zone roll-up function invoked asynchronously with the range (`{ "from", "to" }`), as
 * `kaikai rollup --stage` invokes it; Lambda retries a failed asynchronous invocation twice.
 */
export function makeLambdaZoneRollupTrigger(deps: {
  readonly client: () => Promise<{ readonly lambda: LambdaClient; readonly Invoke: typeof InvokeCommand }>;
  readonly functionName: string;
}): ZoneRollupTrigger {
  return {
    async rollUp(range: HourRange) {
      const { lambda, Invoke } = await deps.client();
      await lambda.send(
        new Invoke({
          FunctionName: deps.functionName,
          InvocationType: "Event",
          Payload: new TextEncoder().encode(JSON.stringify(rangeEvent(range))),
        }),
      );
    },
  };
}
