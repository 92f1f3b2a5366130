// A site built on a configured run shows that run, not the demo. In an isolated copy of the
// repository (test/support/build.ts): simulate a run at CI size (20,000 events of 1024-sample
// records) and a second small one, `pulsebook init --run` for each, build with
// PULSEBOOK_RUN naming the first, and read the pages in headless Chromium: the run banner
// names it with its counts, the first-look page's row count equals DuckDB in Node on the very
// Parquet the site serves, the cuts page counts its events, the overview lists both runs. The
// copy keeps only the pages checked here (the others' loaders never run), so the test stays
// within about three minutes on a quiet machine.

import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {execFileSync} from "node:child_process";
import {existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {serveDist, type DistServer} from "../scripts/serve-dist.mjs";
import {querySql} from "../data-loaders/io/sqlSelect.js";
import {launchBrowser, type TestBrowser} from "./support/browser.js";
import {buildSite, cloneFiles, isolatedCopy, withBuildLock} from "./support/build.js";
import config from "../observablehq.config.js";

interface NavPage {
  path?: string;
  pages?: NavPage[];
}
const pagePaths = (pages: NavPage[]): string[] => pages.flatMap((p) => [...(p.path ? [p.path] : []), ...pagePaths(p.pages ?? [])]);

const EVENTS = 20_000;
/** Pages kept in the copy: the overview, first look and cuts (each shows the run). */
const KEEP = ["src/index.md", "src/tutorials/01-first-look.md", "src/tools/cuts.md"];

describe("a site built on a configured run", () => {
  let copy: string, dist: string, server: DistServer, browser: TestBrowser, log: string;
  const env = {run: process.env.PULSEBOOK_RUN};

  beforeAll(async () => {
    const files = cloneFiles().filter((f) => !(f.startsWith("src/") && f.endsWith(".md") && !KEEP.includes(f)));
    copy = await isolatedCopy(files);
    // The navigation's other pages as stubs (Framework builds every page it lists).
    mkdirSync(join(copy, "src", "reports"), {recursive: true});
    for (const path of pagePaths(config.pages as NavPage[])) {
      const md = join(copy, "src", `${path === "/" ? "index" : path.slice(1)}.md`);
      if (!existsSync(md)) writeFileSync(md, "# Not built in this test\n");
    }
    const cli = (...args: string[]) => execFileSync(process.execPath, [join(copy, "bin", "pulsebook.mjs"), ...args], {cwd: copy, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"]});
    cli("simulate", "--events", String(EVENTS), "--testpulses", "200", "--noise", "200", "--record-length", "1024", "--seed", "15", "--out", "data/ci.h5", "--quiet");
    cli("simulate", "--events", "500", "--testpulses", "20", "--noise", "20", "--record-length", "1024", "--seed", "16", "--out", "data/second.h5", "--quiet");
    cli("init", "--run", "runs/ci.yaml", "--input", "data/ci.h5", "--title", "CI run", "--publish-records", "first:1000");
    cli("init", "--run", "runs/second.yaml", "--input", "data/second.h5", "--title", "Second run");
    dist = join(copy, "dist");
    // Two run files: the build must be told which one (else it fails, listing them).
    process.env.PULSEBOOK_RUN = "ci";
    try {
      ({log} = await withBuildLock(() => buildSite({cwd: copy, output: dist})));
    } finally {
      for (const [k, v] of [["PULSEBOOK_RUN", env.run]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
    server = await serveDist(dist);
    browser = await launchBrowser();
  }, 600_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (copy) rmSync(copy, {recursive: true, force: true});
  });

  const served = (prefix: string) => {
    const dir = join(dist, "_file", "data");
    const name = readdirSync(dir).find((f) => f.startsWith(`${prefix}.`));
    if (!name) throw new Error(`no ${prefix} in ${dir}`);
    return join(dir, name);
  };
  const open = async (path: string) => {
    const {page} = browser;
    await page.goto(new URL(path, server.url).href);
    await page.waitForSelector(".run-banner", {timeout: 60_000});
    return page;
  };

  it("printed the loaders' progress and the record store's sample on stderr", () => {
    expect(log).toMatch(/run ci: features: 20000\/20000 events \(100 %\), \d+ events\/s/);
    expect(log).toMatch(/record store of .*ci\.h5: the first 1000 events of 20000/);
  });

  it("publishes the declared record sample: the first 1000 events (and at most as many noise and test-pulse records)", () => {
    // 1000 events + 200 noise + 200 test pulses, 2 channels × 1024 float32 samples each, plus the header and index.
    const blocks = (1000 + 200 + 200) * 2 * 1024 * 4;
    const size = statSync(served("records")).size;
    expect(size).toBeGreaterThan(blocks);
    expect(size).toBeLessThan(blocks + 256 * 1024);
  });

  it("first look: the banner names the run, and the page's row count is DuckDB's in Node on the served Parquet", async () => {
    const page = await open("tutorials/01-first-look");
    const banner = await page.$eval(".run-banner", (el) => ({run: el.getAttribute("data-run"), kind: el.getAttribute("data-kind"), events: el.getAttribute("data-events"), text: el.textContent}));
    expect(banner).toMatchObject({run: "ci", kind: "run", events: String(EVENTS)});
    expect(banner.text).toContain("CI run");
    expect(banner.text).toContain("runs/ci.yaml");
    expect(banner.text).toContain("1024 samples at 25.0 kHz");
    // The built site carries the declared sample of records, and says so.
    expect(banner.text).toContain("Records published with this site: the first 1000 events of 20000");
    const node = await querySql(new Uint8Array(readFileSync(served("features"))), "SELECT count(*)::INTEGER AS n, count(DISTINCT event)::INTEGER AS events FROM features");
    const [n, events] = [Number(node.getChild("n")!.get(0)), Number(node.getChild("events")!.get(0))];
    expect(events).toBe(EVENTS);
    await page.waitForFunction(() => /^\d+$/.test(document.querySelector("#total-records")?.textContent ?? ""), undefined, {timeout: 60_000});
    expect(Number(await page.textContent("#total-records"))).toBe(n);
    expect(n).toBe(2 * EVENTS);
  }, 120_000);

  it("cuts: the banner and the page's event count are the run's", async () => {
    const page = await open("tools/cuts");
    expect(await page.getAttribute(".run-banner", "data-run")).toBe("ci");
    const report = JSON.parse(readFileSync(served("cut-survival"), "utf8")) as {events: number};
    expect(report.events).toBe(EVENTS);
    await page.waitForSelector("#cut-result", {timeout: 60_000});
    expect(Number(await page.getAttribute("#cut-result", "data-events"))).toBe(EVENTS);
  }, 120_000);

  it("overview: lists both runs, the shown one marked, with each file's counts", async () => {
    const page = await open("");
    expect(await page.getAttribute(".run-banner", "data-run")).toBe("ci");
    await page.waitForSelector("#runs-table table", {timeout: 60_000});
    const rows = await page.$$eval("#runs-table tbody tr", (trs) => trs.map((tr) => Array.from(tr.querySelectorAll("td"), (td) => td.textContent?.trim())));
    expect(rows.map((r) => r.find((c) => c?.startsWith("ci") || c?.startsWith("second")))).toEqual(["ci (shown)", "second"]);
    const runs = JSON.parse(readFileSync(served("runs"), "utf8")) as {active: string; runs: {name: string; events: number}[]; spectrum: {counts: {[k: string]: number[]}}};
    expect(runs.active).toBe("ci");
    expect(runs.runs.map((r) => [r.name, r.events])).toEqual([["ci", EVENTS], ["second", 500]]);
    expect(Object.keys(runs.spectrum.counts)).toEqual(["ci", "second"]);
    expect(existsSync(join(dist, "index.html"))).toBe(true);
  }, 120_000);
});
