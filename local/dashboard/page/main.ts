/**
 * The dashboard page: maps of the sensors coloured by AQI category, a sensor's last 24 hours,
 * the zone ranking, open alerts, the last roll-up and the quarantine, kept live by the server's
 * event stream. Leaflet draws the map from bundled Natural Earth outlines (no tile server), uPlot
 * the charts.
 */
import "leaflet/dist/leaflet.css";
import "uplot/dist/uPlot.min.css";
import "./style.css";
import mapData from "kaikai:map-data";
import L from "leaflet";
import uPlot from "uplot";
import type { AqiCategory } from "../../../lambdas/core/aggregates.js";
import { AQI_CATEGORY_INFO, type Language } from "../../../lambdas/core/aqi.js";
import {
  categoryClass,
  type LiveAlert,
  type LiveReading,
  type Overview,
  type SensorView,
  type Series,
  type SeriesMeasure,
} from "../api.js";
import { initialLanguage, type WordKey, word } from "./i18n.js";

const LANGUAGE_KEY = "kaikai.language";
/** Colours are the page's own where the AQI has none: a sensor without a figure yet. */
const NO_FIGURE_COLOUR = "#9e9e9e";
const OVERVIEW_REFRESH_MS = 60_000;

const element = <T extends HTMLElement>(id: string): T => {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`the page has no #${id}`);
  return found as T;
};

const state = {
  lang: initialLanguage(localStorage.getItem(LANGUAGE_KEY), navigator.languages),
  overview: null as Overview | null,
  series: null as Series | null,
};

const t = (key: WordKey) => word(state.lang, key);
/** The browser's own variant of the page's language (fr-SN, en-GB), for numbers and dates as its user writes them. */
const locale = () => navigator.languages.find((tag) => tag.toLowerCase().startsWith(state.lang)) ?? state.lang;
const number = (value: number | null, digits = 1) =>
  value === null ? "–" : new Intl.NumberFormat(locale(), { maximumFractionDigits: digits }).format(value);
const time = (iso: string) =>
  new Intl.DateTimeFormat(locale(), { dateStyle: "short", timeStyle: "short" }).format(new Date(iso));

async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(path, { headers: { accept: "application/json" } });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

function cell(row: HTMLTableRowElement, text: string, tag: "td" | "th" = "td"): HTMLElement {
  const node = document.createElement(tag);
  node.textContent = text;
  row.append(node);
  return node;
}

function fillTable(
  table: HTMLTableElement,
  headings: readonly WordKey[],
  rows: readonly (readonly string[])[],
  empty: WordKey = "noData",
): void {
  table.replaceChildren();
  if (rows.length === 0) {
    const note = cell(table.insertRow(), t(empty));
    note.setAttribute("colspan", String(headings.length));
    return;
  }
  const head = table.createTHead().insertRow();
  for (const heading of headings) cell(head, t(heading), "th");
  const body = table.createTBody();
  for (const values of rows) {
    const row = body.insertRow();
    for (const value of values) cell(row, value);
  }
}

// The map.

/**
 * One map per city: Dakar's sensors stand a few kilometres apart, Saint-Louis is 200 km up the
 * coast, and one map of both would draw Dakar's markers on top of each other.
 */
const CITY_ZOOM = 12;
const cityMaps = new Map<string, L.Map>();
const markers = new Map<string, L.CircleMarker>();

function cityMap(sensor: SensorView): L.Map {
  const existing = cityMaps.get(sensor.city);
  if (existing !== undefined) return existing;
  const figure = document.createElement("figure");
  figure.className = "city-map";
  const caption = document.createElement("figcaption");
  caption.textContent = sensor.city;
  const container = document.createElement("div");
  container.className = "map";
  figure.append(caption, container);
  element("maps").append(figure);
  // A view from the start, so that layers are drawn (and their elements exist) as soon as they are added.
  const map = L.map(container, { zoomSnap: 0.25 }).setView([sensor.latitude, sensor.longitude], CITY_ZOOM);
  map.attributionControl.setPrefix(false).addAttribution("Natural Earth");
  L.geoJSON(mapData, { style: { color: "#5b6b73", weight: 1, fillColor: "#eef0e6", fillOpacity: 1 } }).addTo(map);
  cityMaps.set(sensor.city, map);
  return map;
}

