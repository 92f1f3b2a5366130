// The record viewer of the built site reads the record store by HTTP Range requests: in headless
// Chromium, the drawn lines of the clicked event are that event's samples as CaitFile reads them
// in Node from the demo run; the static server saw only partial reads of the store (206), never
// the whole file; and the page's JS heap stays bounded while stepping through events.

import {afterAll, beforeAll, describe, expect, it} from "vitest";
import type {Page} from "playwright-core";
import {ensureDemoFile} from "../data-loaders/demo.js";
import {openCaitFile} from "../data-loaders/io/node.js";
import type {CaitFile} from "../lib/io/caitFile.js";
import {recordViewerPoints} from "../lib/plot/recordViewer.js";
import {useBuiltSite} from "./support/site.js";

const site = useBuiltSite();
let page: Page;
let cait: CaitFile;

beforeAll(async () => {
  page = site.page;
  cait = await openCaitFile(await ensureDemoFile());
}, 300_000);
afterAll(() => cait?.close());

/** Numbers of an SVG path's "M x,y L x,y …" (Plot's lines), as [x, y] pairs. */
const pathPoints = (d: string): [number, number][] => {
  const xs = d.match(/-?\d+(\.\d+)?(e-?\d+)?/g)!.map(Number);
  return Array.from({length: xs.length / 2}, (_, i) => [xs[2 * i], xs[2 * i + 1]]);
};

const correlation = (a: number[], b: number[]) => {
  const n = a.length;
  const ma = a.reduce((s, x) => s + x, 0) / n, mb = b.reduce((s, x) => s + x, 0) / n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
};

/** Clicks the scatter mark of `event` and waits for the viewer to draw it; returns the channels' paths. */
async function show(event: number): Promise<string[]> {
  await page.evaluate((e) => document.querySelector(`#scatter circle[data-event="${e}"]`)!.dispatchEvent(new MouseEvent("click", {bubbles: true})), event);
  // A locator, not waitForSelector: an ElementHandle would keep each old figure alive in the page.
  await page.locator(`#record-viewer[data-event="${event}"] g[data-role="records"] path`).first().waitFor({state: "attached", timeout: 20_000});
  return page.evaluate(() => Array.from(document.querySelectorAll('#record-viewer g[data-role="records"] path'), (p) => p.getAttribute("d") ?? ""));
}

describe("record viewer on the record store", () => {
  it("draws the chosen event's samples, equal to the file, through range requests only, with bounded memory", async () => {
    await page.goto(site.at("tutorials/01-first-look"));
    await page.locator('#record-viewer g[data-role="records"] path').first().waitFor({state: "attached", timeout: 60_000});
    expect(await page.locator("#records-sample").innerText()).toMatch(/Records available here: all events of 200\./);
    const events = await page.evaluate(() => [...new Set(Array.from(document.querySelectorAll("#scatter circle[data-event]"), (c) => Number(c.getAttribute("data-event"))))]);
    expect(events.length).toBeGreaterThan(96);

    // The drawn lines are the event's records: per channel, x is an affine map of the time and y
    // of the samples that recordViewerPoints takes from CaitFile's records (min/max per bin).
    const names = cait.dataset.channels.map((c) => c.name);
    for (const event of [events[3], events[events.length - 1]]) {
      const paths = await show(event);
      expect(paths).toHaveLength(names.length);
      const truth = recordViewerPoints(cait.readEvent("events", event), cait.dataset.layout, names);
      const other = recordViewerPoints(cait.readEvent("events", event === events[0] ? events[1] : events[0]), cait.dataset.layout, names);
      names.forEach((name, c) => {
        const drawn = pathPoints(paths[c]);
        const expected = truth.filter((p) => p.channel === name);
        expect(drawn.length).toBe(expected.length);
        expect(correlation(drawn.map((p) => p[0]), expected.map((p) => p.t_ms))).toBeGreaterThan(0.999999);
        // SVG y grows downwards.
        expect(correlation(drawn.map((p) => p[1]), expected.map((p) => p.volts))).toBeLessThan(-0.99999);
        // Another event's records do not fit as well (the check can tell events apart).
        const wrong = other.filter((p) => p.channel === name).map((p) => p.volts);
        expect(correlation(drawn.map((p) => p[1]), wrong)).toBeGreaterThan(-0.999);
      });
    }

    // Step through events: after a first round (the page's caches fill: the client's LRU of 16
    // events, Framework's and Plot's own), further stepping does not grow the JS heap.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Performance.enable");
    const heap = async () => {
      await cdp.send("HeapProfiler.collectGarbage");
      const {metrics} = await cdp.send("Performance.getMetrics");
      return metrics.find((m) => m.name === "JSHeapUsedSize")!.value / 2 ** 20;
    };
    const rounds = [await heap()];
    for (let round = 0; round < 3; round++) {
      for (const event of events.slice(6 + 30 * round, 36 + 30 * round)) await show(event);
      rounds.push(await heap());
    }
    console.log(`JS heap after 0, 30, 60, 90 events: ${rounds.map((x) => x.toFixed(1)).join(", ")} MiB`);
    expect(rounds[3] - rounds[1]).toBeLessThan(4);
    expect(Math.max(...rounds)).toBeLessThan(rounds[0] + 16);

    // The server saw partial reads of the store only: one per event (plus header and index), none whole.
    const store = site.served.filter((r) => /\/_file\/data\/records\.[0-9a-f]+\.bin$/.test(r.path));
    expect(store.length).toBeGreaterThan(90);
    expect(store.every((r) => r.status === 206 && r.range?.startsWith("bytes="))).toBe(true);
    const blockBytes = names.length * cait.dataset.layout.recordLength * 4;
    expect(Math.max(...store.map((r) => r.bytes))).toBeLessThanOrEqual(Math.max(blockBytes, 64 * 1024));
    expect(site.served.some((r) => /\.h5$/.test(r.path))).toBe(false);
    expect(site.browser.pageErrors).toEqual([]);
  }, 180_000);
});
