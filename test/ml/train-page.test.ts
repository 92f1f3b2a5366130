// The training page in headless Chromium: it picks a backend, simulates detectors, trains the
// CNN for two epochs in the page and draws the per-step and per-epoch curves, offline.
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {serveDist, type DistServer} from "../../scripts/serve-dist.mjs";
import {launchBrowser, type TestBrowser} from "../support/browser.js";
import {ensureBuilt} from "../support/build.js";

let server: DistServer;
let browser: TestBrowser;
const bad: string[] = [];
beforeAll(async () => {
  const {dist} = await ensureBuilt();
  server = await serveDist(dist);
  browser = await launchBrowser();
  browser.page.on("response", (r) => { if (r.status() >= 400) bad.push(`${r.status()} ${r.url()}`); });
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe("train-classifier page", () => {
  it("trains two epochs in the browser and draws loss and accuracy curves", async () => {
    const {page} = browser;
    await page.goto(new URL("./reports/train-classifier", server.url).href, {waitUntil: "load"});
    await page.waitForSelector(".train-start", {timeout: 60_000});
    const backendText = await page.evaluate(() => document.querySelector("#observablehq-main")!.textContent ?? "");
    // No GPU here: the wasm backend, with Pulsebook's training kernels, in the page.
    expect(backendText).toMatch(/Backend in use: wasm \(simd=true/);
    await page.click(".train-start");
    await page.waitForFunction(() => /Epoch 2 done/.test(document.querySelector(".train-status")?.textContent ?? ""), null, {timeout: 240_000});
    await page.waitForFunction(() => /Finished\./.test(document.querySelector(".train-status")?.textContent ?? ""), null, {timeout: 30_000});
    const status = await page.textContent(".train-status");
    const ba = Number(/balanced accuracy ([\d.]+)/.exec(status ?? "")?.[1]);
    expect(ba).toBeGreaterThan(0.4);
    expect(ba).toBeLessThanOrEqual(1);
    // Step curve: a path with one vertex per step at least (two series); epoch curve: 2 markers per series.
    const drawn = await page.evaluate(() => ({
      stepPaths: Array.from(document.querySelectorAll(".train-steps svg path")).map((p) => (p.getAttribute("d") ?? "").split(/[ML]/).length),
      epochMarks: document.querySelectorAll(".train-epochs svg path").length
    }));
    expect(Math.max(...drawn.stepPaths)).toBeGreaterThan(10);
    expect(drawn.epochMarks).toBeGreaterThanOrEqual(2);
    // Download: model.json and weights.bin, the format `pulsebook classify` reads, with the backend.
    const downloads: {name: string; text: string; size: number}[] = [];
    const done = new Promise<void>((resolve) => {
      page.on("download", async (d) => {
        const path = await d.path();
        const {readFileSync} = await import("node:fs");
        const bytes = readFileSync(path!);
        downloads.push({name: d.suggestedFilename(), text: bytes.toString("utf8"), size: bytes.length});
        if (downloads.length === 2) resolve();
      });
    });
    await page.click(".train-download");
    await done;
    const manifest = JSON.parse(downloads.find((d) => d.name === "model.json")!.text);
    expect(manifest.format).toBe("pulsebook-classifier");
    expect(manifest.backend.name).toBe("wasm");
    expect(manifest.training.epochs).toBe(2);
    expect(downloads.find((d) => d.name === "weights.bin")!.size).toBe(89_989 * 4);
    // Resume continues the same model (set to 20 more epochs); Stop ends that run early.
    await page.evaluate(() => {
      const inputs = Array.from(document.querySelectorAll<HTMLInputElement>("form input[type=number]"));
      const epochs = inputs[inputs.length - 1];
      epochs.value = "20";
      epochs.dispatchEvent(new Event("input", {bubbles: true}));
    });
    await page.click(".train-resume");
    await page.waitForFunction(() => document.querySelectorAll(".train-steps svg path").length > 0 && /Training on/.test(document.querySelector(".train-status")?.textContent ?? ""), null, {timeout: 30_000});
    await page.click(".train-stop");
    await page.waitForFunction(() => /Stopped\.|Finished\./.test(document.querySelector(".train-status")?.textContent ?? ""), null, {timeout: 120_000});
    const stopped = await page.textContent(".train-status");
    expect(stopped).toMatch(/Stopped\./);
    expect(Number(/Epoch (\d+) done/.exec(stopped ?? "")?.[1] ?? "2")).toBeLessThan(22);
    const errors = await page.evaluate(() => Array.from(document.querySelectorAll(".observablehq--error"), (e) => e.textContent ?? ""));
    expect(errors).toEqual([]);
    expect(browser.pageErrors).toEqual([]);
    expect(browser.external).toEqual([]);
    expect(bad).toEqual([]);
  }, 300_000);
});