function fitCities(sensors: readonly SensorView[]): void {
  for (const [city, map] of cityMaps) {
    const points = sensors
      .filter((one) => one.city === city)
      .map((one): L.LatLngTuple => [one.latitude, one.longitude]);
    map.fitBounds(L.latLngBounds(points).pad(0.3), { maxZoom: CITY_ZOOM });
  }
}

function markerText(sensor: SensorView): string {
  const latest = sensor.latest;
  const reading =
    latest === null
      ? t("noReading")
      : `PM2.5 ${number(latest.pm25)} µg/m³${latest.pm25_corrected === null ? "" : ` (${t("corrected")} ${number(latest.pm25_corrected)})`}, ${time(latest.timestamp)}`;
  const figure =
    sensor.aqi === null
      ? ""
      : ` · ${t("aqi")} ${sensor.aqi.aqi} ${AQI_CATEGORY_INFO[sensor.aqi.category].name[state.lang]} (${t(`basis_${sensor.aqi.basis}`)})`;
  return `${sensor.sensor_id} ${sensor.location_name} (${sensor.zone}) · ${reading}${figure}`;
}

function drawMarker(sensor: SensorView): void {
  const category = sensor.aqi?.category ?? null;
  const colour = category === null ? NO_FIGURE_COLOUR : AQI_CATEGORY_INFO[category].colour;
  let marker = markers.get(sensor.sensor_id);
  if (marker === undefined) {
    marker = L.circleMarker([sensor.latitude, sensor.longitude], { radius: 9, color: "#263238", weight: 1.5 })
      .addTo(cityMap(sensor))
      .on("click", () => show(sensor.sensor_id));
    marker.bindTooltip("");
    markers.set(sensor.sensor_id, marker);
  }
  marker.setStyle({ fillColor: colour, fillOpacity: 0.9 });
  marker.setTooltipContent(markerText(sensor));
  const path = marker.getElement();
  if (path !== undefined) {
    path.setAttribute("class", `leaflet-interactive sensor-marker ${categoryClass(category)}`);
    path.setAttribute("data-sensor-id", sensor.sensor_id);
    path.setAttribute("data-aqi-category", category ?? "");
  }
}

function sensorItem(sensor: SensorView): HTMLLIElement {
  const item = document.createElement("li");
  item.dataset.sensorId = sensor.sensor_id;
  item.className = categoryClass(sensor.aqi?.category ?? null);
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = markerText(sensor);
  button.addEventListener("click", () => show(sensor.sensor_id));
  item.append(button);
  return item;
}

function drawSensorList(sensors: readonly SensorView[]): void {
  element<HTMLUListElement>("sensors").replaceChildren(...sensors.map(sensorItem));
}

/** One sensor's entry again, the others left as they are: a live reading changes one. */
function redrawSensorItem(sensor: SensorView): void {
  const list = element<HTMLUListElement>("sensors");
  const current = [...list.children].find((item) => (item as HTMLElement).dataset.sensorId === sensor.sensor_id);
  if (current === undefined) list.append(sensorItem(sensor));
  else current.replaceWith(sensorItem(sensor));
}

// The charts.

const charts = new Map<string, uPlot>();
const CHARTS: readonly { id: string; measures: readonly SeriesMeasure[]; colours: readonly string[] }[] = [
  { id: "chart-pm25", measures: ["pm25", "pm25_corrected"], colours: ["#8d6e63", "#1565c0"] },
  { id: "chart-humidity", measures: ["humidity"], colours: ["#00838f"] },
  { id: "chart-co2", measures: ["co2"], colours: ["#6a1b9a"] },
];
const seriesLabel = (measure: SeriesMeasure): string =>
  ({ pm25: t("raw"), pm25_corrected: t("corrected"), humidity: t("humidity"), co2: t("co2") })[measure];

function chartData(series: Series, measures: readonly SeriesMeasure[]): uPlot.AlignedData {
  const lines = series.thresholds.filter((line) => measures.includes(line.measure));
  return [
    [...series.times],
    ...measures.map((measure) => [...series.values[measure]]),
    ...lines.map((line) => series.times.map(() => line.value)),
  ];
}

