// Loads a built Lambda bundle in this fresh process, invokes its handler once with the event in
// the JSON file given, and reports the handler's answer and the process's peak RSS.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { peakRssBytes } from "./peak-rss.mjs";

const [bundleFile, eventFile] = process.argv.slice(2);
const { handler } = await import(pathToFileURL(bundleFile).href);
const event = JSON.parse(readFileSync(eventFile, "utf8"));
const context = { awsRequestId: "bench", functionName: "kaikai-bench-ingest", getRemainingTimeInMillis: () => 60_000 };
const response = await handler(event, context);
process.stdout.write(`${JSON.stringify({ response, peakRssBytes: peakRssBytes() })}\n`);
