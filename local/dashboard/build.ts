/**
 * The dashboard page, bundled by esbuild when the pipeline starts (a fraction of a second), so
 * that `npm start` needs no build step and the page always matches the code. The map outlines
 * are cut from Natural Earth (the world-atlas package) at build time: the page carries Senegal
 * and its neighbours, not the world, and needs no tile server.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";
import type { FeatureCollection } from "geojson";
import { feature } from "topojson-client";
import type { Topology } from "topojson-specification";

export interface DashboardAssets {
  readonly html: string;
  readonly js: string;
  readonly css: string;
}

/** ISO 3166-1 numeric codes: Senegal and The Gambia in detail, their neighbours for context. */
const DETAILED_COUNTRIES = new Set(["686", "270"]);
const NEIGHBOURS = new Set(["478", "466", "624", "324"]);
const MAP_DATA_MODULE = "kaikai:map-data";
const PAGE = new URL("./page/", import.meta.url);

function countries(scale: "10m" | "50m", ids: ReadonlySet<string>): FeatureCollection["features"] {
  const path = fileURLToPath(import.meta.resolve(`world-atlas/countries-${scale}.json`));
  const topology = JSON.parse(readFileSync(path, "utf8")) as Topology;
  const objects = topology.objects.countries;
  if (objects === undefined) throw new Error(`${path} has no countries object`);
  const all = feature(topology, objects) as FeatureCollection;
  return all.features.filter((country) => ids.has(String(country.id)));
}

/**
 * The outlines: Senegal and The Gambia at 1:10m, Natural Earth's finest, for the coast the
 * sensors stand on; Mauritania, Mali and the two Guineas at 1:50m, which keeps the page's map
 * data at 120 KB instead of 300 KB.
 */
function mapOutlines(): FeatureCollection {
  return {
    type: "FeatureCollection",
    features: [...countries("10m", DETAILED_COUNTRIES), ...countries("50m", NEIGHBOURS)],
  };
}

const mapDataPlugin: Plugin = {
  name: "kaikai-map-data",
  setup(builder) {
    builder.onResolve({ filter: /^kaikai:map-data$/ }, () => ({ path: MAP_DATA_MODULE, namespace: "kaikai" }));
    builder.onLoad({ filter: /.*/, namespace: "kaikai" }, () => ({
      contents: JSON.stringify(mapOutlines()),
      loader: "json",
    }));
  },
};

export async function buildDashboard(): Promise<DashboardAssets> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL("main.ts", PAGE))],
    bundle: true,
    write: false,
    outdir: "assets",
    entryNames: "app",
    format: "esm",
    target: ["es2022"],
    minify: true,
    legalComments: "none",
    // Leaflet's stylesheet names its control images; inlined, the page is three files.
    loader: { ".png": "dataurl", ".svg": "dataurl" },
    plugins: [mapDataPlugin],
    logLevel: "silent",
  });
  const output = (extension: string) => {
    const file = result.outputFiles.find((one) => one.path.endsWith(extension));
    if (file === undefined) throw new Error(`the dashboard build made no ${extension} file`);
    return file.text;
  };
  return { html: readFileSync(new URL("index.html", PAGE), "utf8"), js: output(".js"), css: output(".css") };
}