function drawCharts(): void {
  const series = state.series;
  for (const chart of charts.values()) chart.destroy();
  charts.clear();
  if (series === null) return;
  for (const { id, measures, colours } of CHARTS) {
    const container = element(id);
    const lines = series.thresholds.filter((line) => measures.includes(line.measure));
    const clock = new Intl.DateTimeFormat(locale(), { hour: "2-digit", minute: "2-digit" });
    const options: uPlot.Options = {
      width: Math.max(280, container.clientWidth),
      height: 180,
      series: [
        {},
        ...measures.map((measure, index) => ({ label: seriesLabel(measure), stroke: colours[index], width: 1.5 })),
        ...lines.map((line) => ({
          label: `${t("threshold")} ${line.source} (${number(line.value)})`,
          stroke: "#d32f2f",
          dash: [6, 4],
          width: 1,
          points: { show: false },
        })),
      ],
      // Hours as the page's language writes them (uPlot's own labels are in English).
      axes: [{ values: (_, splits) => splits.map((seconds) => clock.format(new Date(seconds * 1000))) }, { size: 50 }],
      legend: { live: false },
    };
    charts.set(id, new uPlot(options, chartData(series, measures), container));
    container.dataset.points = String(series.times.length);
  }
}

function appendToCharts(reading: LiveReading): void {
  const series = state.series;
  if (series === null || reading.sensor_id !== series.sensor_id) return;
  const seconds = Date.parse(reading.timestamp) / 1000;
  const last = series.times.at(-1);
  // The chart is in time order: a late or backfilled reading shows on the next load.
  if (last !== undefined && seconds <= last) return;
  state.series = {
    ...series,
    times: [...series.times, seconds],
    values: {
      pm25: [...series.values.pm25, reading.pm25],
      pm25_corrected: [...series.values.pm25_corrected, reading.pm25_corrected],
      humidity: [...series.values.humidity, reading.humidity],
      co2: [...series.values.co2, reading.co2],
    },
  };
  for (const { id, measures } of CHARTS) {
    charts.get(id)?.setData(chartData(state.series, measures));
    element(id).dataset.points = String(state.series.times.length);
  }
}

async function select(sensorId: string): Promise<void> {
  element<HTMLSelectElement>("sensor-select").value = sensorId;
  state.series = await getJson<Series>(`/api/sensors/${encodeURIComponent(sensorId)}/series`);
  drawCharts();
}

/** A fetch the page starts on its own fails while the pipeline is away: the status says so, and the next one retries. */
const offline = () => setStatus("reconnecting", false);
const refresh = () => void loadOverview().catch(offline);
const show = (sensorId: string) => void select(sensorId).catch(offline);

// The tables.

function drawTables(overview: Overview): void {
  element("zones-hour").textContent = overview.zones.hour === null ? "" : `${t("hour")} ${time(overview.zones.hour)}`;
  fillTable(
    element("zones"),
    ["rank", "zone", "pm25Mean", "aqi", "category", "activeSensors"],
    overview.zones.ranking.map((zone) => [
      zone.rank === null ? "–" : String(zone.rank),
      zone.zone,
      number(zone.pm25_mean),
      zone.aqi === null ? "–" : String(zone.aqi),
      zone.aqi_category === null
        ? "–"
        : (AQI_CATEGORY_INFO[zone.aqi_category as AqiCategory]?.name[state.lang] ?? zone.aqi_category),
      `${zone.active_sensors}/${zone.sensors}`,
    ]),
  );
  const alerts = element<HTMLUListElement>("alerts");
  alerts.replaceChildren(
    ...(overview.open_alerts.length === 0
      ? [Object.assign(document.createElement("li"), { textContent: t("noAlerts") })]
      : overview.open_alerts.map((alert) => {
          const item = document.createElement("li");
          item.className = `severity-${alert.severity ?? "info"}`;
          const severity = alert.severity === null ? "" : `${t(`severity_${alert.severity}` as WordKey)} · `;
          item.textContent = `${severity}${alert.sensor_id} ${alert.rule_id}, ${t("openedAt")} ${time(alert.opened_at)}`;
          return item;
        })),
  );
  element("rollups-hour").textContent =
    overview.rollups.hour === null ? "" : `${t("hour")} ${time(overview.rollups.hour)}`;
  fillTable(
    element("rollups"),
    ["sensor", "pm25Mean", "nowcast", "completeness", "coverage"],
    overview.rollups.rows.map((row) => [
      row.sensor_id,
      number(row.pm25_mean),
      number(row.nowcast_pm25),
      `${number(row.completeness * 100, 0)} %`,
      row.coverage === null ? "–" : `${number(row.coverage * 100, 0)} %`,
    ]),
  );
  fillTable(
    element("quarantine"),
    ["reason", "count", "pending"],
    overview.quarantine.map((row) => [row.reason, String(row.count), String(row.pending)]),
    "noQuarantine",
  );
}

