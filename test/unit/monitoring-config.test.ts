/**
 * The Prometheus scrape config, its alert rules and the Grafana dashboard in local/monitoring name
 * only metrics that the pipeline's /metrics serves: a renamed metric breaks a panel here first.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { DEFAULT_HTTP_PORT } from "../../local/dashboard/server.js";
import { makePrometheusMetrics } from "../../local/runtime/prometheus.js";

const monitoring = (file: string) => readFileSync(new URL(`../../local/monitoring/${file}`, import.meta.url), "utf8");

interface ScrapeConfig {
  readonly scrape_configs: readonly {
    readonly job_name: string;
    readonly metrics_path: string;
    readonly static_configs: readonly { readonly targets: readonly string[] }[];
  }[];
  readonly rule_files: readonly string[];
}
interface AlertRules {
  readonly groups: readonly { readonly rules: readonly { readonly alert: string; readonly expr: string }[] }[];
}
interface Dashboard {
  readonly panels: readonly { readonly title: string; readonly targets: readonly { readonly expr: string }[] }[];
}

/** Every series name the pipeline's registry serves, a histogram's _bucket, _sum and _count included. */
async function servedNames(): Promise<ReadonlySet<string>> {
  const families = await makePrometheusMetrics().registry.getMetricsAsJSON();
  return new Set(
    families.flatMap(({ name, type }) =>
      String(type) === "histogram" ? [name, `${name}_bucket`, `${name}_sum`, `${name}_count`] : [name],
    ),
  );
}

/** The metric names a PromQL expression reads: identifiers followed by a selector, a range or nothing, not a call. */
function metricNames(expr: string): string[] {
  const withoutLabels = expr.replaceAll(/\{[^}]*\}/g, "").replaceAll(/\bby \([^)]*\)/g, "");
  return [...withoutLabels.matchAll(/\b([a-z_][a-z0-9_]*)\b(?!\s*\()/g)]
    .map((match) => match[1] ?? "")
    .filter((name) => !["by", "le", "without", "on", "ignoring"].includes(name) && !/^\d/.test(name));
}

describe("local/monitoring", () => {
  it("scrapes the pipeline's /metrics on the dashboard's default port, with the alert rules beside it", () => {
    const config = parse(monitoring("prometheus.yml")) as ScrapeConfig;
    const job = config.scrape_configs.find((one) => one.job_name === "kaikai");
    expect(job?.metrics_path).toBe("/metrics");
    expect(job?.static_configs.flatMap((one) => one.targets)).toEqual([`127.0.0.1:${DEFAULT_HTTP_PORT}`]);
    expect(config.rule_files).toEqual(["alerts.yml"]);
  });

  it("names only metrics the pipeline serves, in its alert rules and every dashboard panel", async () => {
    const served = await servedNames();
    const rules = (parse(monitoring("alerts.yml")) as AlertRules).groups.flatMap((group) => group.rules);
    const panels = (JSON.parse(monitoring("grafana-dashboard.json")) as Dashboard).panels;
    const expressions = [
      ...rules.map((rule) => ({ where: `alert ${rule.alert}`, expr: rule.expr })),
      ...panels.flatMap((panel) =>
        panel.targets.map((target) => ({ where: `panel ${panel.title}`, expr: target.expr })),
      ),
    ];
    expect(expressions.length).toBeGreaterThan(10);
    // `up` is Prometheus's own, for every target it scrapes.
    const unknown = expressions.flatMap(({ where, expr }) =>
      metricNames(expr)
        .filter((name) => name !== "up" && !served.has(name))
        .map((name) => `${where}: ${name}`),
    );
    expect(unknown).toEqual([]);
  });
});
