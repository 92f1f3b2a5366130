// The TST in the page: its custom layers (attention, positional encoding, seeded dropout) as
// Framework serves lib/ml to the training page, in headless Chromium on wasm: two epochs train
// (loss falls) and a save → load through the model format predicts identically.
import {beforeAll, describe, expect, it} from "vitest";
import {readdirSync} from "node:fs";
import {join} from "node:path";
import {useBuiltSite} from "../support/site.js";

let modules: {[name: string]: string};
const site = useBuiltSite();
beforeAll(async () => {
  const {dist} = site;
  // Framework serves each local module as /_import/lib/ml/FOLDER/NAME.HASH.js.
  const wanted: [string, string][] = [["models", "nets/models"], ["simDetectors", "data/simDetectors"], ["train", "nets/train"], ["backend", "nets/backend"], ["modelFormat", "nets/classifierFile"]];
  modules = Object.fromEntries(wanted.map(([key, path]) => {
    const [folder, name] = path.split("/");
    const file = readdirSync(join(dist, "_import", "lib", "ml", folder)).find((f) => f.startsWith(`${name}.`));
    if (!file) throw new Error(`dist/_import/lib/ml/${folder} has no ${name}.*.js`);
    return [key, `/_import/lib/ml/${folder}/${file}`];
  }));
}, 300_000);

describe("TST in the page", () => {
  it("trains two epochs on wasm in Chromium and round-trips through the model format", async () => {
    const {page} = site;
    // The training page selects the backend (wasm here, with Pulsebook's kernels) on load.
    await page.goto(site.at("reports/train-classifier"), {waitUntil: "load"});
    await page.waitForSelector(".train-start", {timeout: 60_000});
    // A string, not a function: vitest would rewrite a function's import() for Node.
    const r = (await page.evaluate(`(async (mods) => {
      const [M, S, T, B, F] = await Promise.all([mods.models, mods.simDetectors, mods.train, mods.backend, mods.modelFormat].map((u) => import(u)));
      const set = S.simulateLabeledSet(S.randomDetectorPreset(900), {events: 64, seed: 5, detectorBase: 0, minSnr: 5});
      const model = M.buildModel("tst", 1);
      const res = await T.trainClassifier(model, set, set, {epochs: 2, learningRate: 1e-3, seed: 1});
      const {manifest, weights} = await F.serializeModel(model, {model: "tst", backend: B.backendInfo(), metrics: {}, training: {}});
      const loaded = await F.deserializeModel(manifest, weights);
      const p0 = await M.predictRecords(model, set.x), p1 = await M.predictRecords(loaded, set.x);
      return {backend: B.backendInfo().name, losses: res.epochs.map((e) => e.trainLoss), p0: [...p0], p1: [...p1]};
    })(${JSON.stringify(modules)})`)) as {backend: string; losses: number[]; p0: number[]; p1: number[]};
    expect(r.backend).toBe("wasm");
    expect(r.losses).toHaveLength(2);
    expect(r.losses.every(Number.isFinite)).toBe(true);
    expect(r.losses[1]).toBeLessThan(r.losses[0]);
    expect(r.p0.every((p) => p > 0 && p < 1)).toBe(true);
    expect(r.p1).toEqual(r.p0);
    expect(site.browser.pageErrors).toEqual([]);
    expect(site.browser.external).toEqual([]);
  }, 120_000);
});
