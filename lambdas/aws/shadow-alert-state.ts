import {
  GetThingShadowCommand,
  type IoTDataPlaneClient,
  UpdateThingShadowCommand,
} from "@aws-sdk/client-iot-data-plane";
import { ALERT_SHADOW_NAME } from "../bindings/resources.js";
import type { RuleState, SensorAlertStates } from "../core/alerts.js";
import * as z from "../core/zod.js";
import { type AlertStateStore, VersionConflictError, type VersionedAlertStates } from "../ports.js";

/** By name rather than instanceof: an emulator's error or a second SDK copy has the same name. */
function isError(error: unknown, name: string): boolean {
  return error instanceof Error && error.name === name;
}

/**
 * A shadow update merges into the stored document and a null deletes the field, so a resolved
 * rule comes back without `openedAt`: missing means null.
 */
const ruleStateSchema = z.object({
  openedAt: z.pipe(
    z.nullish(z.number()),
    z.transform((value) => value ?? null),
  ),
  lastNotifiedAt: z.number(),
});

const shadowSchema = z.object({
  state: z.object({ reported: z.optional(z.object({ alerts: z.optional(z.record(z.string(), ruleStateSchema)) })) }),
  version: z.int(),
});

/**
 * Alert state in the sensor's named shadow `alert-state` (thing name = sensor id), under
 * `state.reported.alerts`. The shadow's own version does the optimistic locking.
 */
export function makeShadowAlertStateStore(deps: {
  readonly client: IoTDataPlaneClient;
  readonly shadowName?: string;
}): AlertStateStore {
  const shadowName = deps.shadowName ?? ALERT_SHADOW_NAME;
  return {
    async load(sensorId: string): Promise<VersionedAlertStates> {
      try {
        const response = await deps.client.send(new GetThingShadowCommand({ thingName: sensorId, shadowName }));
        const document = shadowSchema.parse(JSON.parse(new TextDecoder().decode(response.payload)), z.inEnglish);
        const states: Record<string, RuleState> = { ...(document.state.reported?.alerts ?? {}) };
        return { states, version: document.version };
      } catch (error) {
        if (isError(error, "ResourceNotFoundException")) return { states: {}, version: null };
        throw error;
      }
    },

    async save(sensorId: string, states: SensorAlertStates, expectedVersion: number | null): Promise<void> {
      const document = {
        state: { reported: { alerts: states } },
        ...(expectedVersion === null ? {} : { version: expectedVersion }),
      };
      try {
        await deps.client.send(
          new UpdateThingShadowCommand({
            thingName: sensorId,
            shadowName,
            payload: new TextEncoder().encode(JSON.stringify(document)),
          }),
        );
      } catch (error) {
        if (isError(error, "ConflictException")) throw new VersionConflictError(sensorId);
        throw error;
      }
    },
  };
}
