// Loads a built Lambda bundle in this fresh process, as the Lambda runtime does at init, and
// reports the time from process start (performance's time origin) to a ready handler.
import { pathToFileURL } from "node:url";

const importStart = performance.now();
const bundle = await import(pathToFileURL(process.argv[2]).href);
if (typeof bundle.handler !== "function") throw new Error(`${process.argv[2]} exports no handler`);
const readyAt = performance.now();
process.stdout.write(`${JSON.stringify({ importMs: readyAt - importStart, readyMs: readyAt })}\n`);
