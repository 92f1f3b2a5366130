// Every page listed in the site's navigation renders in headless Chromium without an error
// cell, an uncaught exception or a request leaving 127.0.0.1. Page-specific behaviour is
// tested in site.test.ts; this test makes sure no notebook is silently broken.

import {describe, expect, it} from "vitest";
import {existsSync, readFileSync} from "node:fs";
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

  it("the overview links to every page of the navigation", () => {
    const index = readFileSync(join(ROOT, "src", "index.md"), "utf8");
    const linked = new Set([...index.matchAll(/\]\(\.(\/[^)#\s]+)\)/g)].map((m) => m[1]));
    expect(PATHS.filter((p) => p !== "/" && !linked.has(p))).toEqual([]);
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

  it("typesets equations with KaTeX from the site itself (stylesheet and fonts, no CDN)", async () => {
    const {page} = site;
    const fonts: string[] = [];
    const onResponse = (r: {url(): string; status(): number}) => { if (/KaTeX_.*\.woff2?$/.test(r.url())) fonts.push(`${r.status()} ${r.url()}`); };
    page.on("response", onResponse);
    try {
      await page.goto(new URL("./tutorials/03-optimum-filter", site.url).href, {waitUntil: "load"});
      await page.waitForSelector(".katex", {timeout: 60_000});
      await page.waitForLoadState("networkidle", {timeout: 60_000});
      // Two display equations, typeset (HTML output: KaTeX's spans, not the TeX source): the filter H(f) and the resolution σ².
      const shown = await page.evaluate(() => Array.from(document.querySelectorAll(".katex-display"), (e) => e.textContent ?? ""));
      expect(shown).toHaveLength(2);
      expect(shown[0]).toMatch(/^H\(f\)=/);
      expect(shown[1]).toMatch(/^σ2=/);
      expect(await page.evaluate(() => document.querySelectorAll(".katex-display .mfrac").length)).toBeGreaterThanOrEqual(2);
      // KaTeX's stylesheet applied (its math font family), its fonts served by the site.
      const family = await page.evaluate(() => getComputedStyle(document.querySelector(".katex")!).fontFamily);
      expect(family).toContain("KaTeX_Main");
      expect(fonts.length).toBeGreaterThan(0);
      for (const f of fonts) expect(f).toMatch(new RegExp(`^200 ${site.url.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
      expect(site.browser.external).toEqual([]);
    } finally {
      page.off("response", onResponse);
    }
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
