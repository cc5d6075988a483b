import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { QueryCommand } from "@aws-sdk/client-timestream-query";
import { WriteRecordsCommand } from "@aws-sdk/client-timestream-write";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTimestreamQueryClient } from "../../../../lambdas/aws/timestream/query.js";
import { createTimestreamWriteClient } from "../../../../lambdas/aws/timestream/store.js";

/** A stand-in emulator that records which Timestream operations reach it. */
let server: Server;
let url: string;
const operations: string[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    operations.push(String(request.headers["x-amz-target"]));
    response.setHeader("content-type", "application/x-amz-json-1.0");
    // One body that answers both operations: each client reads only its own fields.
    response.end(JSON.stringify({ RecordsIngested: { Total: 0 }, QueryId: "query-1", Rows: [], ColumnInfo: [] }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const credentials = { accessKeyId: "test", secretAccessKey: "test" };

interface ClientCase {
  readonly serviceVariable: string;
  readonly operation: string;
  /** Builds the client and sends one call with it. */
  readonly call: (config: { endpoint?: string }, env: NodeJS.ProcessEnv) => Promise<unknown>;
  readonly isCustomEndpoint: (env: NodeJS.ProcessEnv) => boolean | undefined;
}

const clients: Record<string, ClientCase> = {
  createTimestreamWriteClient: {
    serviceVariable: "AWS_ENDPOINT_URL_TIMESTREAM_WRITE",
    operation: "Timestream_20181101.WriteRecords",
    call: (config, env) =>
      createTimestreamWriteClient({ region: "eu-west-1", credentials, ...config }, env).send(
        new WriteRecordsCommand({ DatabaseName: "kaikai", TableName: "measurements", Records: [] }),
      ),
    isCustomEndpoint: (env) =>
      createTimestreamWriteClient({ region: "eu-west-1", credentials }, env).config.isCustomEndpoint,
  },
  createTimestreamQueryClient: {
    serviceVariable: "AWS_ENDPOINT_URL_TIMESTREAM_QUERY",
    operation: "Timestream_20181101.Query",
    call: (config, env) =>
      createTimestreamQueryClient({ region: "eu-west-1", credentials, ...config }, env).send(
        new QueryCommand({ QueryString: "SELECT 1" }),
      ),
    isCustomEndpoint: (env) =>
      createTimestreamQueryClient({ region: "eu-west-1", credentials }, env).config.isCustomEndpoint,
  },
};

describe.each(Object.entries(clients))("%s", (_name, client) => {
  it.each(["AWS_ENDPOINT_URL", client.serviceVariable])(
    "calls straight to %s, without endpoint discovery",
    async (variable) => {
      operations.length = 0;
      await client.call({}, { [variable]: url });
      expect(operations).toEqual([client.operation]);
    },
  );

  it("calls straight to an endpoint given in the config", async () => {
    operations.length = 0;
    await client.call({ endpoint: url }, {});
    expect(operations).toEqual([client.operation]);
  });

  it("keeps endpoint discovery on against AWS itself", () => {
    expect(client.isCustomEndpoint({})).toBe(false);
  });
});
