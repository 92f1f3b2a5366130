// Tampered model files are refused with the file and the problem named, never used: weights
// that are NaN (with the hash updated to match), trailing bytes, a weights file outside the
// model folder (absolute, `..`, or a link leading out), non-finite tree thresholds, dense
// (anomaly) models with NaN weights or base64 of the wrong length.

import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {loadModelDir, SHIPPED_MODEL_DIRS} from "../../data-loaders/ml.js";
import {readTreeModel} from "../../data-loaders/trees.js";
import {DEFAULT_ANOMALY_MODEL_DIR, DEFAULT_TREE_MODEL_DIRS} from "../../data-loaders/modelDirs.js";
import {loadVae} from "../../lib/ml/darwin/vae.js";
import {sha256Hex} from "../../lib/hash.js";
import {modelFileNameProblem, weightsProblem} from "../../lib/ml/fileFormat.js";
import {writeSimulation} from "../../data-loaders/simulate.js";
import {selectBackend} from "../../lib/ml/nets/backend.js";
import {runMain} from "../support/cli.js";
import {existsSync} from "node:fs";

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pulsebook-modelfiles-"));
  await selectBackend(["cpu"]);
});
afterAll(() => rmSync(dir, {recursive: true, force: true}));

/** A copy of the shipped CNN whose weights `edit` changes; the manifest's hash is updated to match. */
function tampered(name: string, edit: (w: Buffer) => Buffer, manifest: (m: {[k: string]: unknown}) => void = () => {}): string {
  const d = join(dir, name);
  cpSync(SHIPPED_MODEL_DIRS.cnn, d, {recursive: true});
  const w = edit(readFileSync(join(d, "weights.bin")));
  writeFileSync(join(d, "weights.bin"), w);
  const m = JSON.parse(readFileSync(join(d, "model.json"), "utf8"));
  m.weightsSha256 = sha256Hex(new Uint8Array(w));
  manifest(m);
  writeFileSync(join(d, "model.json"), JSON.stringify(m));
  return d;
}

describe("classifier model folders", () => {
  it("the shipped models load: both classifiers, both tree models, the VAE", async () => {
    for (const d of Object.values(SHIPPED_MODEL_DIRS)) {
      const {model, weights} = await loadModelDir(d);
      expect(weights.length).toBe(readFileSync(join(d, "weights.bin")).length);
      model.dispose();
    }
    for (const d of Object.values(DEFAULT_TREE_MODEL_DIRS)) expect(readTreeModel(d).model.trees.length).toBeGreaterThan(10);
    const vae = loadVae(JSON.parse(readFileSync(join(DEFAULT_ANOMALY_MODEL_DIR, "vae.json"), "utf8")), "vae.json");
    expect(vae).toBeTruthy();
  });

  it("all weights NaN, hash updated: refused naming weights.bin and the first weight; classify exits 1 and writes nothing", async () => {
    const d = tampered("nan", (w) => {
      const f = new Float32Array(w.buffer, w.byteOffset, w.length / 4);
      f.fill(NaN);
      return w;
    });
    await expect(loadModelDir(d)).rejects.toThrow(new RegExp(`${join(d, "weights.bin")}: weight [\\w/]+\\[0\\] is NaN: a model's weights must be finite`));
    const h5 = join(dir, "in.h5");
    await writeSimulation(h5, {events: 4, seed: 1, testpulses: 1, noise: 1});
    const out = join(dir, "pred.parquet");
    const r = await runMain(["classify", h5, "--model", d, "--backend", "cpu", "--out", out]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/weights\.bin: weight .* is NaN/);
    expect(existsSync(out)).toBe(false);
  });

  it("one infinite weight among finite ones is found", async () => {
    const d = tampered("inf", (w) => {
      w.writeFloatLE(Infinity, 4 * 1000);
      return w;
    });
    await expect(loadModelDir(d)).rejects.toThrow(/weight .* is Infinity/);
  });

  it("trailing bytes (hash updated) and missing bytes: refused with both sizes, before reading", async () => {
    const d = tampered("trailing", (w) => Buffer.concat([w, Buffer.from([1, 2, 3, 4, 5])]));
    const size = readFileSync(join(d, "weights.bin")).length;
    await expect(loadModelDir(d)).rejects.toThrow(`${join(d, "weights.bin")}: holds ${size} B, the manifest's weightSpecs declare ${size - 5} B (5 trailing bytes)`);
    const s = tampered("short", (w) => w.subarray(0, w.length - 8));
    await expect(loadModelDir(s)).rejects.toThrow(/\(8 bytes missing\)/);
  });

  it("weightsFile outside the folder: absolute, `..`, a subfolder — refused in model.json; a link leading out — refused", async () => {
    for (const [name, problem] of [
      ["../../../../etc/hostname", /model\.json: weightsFile "\.\.\/\.\.\/\.\.\/\.\.\/etc\/hostname" leaves the model folder/],
      ["/etc/hostname", /model\.json: weightsFile "\/etc\/hostname" is an absolute path/],
      ["sub/weights.bin", /names a subfolder/],
      ["", /weightsFile must be a file name/]
    ] as const) {
      const d = tampered(`name${problem.source.length}`, (w) => w, (m) => { m.weightsFile = name; });
      await expect(loadModelDir(d)).rejects.toThrow(problem);
    }
    const d = tampered("link", (w) => w);
    const outside = join(dir, "outside-weights.bin");
    cpSync(join(d, "weights.bin"), outside);
    unlinkSync(join(d, "weights.bin"));
    symlinkSync(outside, join(d, "weights.bin"));
    await expect(loadModelDir(d)).rejects.toThrow(`${join(d, "weights.bin")}: weights file: a link to ${outside}, outside the model folder`);
  });

  it("a link inside the folder is fine", async () => {
    const d = tampered("innerlink", (w) => w, (m) => { m.weightsFile = "w.bin"; });
    symlinkSync("weights.bin", join(d, "w.bin"));
    const {model} = await loadModelDir(d);
    model.dispose();
  });

  it("the pure checks", () => {
    expect(modelFileNameProblem("weights.bin")).toBeNull();
    expect(modelFileNameProblem("C:\\x")).toMatch(/absolute/);
    expect(modelFileNameProblem("a\\..\\b")).toMatch(/leaves the model folder/);
    const specs = [{name: "k", shape: [2, 2], dtype: "float32"}, {name: "i", shape: [3], dtype: "int32"}];
    const bytes = new Uint8Array(28);
    expect(weightsProblem(specs, bytes)).toBeNull();
    expect(weightsProblem(specs, new Uint8Array(32))).toMatch(/holds 32 B, .* declare 28 B \(4 trailing bytes\)/);
    new DataView(bytes.buffer).setFloat32(8, NaN, true);
    expect(weightsProblem(specs, bytes)).toMatch(/^weight k\[2\] is NaN/);
    // int32 weights are not floats: the same bit pattern there is a number.
    const ints = new Uint8Array(28);
    new DataView(ints.buffer).setFloat32(16, NaN, true);
    expect(weightsProblem(specs, ints)).toBeNull();
    expect(weightsProblem([{name: "q", shape: [1], dtype: "float16"}], new Uint8Array(2))).toMatch(/dtype "float16" is not read/);
  });
});

