/**
 * A stand-in for the AWS endpoints the ingest function calls on a clean batch, on loopback, so
 * that a built bundle runs its real SDK clients offline: Timestream WriteRecords succeeds, a
 * device shadow does not exist yet, anything else is answered with an empty success.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeAws {
  readonly url: string;
  /** Requests by operation (X-Amz-Target, or method and path). */
  readonly calls: Map<string, number>;
  /** Records received by WriteRecords. */
  records(): number;
  close(): Promise<void>;
}

export async function startFakeAws(): Promise<FakeAws> {
  const calls = new Map<string, number>();
  let records = 0;
  const answer = (request: IncomingMessage, body: string, response: ServerResponse): void => {
    const target = request.headers["x-amz-target"];
    const operation =
      typeof target === "string" ? target : `${request.method} ${(request.url ?? "").replace(/\?.*/, "")}`;
    calls.set(operation, (calls.get(operation) ?? 0) + 1);
    if (operation.endsWith(".WriteRecords")) {
      const count = (JSON.parse(body) as { Records?: unknown[] }).Records?.length ?? 0;
      records += count;
      response.writeHead(200, { "content-type": "application/x-amz-json-1.0" });
      response.end(JSON.stringify({ RecordsIngested: { Total: count, MemoryStore: count, MagneticStore: 0 } }));
    } else if (request.method === "GET" && /\/shadow$/.test(request.url?.replace(/\?.*/, "") ?? "")) {
      response.writeHead(404, { "content-type": "application/json", "x-amzn-errortype": "ResourceNotFoundException" });
      response.end(JSON.stringify({ message: "No shadow exists with name: 'alert-state'" }));
    } else {
      response.writeHead(200, { "content-type": "application/json" });
      response.end("{}");
    }
  };
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on("end", () => answer(request, body, response));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    records: () => records,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
