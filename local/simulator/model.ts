/**
 * A seeded model of what a sensor in Dakar or Saint-Louis reads at a given time. Both cities keep
 * UTC all year (no daylight saving), so the hour of the day is the UTC hour.
 *
 * - PM2.5 and CO2 follow road traffic, which peaks around 08h and 19h, and occupancy.
 * - Relative humidity is derived from temperature and dew point (Magnus formula), so a warmer
 *   afternoon lowers it and the moist sea air of the night raises it, as on the coast.
 * - A Harmattan episode brings Saharan dust (PM2.5 far above 150 ug/m3) with hot, dry air.
 * - The model's PM2.5 is what a reference monitor would read. A low-cost sensor overreads in
 *   humid air: it reports the raw value that its US EPA correction (lambdas/core/correction.ts)
 *   takes back to the model's, so the correction visibly matters, most on humid nights.
 * - Sensor faults (simulator/faults.ts SENSOR_FAULTS), when asked for: stuck, spike, fog, clock.
 */
import { type CorrectionId, correctPm25 } from "../../lambdas/core/correction.js";
import type { Sensor, Zone } from "../../lambdas/core/sensor.js";
import { DAY_MS, HOUR_MS } from "../../lambdas/core/time.js";
import type { SensorFaultRates } from "./faults.js";
import { hashString, smoothNoise, unitHash } from "./random.js";

/** The payload a sensor publishes, as the message contract spells it. */
export interface TelemetryPayload {
  readonly sensor_id: string;
  readonly timestamp: string;
  readonly pm25: number;
  readonly temperature: number;
  readonly humidity: number;
  readonly co2: number;
}

export interface DustEpisode {
  /** Epoch ms at which the dust is fully in; it builds up over the hour before. */
  readonly start: number;
  /** How long PM2.5 stays at its peak; it clears over the hour after. */
  readonly hours: number;
  /** Dust added to PM2.5 at the peak, ug/m3; the bounded noise keeps it within 15 %. */
  readonly peakPm25: number;
}

export interface ModelOptions {
  readonly seed: number;
  readonly dustEpisodes: readonly DustEpisode[];
  /** @default none */
  readonly sensorFaults?: SensorFaultRates;
}

/**
 * The raw PM2.5 a sensor whose readings `correction` corrects reports when the air holds
 * `reference` ug/m3: the correction's inverse, found by bisection (the corrections rise with the
 * raw value), 0 where even a raw 0 corrects to more.
 */
function rawPm25Reading(reference: number, humidity: number, correction: CorrectionId): number {
  const corrected = (raw: number) => correctPm25(correction, raw, humidity) ?? raw;
  if (corrected(0) >= reference) return 0;
  let low = 0;
  let high = 1000;
  if (corrected(high) <= reference) return high;
  for (let step = 0; step < 40; step++) {
    const middle = (low + high) / 2;
    if (corrected(middle) < reference) low = middle;
    else high = middle;
  }
  return (low + high) / 2;
}

const STUCK_STRETCH_MS = 10 * 60_000;
const FOG_HOURS = { from: 5, to: 9 } as const;

export const DEFAULT_DUST_PEAK_PM25 = 260;

/** Build-up and clearing time of a dust episode. */
const DUST_RAMP_MS = HOUR_MS;

interface ZoneProfile {
  /** PM2.5 with no traffic, ug/m3. */
  readonly pm25Base: number;
  /** PM2.5 added at full traffic. */
  readonly pm25Traffic: number;
  /** CO2 added at full traffic, ppm. */
  readonly co2Traffic: number;
  /** CO2 added at full occupancy (shops and offices by day, homes by night), ppm. */
  readonly co2Occupancy: number;
  /** Share of traffic that stays between the peaks (markets and offices keep streets busy). */
  readonly middayTraffic: number;
}

const ZONE_PROFILES: Readonly<Record<Zone, ZoneProfile>> = {
  Urban: { pm25Base: 20, pm25Traffic: 38, co2Traffic: 230, co2Occupancy: 60, middayTraffic: 0.35 },
  Commercial: { pm25Base: 18, pm25Traffic: 32, co2Traffic: 170, co2Occupancy: 180, middayTraffic: 0.5 },
  Residential: { pm25Base: 11, pm25Traffic: 12, co2Traffic: 80, co2Occupancy: 120, middayTraffic: 0.15 },
};

