// The Conv2DBackpropFilter kernel we register for wasm against tfjs-cpu's reference gradients.
import {describe, expect, it} from "vitest";
import {tf} from "../../lib/ml/tf.ts";
import {selectBackend, backendInfo} from "../../lib/ml/backend.ts";
import {Rng} from "../../lib/sim/random.ts";

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

describe("wasm Conv2DBackpropFilter", () => {
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
