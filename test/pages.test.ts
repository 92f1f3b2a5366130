// Every page listed in the site's navigation renders in headless Chromium without an error
// cell, an uncaught exception or a request leaving 127.0.0.1. Page-specific behaviour is
// tested in site.test.ts; this test makes sure no notebook is silently broken.

import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {existsSync} from "node:fs";
import {join} from "node:path";
import config from "../observablehq.config.js";
import {serveDist, type DistServer} from "../scripts/serve-dist.mjs";
import {launchBrowser, type TestBrowser} from "./support/browser.js";
import {ensureBuilt, ROOT} from "./support/build.js";

interface NavPage {
  name: string;
  path?: string;
  pages?: NavPage[];
}

function pagePaths(pages: NavPage[]): string[] {
  return pages.flatMap((p) => [...(p.path ? [p.path] : []), ...pagePaths(p.pages ?? [])]);
}

const PATHS = pagePaths(config.pages as NavPage[]);

let server: DistServer;
let browser: TestBrowser;
beforeAll(async () => {
  const {dist} = await ensureBuilt();
  server = await serveDist(dist);
  browser = await launchBrowser();
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe("every page in the navigation", () => {
  it("has a source file", () => {
    for (const path of PATHS) {
      const file = join(ROOT, "src", path === "/" ? "index.md" : `${path.slice(1)}.md`);
      expect(existsSync(file), file).toBe(true);
    }
  });

  it.each(PATHS)("%s renders without errors", async (path) => {
    const {page} = browser;
    const errorsBefore = browser.pageErrors.length;
    await page.goto(new URL(`.${path}`, server.url).href, {waitUntil: "load"});
    await page.waitForSelector("#observablehq-main h1");
    // Let every cell settle: no cell still pending after the network goes quiet.
    await page.waitForLoadState("networkidle", {timeout: 60_000});
    await page.waitForFunction(() => document.querySelectorAll("observablehq-loading").length === 0, null, {timeout: 60_000});
    const errors = await page.evaluate(() => Array.from(document.querySelectorAll(".observablehq--error"), (e) => e.textContent ?? ""));
    expect(errors).toEqual([]);
    expect(browser.pageErrors.slice(errorsBefore)).toEqual([]);
    expect(browser.external).toEqual([]);
  }, 120_000);
});
