import type { Language } from "../../../lambdas/core/aqi.js";

/** The page's words. French first: the seed is French, and so is Senegal's official language. */
const WORDS = {
  fr: {
    title: "Qualité de l'air Kaikai",
    connecting: "connexion…",
    live: "en direct",
    reconnecting: "reconnexion…",
    mapTitle: "Capteurs",
    mapNote:
      "Couleur : l'IQA (US EPA) du NowCast de la dernière heure complète, ou la moyenne de la dernière heure tant qu'il n'y a pas de NowCast.",
    chartTitle: "Dernières 24 heures",
    pm25Chart: "PM2,5 (µg/m³)",
    humidityChart: "Humidité (%)",
    co2Chart: "CO2 (ppm)",
    zonesTitle: "Classement des zones",
    alertsTitle: "Alertes ouvertes",
    rollupsTitle: "Dernier agrégat horaire",
    quarantineTitle: "Quarantaine",
    noAlerts: "Aucune alerte ouverte.",
    noData: "Pas encore de données.",
    noQuarantine: "Rien en quarantaine.",
    noReading: "pas encore de mesure",
    hour: "heure du",
    rank: "Rang",
    zone: "Zone",
    pm25Mean: "PM2,5 moyenne 1 h",
    aqi: "IQA",
    category: "Catégorie",
    activeSensors: "Capteurs actifs",
    sensor: "Capteur",
    nowcast: "NowCast",
    completeness: "Complétude",
    coverage: "Couverture officielle",
    reason: "Motif",
    count: "Messages",
    pending: "En attente",
    raw: "brute",
    corrected: "corrigée",
    humidity: "humidité",
    co2: "CO2",
    basis_nowcast: "NowCast",
    basis_hour_mean: "moyenne 1 h",
    openedAt: "ouverte le",
    alertNotice: "Alerte",
    severity_info: "info",
    severity_warning: "avertissement",
    severity_critical: "critique",
    threshold: "seuil",
  },
  en: {
    title: "Kaikai air quality",
    connecting: "connecting…",
    live: "live",
    reconnecting: "reconnecting…",
    mapTitle: "Sensors",
    mapNote:
      "Colour: the US EPA AQI of the NowCast of the last complete hour, or of the latest hour's mean until a NowCast exists.",
    chartTitle: "Last 24 hours",
    pm25Chart: "PM2.5 (µg/m³)",
    humidityChart: "Humidity (%)",
    co2Chart: "CO2 (ppm)",
    zonesTitle: "Zone ranking",
    alertsTitle: "Open alerts",
    rollupsTitle: "Last hourly roll-up",
    quarantineTitle: "Quarantine",
    noAlerts: "No open alert.",
    noData: "No data yet.",
    noQuarantine: "Nothing quarantined.",
    noReading: "no reading yet",
    hour: "hour from",
    rank: "Rank",
    zone: "Zone",
    pm25Mean: "PM2.5 1-h mean",
    aqi: "AQI",
    category: "Category",
    activeSensors: "Active sensors",
    sensor: "Sensor",
    nowcast: "NowCast",
    completeness: "Completeness",
    coverage: "Official coverage",
    reason: "Reason",
    count: "Messages",
    pending: "Pending",
    raw: "raw",
    corrected: "corrected",
    humidity: "humidity",
    co2: "CO2",
    basis_nowcast: "NowCast",
    basis_hour_mean: "1-h mean",
    openedAt: "opened",
    alertNotice: "Alert",
    severity_info: "info",
    severity_warning: "warning",
    severity_critical: "critical",
    threshold: "threshold",
  },
} as const satisfies Record<Language, Record<string, string>>;

export type WordKey = keyof (typeof WORDS)["en"];

export const word = (lang: Language, key: WordKey): string => WORDS[lang][key];

/** The language a saved choice names, else the browser's first French or English one. */
export function initialLanguage(saved: string | null, preferred: readonly string[]): Language {
  if (saved === "fr" || saved === "en") return saved;
  for (const tag of preferred) {
    const primary = tag.toLowerCase().split("-")[0];
    if (primary === "fr" || primary === "en") return primary;
  }
  return "en";
}
