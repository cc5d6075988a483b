/**
 * `npm run bench [-- --quick]`: every benchmark of issue 7, each section in a fresh Node process,
 * then one markdown table of the figures with their same-run baselines and bars. --quick: CI-sized
 * inputs. --only ingest-core,cold-start (section file names, comma-separated): run just those.
 */
import { spawn } from "node:child_process";
import { cpus } from "node:os";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { type Figure, markdownTable, progress } from "./lib/report.js";
import { FIGURES_PREFIX } from "./lib/section.js";

const SECTIONS = ["ingest-core.ts", "store-efficiency.ts", "cold-start.ts", "pipeline.ts", "analytics.ts"];

function runSection(file: string, flags: readonly string[]): Promise<Figure[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", new URL(file, import.meta.url).pathname, ...flags], {
      env: { ...process.env, NODE_NO_WARNINGS: "1" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let figures: Figure[] | undefined;
    createInterface({ input: child.stdout }).on("line", (line) => {
      if (line.startsWith(FIGURES_PREFIX)) figures = JSON.parse(line.slice(FIGURES_PREFIX.length)) as Figure[];
      else progress(line);
    });
    child.once("exit", (code) => {
      if (code === 0 && figures !== undefined) resolve(figures);
      else reject(new Error(`bench/${file} failed (exit ${code})`));
    });
  });
}

/** The sections named in `--only`, by file name with or without `.ts`; an unknown name is an error. */
function selectSections(only: string): string[] {
  const names = only.split(",").map((name) => `${name.trim().replace(/\.ts$/, "")}.ts`);
  const unknown = names.filter((name) => !SECTIONS.includes(name));
  if (unknown.length > 0) throw new Error(`unknown section ${unknown.join(", ")}; known: ${SECTIONS.join(", ")}`);
  return names;
}

const sectionOf = (figure: Figure): number => Number.parseInt(figure.id, 10);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { quick: { type: "boolean", default: false }, only: { type: "string" } },
    strict: true,
  });
  const flags = values.quick ? ["--quick"] : [];
  const sections = values.only === undefined ? SECTIONS : selectSections(values.only);
  const started = Date.now();
  const figures: Figure[] = [];
  for (const section of sections) figures.push(...(await runSection(section, flags)));
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
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
