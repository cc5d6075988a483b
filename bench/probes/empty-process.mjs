// The memory baseline: a Node process that loads nothing and reports its peak RSS.
import { peakRssBytes } from "./peak-rss.mjs";

process.stdout.write(`${JSON.stringify({ peakRssBytes: peakRssBytes() })}\n`);
