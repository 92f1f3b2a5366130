// The training page in headless Chromium: it picks a backend, simulates detectors, trains the
// CNN for two epochs in the page and draws the per-step and per-epoch curves, offline; then a
// second model kind (the TSCN, the fastest after the CNN) for one small epoch at its paper
// learning rate, and downloads it.
import {beforeAll, describe, expect, it} from "vitest";
import {MODEL_KINDS, PAPER_LEARNING_RATE} from "../../lib/ml/nets/models.ts";
import {useBuiltSite} from "../support/site.js";

const bad: string[] = [];
const site = useBuiltSite();
beforeAll(async () => {
  site.page.on("response", (r) => { if (r.status() >= 400) bad.push(`${r.status()} ${r.url()}`); });
}, 300_000);

describe("train-classifier page", () => {
  it("trains two epochs in the browser and draws loss and accuracy curves", async () => {
    const {page} = site;
    await page.goto(site.at("reports/train-classifier"), {waitUntil: "load"});
    await page.waitForSelector(".train-start", {timeout: 60_000});
    // Inputs by their label: a number box (range or number input) or a menu option by its text.
    const setInput = (label: string, value: string) => page.evaluate(([label, value]) => {
      const form = Array.from(document.querySelectorAll("form")).find((f) => f.querySelector("label")?.textContent?.trim() === label);
      if (!form) throw new Error(`no input labelled ${label}`);
      const select = form.querySelector("select");
      const input = select ?? form.querySelector<HTMLInputElement>("input[type=number]")!;
      input.value = select ? Array.from(select.options).find((o) => (o.textContent ?? "").includes(value))!.value : value;
      input.dispatchEvent(new Event("input", {bubbles: true}));
    }, [label, value]);
    const inputValue = (label: string) => page.evaluate((label) => {
      const form = Array.from(document.querySelectorAll("form")).find((f) => f.querySelector("label")?.textContent?.trim() === label);
      return Number(form!.querySelector<HTMLInputElement>("input[type=number]")!.value);
    }, label);
    expect(await inputValue("learning rate")).toBe(PAPER_LEARNING_RATE.cnn);
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
    const downloadModel = async () => {
      const downloads: {name: string; text: string; size: number}[] = [];
      let onDownload: (d: import("playwright-core").Download) => void = () => {};
      const done = new Promise<void>((resolve) => {
        onDownload = async (d) => {
          const path = await d.path();
          const {readFileSync} = await import("node:fs");
          const bytes = readFileSync(path!);
          downloads.push({name: d.suggestedFilename(), text: bytes.toString("utf8"), size: bytes.length});
          if (downloads.length === 2) resolve();
        };
        page.on("download", onDownload);
      });
      await page.click(".train-download");
      await done;
      page.off("download", onDownload);
      return {manifest: JSON.parse(downloads.find((d) => d.name === "model.json")!.text), weightBytes: downloads.find((d) => d.name === "weights.bin")!.size};
    };
    const cnn = await downloadModel();
    expect(cnn.manifest.format).toBe("pulsebook-classifier");
    expect(cnn.manifest.model).toBe("cnn");
    expect(cnn.manifest.backend.name).toBe("wasm");
    expect(cnn.manifest.training.epochs).toBe(2);
    expect(cnn.manifest.training.learningRates).toEqual([PAPER_LEARNING_RATE.cnn]);
    expect(cnn.weightBytes).toBe(89_989 * 4);
    // Resume continues the same model (set to 20 more epochs); Stop ends that run early.
    await setInput("epochs per run", "20");
    await page.click(".train-resume");
    await page.waitForFunction(() => document.querySelectorAll(".train-steps svg path").length > 0 && /Training cnn on/.test(document.querySelector(".train-status")?.textContent ?? ""), null, {timeout: 30_000});
    await page.click(".train-stop");
    await page.waitForFunction(() => /Stopped\.|Finished\./.test(document.querySelector(".train-status")?.textContent ?? ""), null, {timeout: 120_000});
    const stopped = await page.textContent(".train-status");
    expect(stopped).toMatch(/Stopped\./);
    expect(Number(/Epoch (\d+) done/.exec(stopped ?? "")?.[1] ?? "2")).toBeLessThan(22);

    // Every kind of lib/ml/nets/models.ts is offered; choosing one puts its paper learning rate in the box.
    const offered = await page.evaluate(() => Array.from(document.querySelectorAll("select option"), (o) => o.textContent ?? ""));
    expect(offered).toHaveLength(MODEL_KINDS.length);
    expect(offered.join(" ")).toMatch(/CNN.*TSCN.*LSTM/);
    await setInput("model", "TSCN");
    expect(await inputValue("learning rate")).toBe(PAPER_LEARNING_RATE.tscn);
    // One small epoch: 1 training module of 100 events (the page's smallest data set).
    await setInput("training modules", "1");
    await setInput("events per module", "100");
    await setInput("epochs per run", "1");
    await page.click(".train-start");
    await page.waitForFunction(() => /Epoch 1 done \(tscn\).*Finished\./.test(document.querySelector(".train-status")?.textContent ?? ""), null, {timeout: 180_000});
    const tscnStatus = await page.textContent(".train-status");
    const tscnBa = Number(/balanced accuracy ([\d.]+)/.exec(tscnStatus ?? "")?.[1]);
    expect(tscnBa).toBeGreaterThanOrEqual(0);
    expect(tscnBa).toBeLessThanOrEqual(1);
    // A fresh run: the curves restart (one epoch marker per series).
    expect(await page.evaluate(() => document.querySelectorAll(".train-epochs svg path").length)).toBeGreaterThanOrEqual(1);
    const tscn = await downloadModel();
    expect(tscn.manifest.model).toBe("tscn");
    expect(tscn.manifest.training.epochs).toBe(1);
    expect(tscn.manifest.training.learningRates).toEqual([PAPER_LEARNING_RATE.tscn]);
    // Table 5's TSCN: 4,818,705 weights (test/ml/seqModels.test.ts derives the count).
    expect(tscn.weightBytes).toBe(4_818_705 * 4);
    const errors = await page.evaluate(() => Array.from(document.querySelectorAll(".observablehq--error"), (e) => e.textContent ?? ""));
    expect(errors).toEqual([]);
    expect(site.browser.pageErrors).toEqual([]);
    expect(site.browser.external).toEqual([]);
    expect(bad).toEqual([]);
  }, 480_000);
});
