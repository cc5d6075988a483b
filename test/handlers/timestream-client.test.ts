import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { WriteRecordsCommand } from "@aws-sdk/client-timestream-write";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTimestreamWriteClient } from "../../lambdas/aws/timestream-store.js";

/** A stand-in emulator that records which Timestream operations reach it. */
let server: Server;
let url: string;
const operations: string[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    operations.push(String(request.headers["x-amz-target"]));
    response.setHeader("content-type", "application/x-amz-json-1.0");
    response.end(JSON.stringify({ RecordsIngested: { Total: 0 } }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const write = new WriteRecordsCommand({ DatabaseName: "kaikai", TableName: "measurements", Records: [] });

describe("createTimestreamWriteClient", () => {
  it.each([
    ["AWS_ENDPOINT_URL", (endpoint: string) => ({ AWS_ENDPOINT_URL: endpoint })],
    ["AWS_ENDPOINT_URL_TIMESTREAM_WRITE", (endpoint: string) => ({ AWS_ENDPOINT_URL_TIMESTREAM_WRITE: endpoint })],
  ])("writes straight to %s, without endpoint discovery", async (_name, envOf) => {
    operations.length = 0;
    const client = createTimestreamWriteClient({ region: "eu-west-1", credentials }, envOf(url));
    await client.send(write);
    expect(operations).toEqual(["Timestream_20181101.WriteRecords"]);
  });

  it("writes straight to an endpoint given in the config", async () => {
    operations.length = 0;
    const client = createTimestreamWriteClient({ region: "eu-west-1", credentials, endpoint: url }, {});
    await client.send(write);
    expect(operations).toEqual(["Timestream_20181101.WriteRecords"]);
  });

  it("keeps endpoint discovery on against AWS itself", () => {
    const client = createTimestreamWriteClient({ region: "eu-west-1", credentials }, {});
    expect(client.config.isCustomEndpoint).toBe(false);
  });
});
