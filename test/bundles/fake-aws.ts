/**
 * A tiny stand-in for the AWS APIs the bundled functions call, on 127.0.0.1: each bundle runs in
 * its own process with AWS_ENDPOINT_URL pointing here, so its real SDK clients make real HTTP
 * requests that the test can then read back.
 */
import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type FakeAwsService =
  | "timestream-write"
  | "timestream-query"
  | "dynamodb"
  | "s3"
  | "sns"
  | "iot-data"
  | "unknown";

export interface FakeAwsCall {
  readonly service: FakeAwsService;
  readonly operation: string;
  readonly method: string;
  /** Path and query, decoded. */
  readonly path: string;
  readonly body: string;
}

export interface FakeAws {
  /** http://127.0.0.1:port */
  readonly url: string;
  readonly calls: FakeAwsCall[];
  callsOf(service: FakeAwsService, operation?: string): FakeAwsCall[];
  close(): Promise<void>;
}

interface Reply {
  readonly status: number;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}): Reply => ({
  status,
  body: JSON.stringify(body),
  headers: { "content-type": "application/x-amz-json-1.0", ...headers },
});

function timestreamReply(operation: string, body: string, url: string): Reply {
  switch (operation) {
    case "WriteRecords": {
      const records = (JSON.parse(body) as { Records?: unknown[] }).Records?.length ?? 0;
      return json({ RecordsIngested: { Total: records, MemoryStore: records, MagneticStore: 0 } });
    }
    case "DescribeEndpoints":
      return json({ Endpoints: [{ Address: new URL(url).host, CachePeriodInMinutes: 1440 }] });
    case "Query":
      return json({ QueryId: "fake-query", Rows: [], ColumnInfo: [] });
    default:
      return json({ __type: "UnknownOperationException", message: operation }, 400);
  }
}

/** An empty table: every write succeeds, every Query finds nothing. */
function dynamoDbReply(operation: string): Reply {
  switch (operation) {
    case "TransactWriteItems":
      return json({});
    case "BatchWriteItem":
      return json({ UnprocessedItems: {} });
    case "Query":
      return json({ Items: [], Count: 0, ScannedCount: 0 });
    default:
      return json({ __type: "UnknownOperationException", message: operation }, 400);
  }
}

const SNS_XML_REPLY =
  '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>fake-message</MessageId></PublishResult><ResponseMetadata><RequestId>fake-request</RequestId></ResponseMetadata></PublishResponse>';

function classify(
  request: IncomingMessage,
  path: string,
  body: string,
): { call: Omit<FakeAwsCall, "body" | "path" | "method">; reply: (url: string) => Reply } {
  const target = request.headers["x-amz-target"];
  const method = request.method ?? "GET";
  if (typeof target === "string") {
    const [prefix = "", operation = ""] = target.split(".");
    if (prefix.startsWith("Timestream")) {
      const service = operation === "Query" ? "timestream-query" : "timestream-write";
      return { call: { service, operation }, reply: (url) => timestreamReply(operation, body, url) };
    }
    if (prefix.startsWith("DynamoDB")) {
      return { call: { service: "dynamodb", operation }, reply: () => dynamoDbReply(operation) };
    }
    if (prefix === "AmazonSimpleNotificationService" || prefix === "AmazonSNS") {
      return { call: { service: "sns", operation }, reply: () => json({ MessageId: "fake-message" }) };
    }
  }
  if (method === "POST" && new URLSearchParams(body).get("Action") === "Publish") {
    return {
      call: { service: "sns", operation: "Publish" },
      reply: () => ({ status: 200, body: SNS_XML_REPLY, headers: { "content-type": "text/xml" } }),
    };
  }
  if (path.startsWith("/topics/")) {
    return { call: { service: "iot-data", operation: "Publish" }, reply: () => json({}) };
  }
  if (path.startsWith("/things/") && path.includes("/shadow")) {
    if (method === "GET") {
      return {
        call: { service: "iot-data", operation: "GetThingShadow" },
        reply: () =>
          json({ message: "No shadow exists with that name" }, 404, {
            "x-amzn-errortype": "ResourceNotFoundException",
          }),
      };
    }
    return {
      call: { service: "iot-data", operation: "UpdateThingShadow" },
      reply: () => ({ status: 200, body, headers: { "content-type": "application/json" } }),
    };
  }
  if (method === "PUT") {
    return {
      call: { service: "s3", operation: "PutObject" },
      reply: () => ({ status: 200, body: "", headers: { etag: '"fake-etag"' } }),
    };
  }
  return {
    call: { service: "unknown", operation: `${method} ${path}` },
    reply: () => json({ message: "unknown" }, 400),
  };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function startFakeAws(): Promise<FakeAws> {
  const calls: FakeAwsCall[] = [];
  let url = "";
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    readBody(request).then(
      (body) => {
        const path = decodeURIComponent(request.url ?? "/");
        const { call, reply } = classify(request, path, body);
        calls.push({ ...call, method: request.method ?? "GET", path, body });
        const { status, body: replyBody, headers } = reply(url);
        response.writeHead(status, { "x-amzn-requestid": "fake-request", ...headers });
        response.end(replyBody);
      },
      () => {
        response.writeHead(500);
        response.end();
      },
    );
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    calls,
    callsOf: (service, operation) =>
      calls.filter((call) => call.service === service && (operation === undefined || call.operation === operation)),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
