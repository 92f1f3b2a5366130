// Every page listed in the site's navigation renders in headless Chromium without an error
// cell, an uncaught exception or a request leaving 127.0.0.1. Page-specific behaviour is
// tested in site.test.ts; this test makes sure no notebook is silently broken.

import {describe, expect, it} from "vitest";
import {existsSync} from "node:fs";
import {join} from "node:path";
import config from "../observablehq.config.js";
import {ROOT} from "./support/build.js";
import {useBuiltSite} from "./support/site.js";
import {figureMenus} from "./support/figureMenus.js";

interface NavPage {
  name: string;
  path?: string;
  pages?: NavPage[];
}

function pagePaths(pages: NavPage[]): string[] {
  return pages.flatMap((p) => [...(p.path ? [p.path] : []), ...pagePaths(p.pages ?? [])]);
}

const PATHS = pagePaths(config.pages as NavPage[]);

const site = useBuiltSite();

describe("every page in the navigation", () => {
  it("has a source file", () => {
    for (const path of PATHS) {
      const file = join(ROOT, "src", path === "/" ? "index.md" : `${path.slice(1)}.md`);
      expect(existsSync(file), file).toBe(true);
    }
  });

  it.each(PATHS)("%s renders without errors", async (path) => {
    const {page} = site;
    const errorsBefore = site.browser.pageErrors.length;
    const consoleBefore = site.browser.consoleErrors.length;
    await page.goto(new URL(`.${path}`, site.url).href, {waitUntil: "load"});
    await page.waitForSelector("#observablehq-main h1");
    // Let every cell settle: no cell still pending after the network goes quiet.
    await page.waitForLoadState("networkidle", {timeout: 60_000});
    await page.waitForFunction(() => document.querySelectorAll("observablehq-loading").length === 0, null, {timeout: 60_000});
    const errors = await page.evaluate(() => Array.from(document.querySelectorAll(".observablehq--error"), (e) => e.textContent ?? ""));
    expect(errors).toEqual([]);
    expect(site.browser.pageErrors.slice(errorsBefore)).toEqual([]);
    // First renders with width 0 once logged negative <rect> sizes and a missing favicon a 404.
    expect(site.browser.consoleErrors.slice(consoleBefore)).toEqual([]);
    // A cell whose value is null must not print "null" into the page (code listings may say null).
    const strayNulls = await page.evaluate(() => Array.from(document.querySelectorAll("#observablehq-main *")).filter((e) => e.children.length === 0 && e.textContent?.trim() === "null" && !e.closest("pre, code")).length);
    expect(strayNulls).toBe(0);
    // Every figure carries the download menu (SVG, PNG; CSV where the page gave its data).
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(r))); // withData may come a frame after the figure
    expect((await figureMenus(page)).missing).toEqual([]);
    expect(site.browser.external).toEqual([]);
  }, 120_000);

  it("serves the favicon every page links to", async () => {
    const {page} = site;
    await page.goto(site.url, {waitUntil: "load"});
    const href = await page.evaluate(() => document.querySelector<HTMLLinkElement>('link[rel="icon"]')?.href ?? null);
    expect(href).toMatch(/favicon.*\.svg$/);
    const response = await page.request.get(href!);
    expect(response.status()).toBe(200);
    expect(await response.text()).toContain("<svg");
  });
});