interface Climate {
  /** Daily mean temperature, C. */
  readonly meanTemperature: number;
  /** Half the daily temperature range, C; inland air swings more than the Cap-Vert peninsula. */
  readonly temperatureSwing: number;
  /** Daytime dew point, C. */
  readonly dewPoint: number;
  /** Dew point added by the moist sea air at night, C. */
  readonly nightDewPointRise: number;
}

const COASTAL_CLIMATE: Climate = { meanTemperature: 25, temperatureSwing: 4, dewPoint: 18, nightDewPointRise: 3 };
const CLIMATES: Readonly<Record<string, Climate>> = {
  Dakar: COASTAL_CLIMATE,
  "Saint-Louis": { meanTemperature: 26, temperatureSwing: 6, dewPoint: 16, nightDewPointRise: 4 },
};

/** Dew point in Harmattan air, C: the dry continental trade wind. */
const HARMATTAN_DEW_POINT = 1;
/** Extra afternoon heat of Harmattan air, C. */
const HARMATTAN_WARMING = 2;
/** Outdoor background CO2, ppm. */
const BACKGROUND_CO2 = 420;

const gaussian = (x: number, centre: number, width: number): number => Math.exp(-(((x - centre) / width) ** 2) / 2);

/** Hour of the day in [0, 24), fractional. */
const hourOfDay = (time: number): number => (((time % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS;

/** Road traffic in [0, 1]: the morning and evening rush hours, and some traffic between them. */
function trafficIntensity(hour: number, zone: Zone): number {
  const morning = gaussian(hour, 8, 1.3);
  const evening = gaussian(hour, 19, 1.6);
  const daytime = hour >= 9 && hour <= 17 ? ZONE_PROFILES[zone].middayTraffic : 0;
  return Math.min(1, Math.max(morning, evening, daytime) + 0.05);
}

/** Occupancy in [0, 1]: shops and offices by day, homes in the evening and night. */
function occupancy(hour: number, zone: Zone): number {
  if (zone === "Residential") return Math.max(gaussian(hour, 21, 3), gaussian(hour + 24, 21, 3));
  return gaussian(hour, 13, 3.5);
}

/** How much of an episode's dust is in the air at a time, in [0, 1]. */
function episodeLevel(episode: DustEpisode, time: number): number {
  const end = episode.start + episode.hours * HOUR_MS;
  if (time < episode.start) return smoothStep((time - (episode.start - DUST_RAMP_MS)) / DUST_RAMP_MS);
  if (time <= end) return 1;
  return smoothStep(1 - (time - end) / DUST_RAMP_MS);
}

/** How much Harmattan air there is at a time, in [0, 1]: the strongest of the episodes. */
function dustIntensity(episodes: readonly DustEpisode[], time: number): number {
  return episodes.reduce((strongest, episode) => Math.max(strongest, episodeLevel(episode, time)), 0);
}

/** Dust PM2.5 in the air at a time, ug/m3, before noise. */
function dustPm25(episodes: readonly DustEpisode[], time: number): number {
  return episodes.reduce((most, episode) => Math.max(most, episodeLevel(episode, time) * episode.peakPm25), 0);
}

/** Diurnal temperature shape in [-1, 1]: coldest at 06h, warmest at 15h, slow cooling at night. */
function diurnalShape(hour: number): number {
  if (hour >= 6 && hour <= 15) return -Math.cos((Math.PI * (hour - 6)) / 9);
  const sinceWarmest = (hour - 15 + 24) % 24;
  return Math.cos((Math.PI * sinceWarmest) / 15);
}

function smoothStep(x: number): number {
  const t = Math.min(1, Math.max(0, x));
  return t * t * (3 - 2 * t);
}

/** Relative humidity from temperature and dew point (Magnus formula, Alduchov and Eskridge). */
function relativeHumidity(temperature: number, dewPoint: number): number {
  const saturation = (celsius: number): number => Math.exp((17.625 * celsius) / (243.04 + celsius));
  return Math.min(100, (100 * saturation(Math.min(dewPoint, temperature))) / saturation(temperature));
}

const round1 = (value: number): number => Math.round(value * 10) / 10;
const clamp = (value: number, min: number, max: number): number => Math.min(max, Math.max(min, value));

/** What a sensor reads at `time` (epoch ms). Pure: the same inputs give the same reading. */
export function simulateReading(sensor: Sensor, time: number, options: ModelOptions): TelemetryPayload {
  const faults = options.sensorFaults;
  const key = hashString(sensor.sensorId);
  const reading = sensorReading(sensor, time, options);
  if (faults === undefined) return reading;
  const stretch = Math.floor(time / STUCK_STRETCH_MS);
  const stuck = unitHash(options.seed, key, 73, stretch) < faults.stuck;
  const second = Math.floor(time / 1000);
  const spike = unitHash(options.seed, key, 79, second) < faults.spike;
  const clock = unitHash(options.seed, key, 83, second) < faults.clock;
  const pm25 = stuck ? sensorReading(sensor, stretch * STUCK_STRETCH_MS, options).pm25 : reading.pm25;
  return {
    ...reading,
    pm25: spike ? round1(clamp(pm25 * 6 + 30, 0, 1000)) : pm25,
    ...(clock ? { timestamp: new Date(time - HOUR_MS - 30_000).toISOString() } : {}),
  };
}

function sensorReading(sensor: Sensor, time: number, options: ModelOptions): TelemetryPayload {
  const { seed } = options;
  const key = hashString(sensor.sensorId);
  const hour = hourOfDay(time);
  const zone = ZONE_PROFILES[sensor.zone];
  const climate = CLIMATES[sensor.city] ?? COASTAL_CLIMATE;
  const dust = dustIntensity(options.dustEpisodes, time);
  const traffic = trafficIntensity(hour, sensor.zone);
  // Weather drifts over hours (shared by the sensors of a city), readings jitter from minute to minute.
  const weatherKey = hashString(sensor.city);
  const weatherDrift = smoothNoise(seed, weatherKey, time, 3 * HOUR_MS);
  const localDrift = smoothNoise(seed, key, time, 20 * 60_000);
  const jitter = (channel: number): number => unitHash(seed, key, channel, Math.floor(time / 1000)) * 2 - 1;

  const daily = diurnalShape(hour);
  const temperature =
    climate.meanTemperature +
    climate.temperatureSwing * daily +
    weatherDrift * 1.5 +
    jitter(1) * 0.2 +
    dust * HARMATTAN_WARMING * Math.max(0, daily);
  const nightAir = gaussian(hour, 3, 4) + gaussian(hour - 24, 3, 4) + gaussian(hour + 24, 3, 4);
  const seaDewPoint = climate.dewPoint + climate.nightDewPointRise * nightAir + weatherDrift;
  const dewPoint = seaDewPoint + (HARMATTAN_DEW_POINT - seaDewPoint) * dust;
  const foggy =
    options.sensorFaults !== undefined &&
    hour >= FOG_HOURS.from &&
    hour < FOG_HOURS.to &&
    unitHash(seed, weatherKey, 71, Math.floor(time / DAY_MS)) < options.sensorFaults.fog;
  const humidity = foggy ? 96 + Math.abs(jitter(2)) * 3.5 : relativeHumidity(temperature, dewPoint) + jitter(2) * 1.5;

  const pm25 =
    (zone.pm25Base + zone.pm25Traffic * traffic) * (1 + 0.15 * localDrift) +
    jitter(3) * 1.5 +
    dustPm25(options.dustEpisodes, time) * (1 + 0.1 * localDrift + 0.05 * jitter(4));
  const co2 =
    BACKGROUND_CO2 +
    zone.co2Traffic * traffic +
    zone.co2Occupancy * occupancy(hour, sensor.zone) +
    localDrift * 20 +
    jitter(5) * 10;

  return {
    sensor_id: sensor.sensorId,
    timestamp: new Date(time).toISOString(),
    pm25: round1(clamp(rawPm25Reading(pm25, clamp(humidity, 0, 100), sensor.pm25Correction), 0, 1000)),
    temperature: round1(clamp(temperature, -40, 85)),
    humidity: round1(clamp(humidity, 0, 100)),
    co2: Math.round(clamp(co2, 250, 10_000)),
  };
}
