import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { PublishCommand } from "@aws-sdk/client-iot-data-plane";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createIotDataClient } from "../../../lambdas/aws/iot-data.js";

/** Two stand-ins: the account's ATS endpoint and an emulator; each records the paths it is sent. */
const received = { ats: [] as string[], emulator: [] as string[] };
const servers: Server[] = [];
const urls = { ats: "", emulator: "" };

async function listen(name: keyof typeof received): Promise<void> {
  const server = createServer((request, response) => {
    received[name].push(String(request.url));
    response.setHeader("content-type", "application/json");
    response.end("{}");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push(server);
  urls[name] = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  await listen("ats");
  await listen("emulator");
});

afterAll(() => Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve())))));

beforeEach(() => {
  received.ats.length = 0;
  received.emulator.length = 0;
});

const config = { region: "eu-west-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } };
const publish = new PublishCommand({ topic: "kaikai/alerts/SENS001", qos: 1, payload: new TextEncoder().encode("{}") });

describe("createIotDataClient", () => {
  it("publishes through the account's ATS endpoint when it is given", async () => {
    await createIotDataClient(urls.ats, config, {}).send(publish);
    expect(received.ats).toEqual(["/topics/kaikai%2Falerts%2FSENS001?qos=1"]);
    expect(received.emulator).toEqual([]);
  });

  it.each([
    ["AWS_ENDPOINT_URL", () => ({ AWS_ENDPOINT_URL: urls.emulator })],
    ["AWS_ENDPOINT_URL_IOT_DATA_PLANE", () => ({ AWS_ENDPOINT_URL_IOT_DATA_PLANE: urls.emulator })],
  ])("lets an emulator's %s win over the ATS endpoint", async (_name, envOf) => {
    await createIotDataClient(urls.ats, config, envOf()).send(publish);
    expect(received.emulator).toHaveLength(1);
    expect(received.ats).toEqual([]);
  });

  it("lets an endpoint given in the config win over both", async () => {
    const client = createIotDataClient(
      urls.ats,
      { ...config, endpoint: urls.emulator },
      { AWS_ENDPOINT_URL: urls.ats },
    );
    await client.send(publish);
    expect(received.emulator).toHaveLength(1);
    expect(received.ats).toEqual([]);
  });

  it("keeps the SDK's own endpoint resolution when nothing is given", () => {
    expect(createIotDataClient(undefined, config, {}).config.isCustomEndpoint).toBe(false);
  });
});
