// lib/ml/active/activeLearning.ts: the uncertainty of a binary output, the order records are offered
// in, the batch with its random share, and the loop's bookkeeping (labels accumulate, nothing is
// chosen twice, the curve follows the schedule).
import {describe, expect, it} from "vitest";
import {leastSureOrder, nextToLabel, randomToLabel, simulateLoop, uncertainty, UNCERTAINTY_KINDS} from "../../lib/ml/active/activeLearning.ts";
import {holdOutSplit, type LabeledSet} from "../../lib/ml/data/dataset.ts";
import {Rng} from "../../lib/math/random.ts";

describe("uncertainty sampling", () => {
  it("least confidence, margin and entropy of a binary output", () => {
    expect(uncertainty(0.9, "least-confidence")).toBeCloseTo(0.1, 12);
    expect(uncertainty(0.9, "margin")).toBeCloseTo(0.2, 12);
    expect(uncertainty(0.9, "entropy")).toBeCloseTo(-(0.9 * Math.log(0.9) + 0.1 * Math.log(0.1)), 12);
    expect(uncertainty(0.5, "entropy")).toBeCloseTo(Math.LN2, 12);
    expect(uncertainty(0, "entropy")).toBe(0);
    expect(uncertainty(1, "margin")).toBe(0);
    // With two classes the three order records the same way.
    const rng = new Rng(3);
    const p = Float32Array.from({length: 200}, () => rng.uniform());
    const orders = UNCERTAINTY_KINDS.map((k) => Array.from(leastSureOrder(p, undefined, k)));
    expect(orders[1]).toEqual(orders[0]);
    expect(orders[2]).toEqual(orders[0]);
  });

  it("offers the unlabelled records closest to 0.5 first", () => {
    const p = [0.02, 0.55, 0.97, 0.4, 0.5, 0.7];
    expect(Array.from(leastSureOrder(p))).toEqual([4, 1, 3, 5, 2, 0]);
    expect(Array.from(leastSureOrder(p, [0, 0, 0, 0, 1, 0]))).toEqual([1, 3, 5, 2, 0]);
    expect(() => leastSureOrder(p, [0, 1])).toThrow("6 probabilities but 2 labelled flags");
  });

  it("a batch is the least sure records plus a random share of the others, none labelled, none twice", () => {
    const rng = new Rng(5);
    const p = Float32Array.from({length: 500}, () => rng.uniform());
    const labelled = new Uint8Array(500);
    for (let i = 0; i < 500; i += 3) labelled[i] = 1;
    const order = leastSureOrder(p, labelled);
    const b = nextToLabel(p, labelled, {k: 40, explore: 0.25, seed: 2});
    expect(b.length).toBe(40);
    expect(new Set(b).size).toBe(40);
    expect(Array.from(b.subarray(0, 30))).toEqual(Array.from(order.subarray(0, 30)));
    for (const i of b) expect(labelled[i]).toBe(0);
    // The random share comes from beyond the least sure 30 and depends on the seed.
    const beyond = new Set(order.subarray(30));
    for (const i of b.subarray(30)) expect(beyond.has(i)).toBe(true);
    expect(Array.from(nextToLabel(p, labelled, {k: 40, explore: 0.25, seed: 3}))).not.toEqual(Array.from(b));
    expect(Array.from(nextToLabel(p, labelled, {k: 40, explore: 0, seed: 2}))).toEqual(Array.from(order.subarray(0, 40)));
    // Fewer left than asked for: all that are left.
    expect(nextToLabel([0.5, 0.1], [1, 0], {k: 5}).length).toBe(1);
    expect(randomToLabel(10, new Uint8Array(10), 10, 1).slice().sort()).toEqual(Int32Array.from({length: 10}, (_, i) => i));
  });

  it("the loop accumulates labels, fine-tunes on all of them and measures each point of the schedule", async () => {
    // A stand-in model that knows the labels it was tuned on and says 0.5 elsewhere; on the
    // test records it is right on a share equal to the share of pool positives it has seen.
    const rng = new Rng(9);
    const poolY = Float32Array.from({length: 300}, () => (rng.uniform() < 0.7 ? 1 : 0));
    const testY = Float32Array.from({length: 100}, (_, i) => (i < 60 ? 1 : 0));
    const calls: number[][] = [];
    let known: Int32Array = new Int32Array(0);
    const model = {
      predict: async (which: "pool" | "test") => {
        if (which === "pool") {
          const p = new Float32Array(300).fill(0.5);
          for (const i of known) p[i] = poolY[i];
          return p;
        }
        const seen = known.length / 300;
        return Float32Array.from(testY, (y, i) => (i % 10 < 10 * seen ? y : 1 - y));
      },
      fineTune: async (idx: Int32Array) => { calls.push(Array.from(idx)); known = idx; }
    };
    const curve = await simulateLoop(poolY, testY, model, {schedule: [0, 30, 60, 150], strategy: "uncertainty", explore: 0.2, seed: 1});
    expect(curve.map((c) => c.labels)).toEqual([0, 30, 60, 150]);
    expect(calls.map((c) => c.length)).toEqual([30, 60, 150]);
    expect(calls[1].slice(0, 30)).toEqual(calls[0]);
    expect(calls[2].slice(0, 60)).toEqual(calls[1]);
    expect(new Set(calls[2]).size).toBe(150);
    expect(curve[0].balancedAccuracy).toBe(0);
    expect(curve[3].tp + curve[3].fn).toBe(60);
    expect(curve[3].balancedAccuracy).toBeCloseTo(0.5, 12);
    expect(curve[2].labelledPositive).toBe(calls[1].filter((i) => poolY[i] === 1).length);
    await expect(simulateLoop(poolY, testY, model, {schedule: [0, 50, 50], strategy: "random"})).rejects.toThrow("schedule must increase");
  });
});

describe("held-out split of a user's labels", () => {
  it("holds out the share of each class, keeps order, shares no record", () => {
    const n = 103;
    const s: LabeledSet = {x: Float32Array.from({length: n * 2}, (_, i) => i), y: Float32Array.from({length: n}, (_, i) => (i % 4 === 0 ? 0 : 1)), detector: new Int32Array(n), labelClass: new Int32Array(n), samples: 2};
    const {train, heldOut, heldOutIndices} = holdOutSplit(s, 0.25, new Rng(1));
    const neg = s.y.filter((y) => y === 0).length;
    expect(heldOut.y.filter((y) => y === 0).length).toBe(Math.round(0.25 * neg));
    expect(heldOut.y.filter((y) => y === 1).length).toBe(Math.round(0.25 * (n - neg)));
    expect(train.y.length + heldOut.y.length).toBe(n);
    expect([...heldOutIndices]).toEqual([...heldOutIndices].sort((a, b) => a - b));
    // Records travel with their labels.
    for (const [k, i] of heldOutIndices.entries()) {
      expect(heldOut.x[2 * k]).toBe(2 * i);
      expect(heldOut.y[k]).toBe(s.y[i]);
    }
    expect(() => holdOutSplit(s, 1, new Rng(1))).toThrow("held-out fraction must be in (0, 1)");
  });
});