describe("tree and dense model files", () => {
  it("a tree threshold of 1e999 (Infinity after parsing) is refused naming tree and node", () => {
    const d = join(dir, "trees");
    cpSync(DEFAULT_TREE_MODEL_DIRS.four, d, {recursive: true});
    const text = readFileSync(join(d, "trees.json"), "utf8");
    const doc = JSON.parse(text);
    const node = doc.ensemble.trees[2].feature.findIndex((f: number) => f >= 0);
    doc.ensemble.trees[2].threshold[node] = 12345.678;
    writeFileSync(join(d, "trees.json"), JSON.stringify(doc).replace("12345.678", "1e999"));
    expect(() => readTreeModel(d)).toThrow(`${join(d, "trees.json")}: tree 2, node ${node}: threshold is Infinity, must be finite`);
  });

  it("a VAE with a NaN weight, or a weight string of the wrong length, is refused naming the file and layer", () => {
    const path = join(DEFAULT_ANOMALY_MODEL_DIR, "vae.json");
    const doc = JSON.parse(readFileSync(path, "utf8"));
    const layer = doc.layers[0];
    const w = Buffer.from(layer.W, "base64");
    w.writeFloatLE(NaN, 4 * 3);
    const nan = structuredClone(doc);
    nan.layers[0].W = w.toString("base64");
    expect(() => loadVae(nan, "vae.json")).toThrow(`vae.json: layer ${layer.name} W[3] is NaN: a model's weights must be finite`);
    const longer = structuredClone(doc);
    longer.layers[0].W = Buffer.concat([Buffer.from(layer.W, "base64"), Buffer.alloc(4)]).toString("base64");
    expect(() => loadVae(longer, "vae.json")).toThrow(new RegExp(`vae\\.json: layer ${layer.name} holds \\d+ weights .*\\(trailing or missing values\\)`));
    const odd = structuredClone(doc);
    odd.layers[0].b = Buffer.alloc(6).toString("base64");
    expect(() => loadVae(odd, "vae.json")).toThrow(/holds 6 B, not a whole number of float32 values/);
  });
});
