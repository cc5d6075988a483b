/**
 * The local mode's web server: the dashboard page and its JSON, the live stream of readings and
 * alerts (Server-Sent Events), `/health` for the seed's playbook check and `/metrics` for
 * Prometheus. Plain node:http: a handful of GET routes and one stream need no framework.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { AlertRule } from "../../lambdas/core/alerts.js";
import type { Clock } from "../../lambdas/ports.js";
import type { StageConfig } from "../../lib/config/stages.js";
import { type HealthCheck, healthJson, healthReport } from "../health.js";
import { candidatePorts, listenOnFirstFree } from "../runtime/listen.js";
import type { PrometheusMetrics } from "../runtime/prometheus.js";
import type { Db } from "../sqlite/database.js";
import type { LiveEventName } from "./api.js";
import type { DashboardAssets } from "./build.js";
import type { LiveEvents } from "./live.js";
import { overview, sensorSeries } from "./views.js";

export interface DashboardServerDeps {
  readonly db: Db;
  readonly databasePath: string;
  readonly sensorIds: ReadonlySet<string>;
  readonly alertRules: readonly AlertRule[];
  readonly ops: StageConfig["ops"];
  readonly clock: Clock;
  readonly assets: DashboardAssets;
  readonly live: LiveEvents;
  readonly metrics: PrometheusMetrics;
  /** Checks only the running pipeline can make (the database can be written), beside the report's. */
  readonly extraChecks?: () => readonly HealthCheck[];
  readonly host: string;
  /** A fixed port (0: any free one); undefined: 8080, or the next free one after it. */
  readonly port?: number;
  /** Checks the HTTP basic credentials every request must carry (when listening beyond loopback). */
  readonly login?: BasicLogin;
}

export interface DashboardServer {
  readonly url: string;
  close(): Promise<void>;
}

/** The seed's monitoring plan checks http://localhost:8080/health. */
export const DEFAULT_HTTP_PORT = 8080;
/** A page that stops reading its stream is dropped once this much waits for it, instead of growing without bound. */
const MAX_STREAM_BACKLOG_BYTES = 1024 * 1024;
/** Comments on an idle stream, so that proxies and the browser keep it open. */
const STREAM_KEEPALIVE_MS = 15_000;

const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
} as const;

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { ...SECURITY_HEADERS, "content-type": type, "cache-control": "no-store" });
  res.end(body);
}

const sendJson = (res: ServerResponse, status: number, value: unknown) =>
  send(res, status, "application/json; charset=utf-8", JSON.stringify(value));

/** Whether a username and password may open the dashboard. */
export type BasicLogin = (username: string, password: string) => Promise<boolean>;

async function authorized(req: IncomingMessage, login: BasicLogin | undefined): Promise<boolean> {
  if (login === undefined) return true;
  const header = req.headers.authorization ?? "";
  if (!header.startsWith("Basic ")) return false;
  const decoded = Buffer.from(header.slice("Basic ".length), "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return false;
  return login(decoded.slice(0, colon), decoded.slice(colon + 1));
}

export async function startDashboardServer(deps: DashboardServerDeps): Promise<DashboardServer> {
  const health = () => {
    const report = healthReport(deps.db, {
      now: deps.clock.now(),
      windowMinutes: deps.ops.silentMinutes,
      ops: deps.ops,
      databasePath: deps.databasePath,
    });
    return { ...report, checks: [...report.checks, ...(deps.extraChecks?.() ?? [])] };
  };

  const streams = new Set<ServerResponse>();
  function stream(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
    });
    res.write("retry: 2000\n\n");
    const write = (event: LiveEventName, data: unknown) => {
      if (res.writableLength > MAX_STREAM_BACKLOG_BYTES) {
        res.destroy();
        return;
      }
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    const listeners = {
      reading: (data: unknown) => write("reading", data),
      alert: (data: unknown) => write("alert", data),
      rollup: (topic: string) => write("rollup", { topic }),
    };
    deps.live.on("reading", listeners.reading);
    deps.live.on("alert", listeners.alert);
    deps.live.on("rollup", listeners.rollup);
    const keepalive = setInterval(() => res.write(": keepalive\n\n"), STREAM_KEEPALIVE_MS);
    streams.add(res);
    const end = () => {
      clearInterval(keepalive);
      deps.live.off("reading", listeners.reading);
      deps.live.off("alert", listeners.alert);
      deps.live.off("rollup", listeners.rollup);
      streams.delete(res);
    };
    req.on("close", end);
    res.on("close", end);
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://dashboard");
    const path = url.pathname;
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("allow", "GET, HEAD");
      sendJson(res, 405, { error: `${req.method} is not allowed` });
      return;
    }
    if (path === "/health") {
      const report = health();
      const failing = report.checks.filter((check) => !check.ok);
      const body = healthJson(report);
      sendJson(res, failing.length === 0 ? 200 : 503, failing.length === 0 ? body : { ...body, failing });
      return;
    }
    if (path === "/metrics") {
      deps.metrics.observeHealth(health());
      send(res, 200, deps.metrics.registry.contentType, await deps.metrics.registry.metrics());
      return;
    }
    if (path === "/" || path === "/index.html") {
      send(res, 200, "text/html; charset=utf-8", deps.assets.html);
      return;
    }
    if (path === "/assets/app.js") {
      send(res, 200, "text/javascript; charset=utf-8", deps.assets.js);
      return;
    }
    if (path === "/assets/app.css") {
      send(res, 200, "text/css; charset=utf-8", deps.assets.css);
      return;
    }
    if (path === "/api/overview") {
      sendJson(res, 200, overview(deps.db, deps.clock.now(), deps.alertRules));
      return;
    }
    if (path === "/api/events") {
      stream(req, res);
      return;
    }
    const series = /^\/api\/sensors\/([^/]+)\/series$/.exec(path);
    if (series !== null) {
      const sensorId = decodeURIComponent(series[1] ?? "");
      if (!deps.sensorIds.has(sensorId)) {
        sendJson(res, 404, { error: `no sensor ${sensorId} in the registry` });
        return;
      }
      sendJson(res, 200, sensorSeries(deps.db, sensorId, deps.clock.now(), deps.alertRules));
      return;
    }
    sendJson(res, 404, { error: `nothing at ${path}` });
  }

  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const served = async () => {
      if (!(await authorized(req, deps.login))) {
        res.writeHead(401, { ...SECURITY_HEADERS, "www-authenticate": 'Basic realm="kaikai", charset="UTF-8"' });
        res.end();
        return;
      }
      await route(req, res);
    };
    served().catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: error instanceof Error ? error.message : String(error) });
      else res.destroy();
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  const port = await listenOnFirstFree(server, deps.host, candidatePorts(deps.port, DEFAULT_HTTP_PORT));
  const host = deps.host.includes(":") ? `[${deps.host}]` : deps.host;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of streams) res.end();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