function drawOverview(): void {
  const overview = state.overview;
  if (overview === null) return;
  for (const sensor of overview.sensors) drawMarker(sensor);
  drawSensorList(overview.sensors);
  drawTables(overview);
  const picker = element<HTMLSelectElement>("sensor-select");
  if (picker.options.length !== overview.sensors.length) {
    picker.replaceChildren(
      ...overview.sensors.map((sensor) => new Option(`${sensor.sensor_id} ${sensor.location_name}`, sensor.sensor_id)),
    );
  }
}

async function loadOverview(): Promise<void> {
  const first = state.overview === null;
  state.overview = await getJson<Overview>("/api/overview");
  drawOverview();
  if (first) {
    const sensors = state.overview.sensors;
    fitCities(sensors);
    const firstSensor = sensors[0];
    if (firstSensor !== undefined) await select(firstSensor.sensor_id);
  }
}

// Language.

function applyLanguage(lang: Language): void {
  state.lang = lang;
  localStorage.setItem(LANGUAGE_KEY, lang);
  document.documentElement.lang = lang;
  document.title = t("title");
  for (const node of document.querySelectorAll<HTMLElement>("[data-i18n]")) {
    node.textContent = t(node.dataset.i18n as WordKey);
  }
  for (const button of document.querySelectorAll<HTMLButtonElement>("[data-lang]")) {
    button.setAttribute("aria-pressed", String(button.dataset.lang === lang));
  }
  drawOverview();
  drawCharts();
}

// Live.

function setStatus(key: WordKey, online: boolean): void {
  const status = element("live-status");
  status.dataset.i18n = key;
  status.textContent = t(key);
  status.className = online ? "online" : "offline";
}

function onReading(reading: LiveReading): void {
  const overview = state.overview;
  const sensor = overview?.sensors.find((one) => one.sensor_id === reading.sensor_id);
  if (overview === null || sensor === undefined) return;
  if (sensor.latest === null || reading.timestamp >= sensor.latest.timestamp) {
    const { sensor_id: _, ...latest } = reading;
    const updated: SensorView = { ...sensor, latest };
    state.overview = { ...overview, sensors: overview.sensors.map((one) => (one === sensor ? updated : one)) };
    drawMarker(updated);
    redrawSensorItem(updated);
  }
  appendToCharts(reading);
}

function listen(): void {
  const events = new EventSource("/api/events");
  events.addEventListener("open", () => setStatus("live", true));
  events.addEventListener("error", () => setStatus("reconnecting", false));
  events.addEventListener("reading", (event) => onReading(JSON.parse(event.data) as LiveReading));
  events.addEventListener("alert", (event) => {
    const alert = JSON.parse(event.data) as LiveAlert;
    element("live-status").title = `${t("alertNotice")} ${alert.sensorId} ${alert.ruleId} (${alert.state})`;
    refresh();
  });
  events.addEventListener("rollup", () => refresh());
}

for (const button of document.querySelectorAll<HTMLButtonElement>("[data-lang]")) {
  button.addEventListener("click", () => applyLanguage(button.dataset.lang === "fr" ? "fr" : "en"));
}
element<HTMLSelectElement>("sensor-select").addEventListener("change", (event) => {
  show((event.target as HTMLSelectElement).value);
});
window.addEventListener("resize", () => drawCharts());

applyLanguage(state.lang);
listen();
await loadOverview();
setInterval(refresh, OVERVIEW_REFRESH_MS);
