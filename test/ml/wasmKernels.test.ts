// The training kernels we register for wasm (Conv2DBackpropFilter, Conv2DBackpropInput,
// MaxPoolGrad, transpose-aware BatchMatMul) against tfjs-cpu's reference gradients.
import {describe, expect, it} from "vitest";
import {tf} from "../../lib/ml/nets/tf.ts";
import {selectBackend, backendInfo} from "../../lib/ml/nets/backend.ts";
import {Rng} from "../../lib/math/random.ts";

function randomArray(n: number, rng: Rng): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.normal();
  return a;
}

type Case = {x: number[]; f: number[]; strides: [number, number]; pad: "valid" | "same"};

async function gradients(backend: "wasm" | "cpu", c: Case, xv: Float32Array, fv: Float32Array, wv: Float32Array) {
  await selectBackend([backend]);
  return tf.tidy(() => {
    const x = tf.tensor4d(xv, c.x as [number, number, number, number]);
    const f = tf.tensor4d(fv, c.f as [number, number, number, number]);
    // A weighted sum as the loss so every output element gets a different upstream gradient.
    const loss = (xx: tf.Tensor4D, ff: tf.Tensor4D) => {
      const y = tf.conv2d(xx, ff, c.strides, c.pad);
      return tf.sum(tf.mul(y, tf.tensor(wv.subarray(0, y.size), y.shape)));
    };
    const [dx, df] = tf.grads(loss as never)([x, f]);
    return {dx: dx.dataSync().slice(), df: df.dataSync().slice()};
  });
}

function maxRelErr(got: Float32Array, ref: Float32Array): number {
  let e = 0, m = 0;
  for (let i = 0; i < ref.length; i++) { e = Math.max(e, Math.abs(got[i] - ref[i])); m = Math.max(m, Math.abs(ref[i])); }
  return e / m;
}

describe("wasm training kernels", () => {
  it("max-pool and dense (transposed matmul) gradients match tfjs-cpu", async () => {
    const rng = new Rng(9);
    const xv = randomArray(2 * 1 * 37 * 6, rng), wv = randomArray(6 * 5, rng), gv = randomArray(2 * 9 * 5, rng);
    const run = async (b: "wasm" | "cpu") => {
      await selectBackend([b]);
      return tf.tidy(() => {
        const f = (x: tf.Tensor, w: tf.Tensor) => {
          const p = tf.maxPool(x as tf.Tensor4D, [1, 4], [1, 4], "valid"); // [2, 1, 9, 6]
          const d = tf.matMul(tf.reshape(p, [18, 6]), w); // [18, 5]
          return tf.sum(tf.mul(d, tf.tensor(gv, [18, 5])));
        };
        const [dx, dw] = tf.grads(f as never)([tf.tensor4d(xv, [2, 1, 37, 6]), tf.tensor2d(wv, [6, 5])]);
        const wt = tf.matMul(tf.tensor2d(wv, [6, 5]), tf.tensor2d(wv, [6, 5]), true, false); // Wᵀ·W
        return {dx: dx.dataSync().slice() as Float32Array, dw: dw.dataSync().slice() as Float32Array, wt: wt.dataSync().slice() as Float32Array};
      });
    };
    const ref = await run("cpu");
    const got = await run("wasm");
    expect(maxRelErr(got.dx, ref.dx)).toBeLessThan(1e-6);
    expect(maxRelErr(got.dw, ref.dw)).toBeLessThan(1e-5);
    expect(maxRelErr(got.wt, ref.wt)).toBeLessThan(1e-5);
    expect(ref.dx.filter((v) => v !== 0).length).toBe(2 * 9 * 6); // one maximum per window
  });

  it("matches tfjs-cpu gradients for 1-D (CNN) and 2-D, valid and same padding, strides 1 and 2", async () => {
    expect(await selectBackend(["wasm"])).toBe("wasm");
    expect(backendInfo().name).toBe("wasm");
    const rng = new Rng(7);
    const cases: Case[] = [
      {x: [3, 1, 64, 1], f: [1, 8, 1, 4], strides: [1, 1], pad: "valid"},
      {x: [2, 1, 40, 4], f: [1, 8, 4, 16], strides: [1, 1], pad: "valid"},
      {x: [2, 1, 33, 16], f: [1, 3, 16, 8], strides: [1, 2], pad: "same"},
      {x: [2, 7, 9, 3], f: [3, 2, 3, 5], strides: [2, 1], pad: "same"}
    ];
    for (const c of cases) {
      const xv = randomArray(c.x.reduce((a, b) => a * b), rng);
      const fv = randomArray(c.f.reduce((a, b) => a * b), rng);
      const wv = randomArray(xv.length * 8, rng);
      const ref = await gradients("cpu", c, xv, fv, wv);
      const got = await gradients("wasm", c, xv, fv, wv);
      expect(got.df.length).toBe(ref.df.length);
      let maxErr = 0, maxRef = 0;
      for (let i = 0; i < ref.df.length; i++) {
        maxErr = Math.max(maxErr, Math.abs(got.df[i] - ref.df[i]));
        maxRef = Math.max(maxRef, Math.abs(ref.df[i]));
      }
      expect(maxRef).toBeGreaterThan(1);
      expect(maxErr / maxRef).toBeLessThan(1e-5);
      for (let i = 0; i < ref.dx.length; i++) expect(got.dx[i]).toBeCloseTo(ref.dx[i], 3);
    }
  });
});
