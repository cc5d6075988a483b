/** The local pipeline as `npm start --no-simulate [--sensors N]` runs it, on the database file given as argument. */
import { startLocalPipeline } from "../../local/runtime/start.js";
import { onStdinClosed, report } from "./child-protocol.js";

const [dbPath, sensors] = process.argv.slice(2);
if (dbPath === undefined) throw new Error("usage: local-pipeline.ts DB_PATH [SENSORS]");
const quiet = { print: () => undefined, status: () => undefined, end: () => undefined };
const pipeline = await startLocalPipeline({
  dbPath,
  host: "127.0.0.1",
  port: 0,
  auth: {},
  simulate: false,
  ...(sensors === undefined ? {} : { sensors: Number(sensors) }),
  terminal: quiet,
});
report({ url: pipeline.brokerUrl });
onStdinClosed(async () => {
  await pipeline.stop();
  return {};
});
