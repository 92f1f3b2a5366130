// A model fine-tuned for some channels (`train --init … --channels 1`): model.json records the
// channels it serves, the folder carries the model it started from as parent/, and classify
// sends each channel's records to its model — the phonon channel's probabilities stay the
// shipped model's to the bit, the light channel's are the fine-tuned model's.
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {writeLabelledRun} from "../support/fastLightRun.ts";
import {cpSync, mkdtempSync, readFileSync, rmSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {openCaitFile} from "../../data-loaders/io/node.ts";
import {readParquet} from "../../data-loaders/io/parquet.ts";
import {selectBackend} from "../../lib/ml/nets/backend.ts";
import {predictRecords} from "../../lib/ml/nets/models.ts";
import {preprocessChunk} from "../../lib/ml/data/preprocess.ts";
import {manifestProblem} from "../../lib/ml/nets/classifierFile.ts";
import {mergeByChannel, modelIndexForChannel} from "../../lib/ml/nets/channelModels.ts";
import {fastLightDetectorPreset} from "../../lib/ml/data/shiftedDetectors.ts";
import {loadModelDir, DEFAULT_MODEL_DIR} from "../../data-loaders/ml.ts";
import {runMain} from "../support/cli.ts";

describe("the model of each channel", () => {
  it("is the first in the chain that serves it; the last serves every channel", () => {
    const chain = [{channels: [1]}, {channels: [2, 3]}, {}];
    expect([0, 1, 2, 3, 4].map((c) => modelIndexForChannel(chain, c))).toEqual([2, 0, 1, 1, 2]);
    expect(() => modelIndexForChannel([{channels: [1]}], 0)).toThrow(/no model in the chain serves channel 0/);
    const merged = mergeByChannel([{channels: [1]}, {}], [Float32Array.of(0.1, 0.2, 0.3), Float32Array.of(0.7, 0.8, 0.9)], [0, 1, 0]);
    expect(Array.from(merged)).toEqual([0.7, 0.2, 0.9].map(Math.fround));
  });

  it("model.json's channels must be a non-empty list of channel numbers", () => {
    const m = JSON.parse(readFileSync(join(DEFAULT_MODEL_DIR, "model.json"), "utf8"));
    expect(manifestProblem(m)).toBeNull();
    expect(manifestProblem({...m, channels: [1]})).toBeNull();
    for (const bad of [[], [-1], [0.5], "1"]) expect(manifestProblem({...m, channels: bad})).toMatch(/channels .* must be a non-empty list of channel numbers/);
  });
});

const N = 120, SEED = 3;
const preset = fastLightDetectorPreset(SEED, 1.6);
let dir: string, h5: string, csv: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pulsebook-channel-models-"));
  ({h5, csv} = await writeLabelledRun(dir, preset, N, SEED));
  await selectBackend(["wasm"]);
}, 120_000);
afterAll(() => rmSync(dir, {recursive: true, force: true}));

/** classify's probabilities of channel c, in event order. */
async function classified(modelDir: string, c: number): Promise<Float32Array> {
  const out = join(dir, `pred-${Math.random().toString(36).slice(2)}.parquet`);
  const r = await runMain(["classify", h5, "--model", modelDir, "--backend", "wasm", "--out", out]);
  expect(r.code, r.err).toBe(0);
  const t = readParquet(readFileSync(out), out);
  const ch = t.getChild("channel")!.toArray() as Int32Array, p = t.getChild("probability")!.toArray() as Float32Array;
  return Float32Array.from([...ch.keys()].filter((i) => ch[i] === c).map((i) => p[i]));
}

describe("train --init … --channels 1", () => {
  it("serves the light channel with the fine-tuned weights and the phonon channel with the parent's", async () => {
    const out = join(dir, "tuned");
    const r = await runMain(["train", "--init", DEFAULT_MODEL_DIR, "--data", h5, "--labels", csv, "--steps", "60", "--channels", "1", "--backend", "wasm", "--out", out]);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain(`fine-tuned (channels 1; the others keep ${DEFAULT_MODEL_DIR})`);
    const shipped = JSON.parse(readFileSync(join(DEFAULT_MODEL_DIR, "model.json"), "utf8"));
    const m = JSON.parse(readFileSync(join(out, "model.json"), "utf8"));
    expect(m.channels).toEqual([1]);
    expect(JSON.parse(readFileSync(join(out, "parent", "model.json"), "utf8")).weightsSha256).toBe(shipped.weightsSha256);
    expect(readFileSync(join(out, "parent", "weights.bin")).equals(readFileSync(join(DEFAULT_MODEL_DIR, "weights.bin")))).toBe(true);

    // Phonon: the shipped model's probabilities exactly. Light: the fine-tuned weights' own.
    const [phonon, light, shippedPhonon, shippedLight] = [await classified(out, 0), await classified(out, 1), await classified(DEFAULT_MODEL_DIR, 0), await classified(DEFAULT_MODEL_DIR, 1)];
    // (Batches of one channel instead of both: equal to float rounding.)
    const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
    expect(phonon.length).toBe(N);
    expect(maxDiff(phonon, shippedPhonon)).toBeLessThan(1e-6);
    const file = await openCaitFile(h5);
    const x = preprocessChunk(file.readChunk("events", 0, N));
    file.close();
    const {model} = await loadModelDir(out);
    const own = await predictRecords(model, x);
    model.dispose();
    expect(maxDiff(light, own.subarray(N, 2 * N))).toBeLessThan(1e-6);
    expect(light.some((p, i) => Math.abs(p - shippedLight[i]) > 0.05)).toBe(true);
    // The lineage names the parent, whose copy serves the phonon channel.
    const meta = JSON.parse(readFileSync(join(out, "model.json"), "utf8"));
    expect(meta.training.lineage.parent.weightsSha256).toBe(shipped.weightsSha256);

    // A folder whose parent/ went missing names what is missing.
    const broken = join(dir, "broken");
    cpSync(out, broken, {recursive: true});
    rmSync(join(broken, "parent"), {recursive: true});
    const b = await runMain(["classify", h5, "--model", broken, "--backend", "wasm", "--out", join(dir, "b.parquet")]);
    expect(b.code).not.toBe(0);
    expect(b.err).toContain(join(broken, "model.json"));
    expect(b.err).toContain("serves channels 1 only, but the model for the other channels");
  }, 180_000);

  it("--channels without --init, or naming a channel without labels, is refused", async () => {
    expect(await runMain(["train", "--data", h5, "--labels", csv, "--validation", h5, "--channels", "1", "--out", join(dir, "x")]))
      .toMatchObject({code: 2, err: expect.stringContaining("--channels is for fine-tuning (--init DIR)")});
    expect(await runMain(["train", "--init", DEFAULT_MODEL_DIR, "--data", h5, "--labels", csv, "--channels", "1,5", "--out", join(dir, "x")]))
      .toMatchObject({code: 1, err: expect.stringContaining("hold no labelled record of channel 5 (labelled: 0, 1)")});
  });
});
