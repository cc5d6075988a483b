/// <reference lib="dom" />
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import mqtt from "mqtt";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AQI_CATEGORY_INFO } from "../../lambdas/core/aqi.js";
import { REGISTRY } from "../../lib/config/sensors.js";
import { categoryClass } from "../../local/dashboard/api.js";
import { reading, startTestPipeline, type TestPipeline, telemetry, tempDir } from "../e2e/local-helpers.js";
import { KNOWN_RAW_PM25, knownCategory, seedKnownDatabase } from "../fixtures/dashboard.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
/** The bar: a stored reading shows on the page within this long. */
const LIVE_WITHIN_MS = 2000;
/** The picture of the dashboard that the README shows. */
const SCREENSHOT = new URL("../../docs/dashboard.png", import.meta.url);

/** The flags this machine's Chromium needs headless as root, with no network beyond loopback. */
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

describe("the dashboard in headless Chromium, on a database with the last four hours of the registry's sensors", () => {
  const dir = tempDir("kaikai-browser-");
  const dbPath = join(dir.path, "kaikai.db");
  let running: TestPipeline;
  let url: string;
  let browser: Browser;
  let sensor: mqtt.MqttClient;
  const consoleErrors: string[] = [];

  async function openPage(
    options: Parameters<Browser["newContext"]>[0] = {},
  ): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-GB", ...options });
    const page = await context.newPage();
    page.on("console", (message) => {
      if (message.type() === "error") consoleErrors.push(message.text());
    });
    page.on("pageerror", (error) => consoleErrors.push(error.message));
    await page.goto(url);
    await page
      .locator("path.sensor-marker")
      .nth(REGISTRY.size - 1)
      .waitFor();
    return { context, page };
  }

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH`);
    }
    await seedKnownDatabase(dbPath, Date.now());
    running = await startTestPipeline({ dbPath, http: { port: 0 } });
    await running.pipeline.ready;
    url = running.pipeline.dashboardUrl ?? "";
    sensor = await mqtt.connectAsync(running.pipeline.brokerUrl, { reconnectPeriod: 0 });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await sensor?.endAsync();
    await running?.stop();
    dir.remove();
  });

  it("shows every registry sensor on the map in the colour of its NowCast AQI category", async () => {
    const { context, page } = await openPage();
    for (const sensorId of REGISTRY.keys()) {
      const category = knownCategory(sensorId);
      const marker = page.locator(`path.sensor-marker[data-sensor-id="${sensorId}"]`);
      expect(await marker.getAttribute("class")).toContain(categoryClass(category));
      expect((await marker.getAttribute("fill"))?.toLowerCase()).toBe(AQI_CATEGORY_INFO[category].colour.toLowerCase());
      await expect
        .poll(() => page.locator(`#sensors li[data-sensor-id="${sensorId}"]`).getAttribute("class"))
        .toBe(categoryClass(category));
    }
    expect(new Set([...REGISTRY.keys()].map(knownCategory)).size).toBe(Object.keys(KNOWN_RAW_PM25).length);

    await page.locator("#chart-pm25 canvas").waitFor();
    await expect.poll(() => page.locator("#zones tbody tr").count()).toBe(3);
    mkdirSync(new URL(".", SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT.pathname, fullPage: true });
    await context.close();
  });

  it(`shows a reading published over MQTT on its marker, its entry and its chart within ${LIVE_WITHIN_MS / 1000} seconds`, async () => {
    const { context, page } = await openPage();
    await page.locator('#sensors li[data-sensor-id="SENS002"] button').click();
    await expect.poll(() => page.locator("#sensor-select").inputValue()).toBe("SENS002");
    const pointsBefore = Number(await page.locator("#chart-pm25").getAttribute("data-points"));
    expect(pointsBefore).toBeGreaterThan(0);
    await page.locator('path.sensor-marker[data-sensor-id="SENS002"]').hover();
    await page.locator(".leaflet-tooltip").waitFor();

    await sensor.publishAsync(telemetry("SENS002"), reading("SENS002", Date.now(), 27.7), { qos: 1 });
    const acknowledgedAt = Date.now();
    await page.waitForFunction(
      (before) =>
        document.querySelector(".leaflet-tooltip")?.textContent?.includes("PM2.5 27.7") === true &&
        document.querySelector('#sensors li[data-sensor-id="SENS002"]')?.textContent?.includes("PM2.5 27.7") === true &&
        Number(document.querySelector<HTMLElement>("#chart-pm25")?.dataset.points) === before + 1,
      pointsBefore,
      { timeout: LIVE_WITHIN_MS },
    );
    expect(Date.now() - acknowledgedAt).toBeLessThan(LIVE_WITHIN_MS);
    await context.close();
  });

  it("switches to French with its toggle, keeps the choice, and starts in French for a French browser", async () => {
    const { context, page } = await openPage();
    await page.locator('button[data-lang="fr"]').click();
    expect(await page.locator("h1").textContent()).toBe("Qualité de l'air Kaikai");
    expect(await page.locator("html").getAttribute("lang")).toBe("fr");
    expect(await page.locator('#sensors li[data-sensor-id="SENS003"]').textContent()).toContain(
      AQI_CATEGORY_INFO[knownCategory("SENS003")].name.fr,
    );
    await page.reload();
    await expect.poll(() => page.locator("h2[data-i18n=zonesTitle]").textContent()).toBe("Classement des zones");
    await context.close();

    const french = await openPage({ locale: "fr-SN" });
    expect(await french.page.locator("h1").textContent()).toBe("Qualité de l'air Kaikai");
    await french.context.close();
  });

  it("fits a phone's screen without sideways scrolling", async () => {
    const { context, page } = await openPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await page.locator("#chart-co2 canvas").waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await context.close();
  });

  // Last: every page above wrote to it.
  it("logs no error in the browser's console", () => {
    expect(consoleErrors).toEqual([]);
  });
});
