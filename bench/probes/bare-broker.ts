/** The baseline of the pipeline benchmark: an aedes broker with nothing behind it. */
import { createServer } from "node:net";
import { Aedes } from "aedes";
import { onStdinClosed, report } from "./child-protocol.js";

const aedes = await Aedes.createBroker();
const server = createServer(aedes.handle);
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const address = server.address();
if (address === null || typeof address === "string") throw new Error("no port");
report({ url: `mqtt://127.0.0.1:${address.port}` });
onStdinClosed(async () => {
  server.close();
  await new Promise<void>((resolve) => aedes.close(() => resolve()));
  return {};
});
