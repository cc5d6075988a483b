/**
 * `npm run bench`: every benchmark of issue 7, each section in a fresh Node process (its own heap,
 * JIT and RSS), then one markdown table of the figures with their same-run baselines and bars.
 */
import { spawn } from "node:child_process";
import { cpus } from "node:os";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { type Figure, markdownTable, progress } from "./lib/report.js";
import { FIGURES_PREFIX } from "./lib/section.js";

/** Section names: each is bench/NAME.ts. */
const SECTIONS = ["ingest-core", "store-efficiency", "cold-start", "pipeline", "analytics"];

const USAGE = `Usage: npm run bench [-- [--quick] [--only SECTION[,SECTION...]]]

Prints one markdown table on stdout (progress goes to stderr): each figure with a baseline
measured in the same run, the ratio between them, and the bar it must meet.

Options:
  --quick         CI-sized inputs (under a minute) instead of the full run (about 3 minutes)
  --only LIST     run only these sections, comma-separated: ${SECTIONS.join(", ")}
  -h, --help      print this help and exit`;

/** A mistake in the command line: reported in one line, exit code 2. */
class UsageError extends Error {}

/** Runs one section in its own process and returns the figures it reports last on stdout. */
function collectFigures(section: string, flags: readonly string[]): Promise<Figure[]> {
  const file = new URL(`${section}.ts`, import.meta.url).pathname;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", file, ...flags], {
      env: { ...process.env, NODE_NO_WARNINGS: "1" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let figures: Figure[] | undefined;
    createInterface({ input: child.stdout }).on("line", (line) => {
      if (line.startsWith(FIGURES_PREFIX)) figures = JSON.parse(line.slice(FIGURES_PREFIX.length)) as Figure[];
      else progress(line);
    });
    // "close", not "exit": the figures line may still be in the pipe when the process exits.
    child.once("close", (code) => {
      if (code === 0 && figures !== undefined) resolve(figures);
      else reject(new Error(`bench/${section}.ts failed (exit ${code})`));
    });
  });
}

/** The sections named in `--only`, with or without `.ts` (as tab completion of bench/ gives them). */
function selectSections(only: string): string[] {
  const names = only.split(",").map((name) => name.trim().replace(/\.ts$/, ""));
  const unknown = names.filter((name) => !SECTIONS.includes(name));
  if (unknown.length > 0) throw new UsageError(`unknown section ${unknown.join(", ")}; known: ${SECTIONS.join(", ")}`);
  return names;
}

const sectionOf = (figure: Figure): number => Number.parseInt(figure.id, 10);

function parseCommandLine() {
  try {
    return parseArgs({
      options: {
        quick: { type: "boolean", default: false },
        only: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
    }).values;
  } catch (error) {
    // parseArgs explains an unknown option over several sentences; its first one says it all.
    throw new UsageError(error instanceof Error ? (error.message.split(". ")[0] ?? error.message) : String(error));
  }
}

async function main(): Promise<void> {
  const values = parseCommandLine();
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const flags = values.quick ? ["--quick"] : [];
  const sections = values.only === undefined ? SECTIONS : selectSections(values.only);
  const started = Date.now();
  const figures: Figure[] = [];
  for (const section of sections) figures.push(...(await collectFigures(section, flags)));
  figures.sort((a, b) => sectionOf(a) - sectionOf(b));
  const minutes = ((Date.now() - started) / 60_000).toFixed(1);
  const cpu = cpus();
  const options = [...flags, ...(values.only === undefined ? [] : [`--only ${values.only}`])];
  const command = `npm run bench${options.length > 0 ? ` -- ${options.join(" ")}` : ""}`;
  console.log(
    `\`${command}\`: ${new Date().toISOString().slice(0, 16)}Z, Node ${process.version}, ${cpu.length} x ${cpu[0]?.model.trim() ?? "unknown CPU"}, ${minutes} min\n`,
  );
  console.log(markdownTable(figures));
  const missed = figures.filter((figure) => figure.met === false).map((figure) => figure.id);
  console.log(`\n${missed.length === 0 ? "Every bar met." : `Bars missed: ${missed.join(", ")}.`}`);
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(`bench: ${error.message} (see --help)`);
    process.exitCode = 2;
    return;
  }
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
