// The kernels around PFFFT's transforms working in PFFFT's own heap (lib/dsp/kernels/instance.ts,
// data-loaders/io/pffftNode.ts): in Node the heap is PFFFT's, and the SEV fit, the OF amplitudes
// and the NPS's sums read and write the transforms' buffers in place. Each gives, to the bit, what
// the same kernels give in a heap of their own (copying through it), also when laying out for a
// longer record grows PFFFT's memory under the views the caller holds.

import {afterAll, describe, expect, it} from "vitest";
import {sharePffftHeap} from "../data-loaders/io/pffftNode.js";
import {loadPffft} from "../lib/dsp/realConvolver.js";
import {kernelHeap, shareKernelHeap, type KernelHeap} from "../lib/dsp/kernels/instance.js";
import {realTransforms} from "../lib/dsp/fastRealFft.js";
import {fitRecord, prepareSevFit, type SevFitResult} from "../lib/dsp/sevFit.js";
import {ofBatch} from "../lib/dsp/ofBatch.js";
import {optimumFilter} from "../lib/dsp/optimumFilter.js";
import {spectrumPowerSum} from "../lib/dsp/ofPeakKernel.js";
import {Rng} from "../lib/math/random.js";

sharePffftHeap();
const pffft = await loadPffft();
const shared = kernelHeap();

/**
 * `compute` with the kernels in their own heap, then in PFFFT's, through a double that counts the
 * blocks the kernels take there (so that they are seen to lay out in it).
 */
async function inBothHeaps<T>(compute: () => T | Promise<T>): Promise<{own: T; pffft: T}> {
  shareKernelHeap(undefined);
  const own = await compute();
  let blocks = 0;
  const counting: KernelHeap = {memory: shared.memory, allocate: (b) => (blocks++, shared.allocate(b)), release: (at) => shared.release(at)};
  shareKernelHeap(counting);
  const inPlace = await compute();
  expect(blocks).toBeGreaterThan(0);
  shareKernelHeap(shared);
  return {own, pffft: inPlace};
}

afterAll(() => shareKernelHeap(shared));

/** A pulse of n samples (rise 20, decay 400 samples) starting at `at`. */
const pulse = (n: number, at: number) => Float64Array.from({length: n}, (_, i) => (i < at ? 0 : Math.exp(-(i - at) / 400) - Math.exp(-(i - at) / 20)));

function records(n: number, count: number, seed: number): Float32Array[] {
  const rng = new Rng(seed);
  return Array.from({length: count}, () => {
    const a = 0.8 * rng.uniform(), at = (n >> 2) + Math.floor(60 * (rng.uniform() - 0.5)), p = pulse(n, at);
    return Float32Array.from({length: n}, (_, i) => 0.7 + a * p[i] + 2e-3 * rng.normal());
  });
}

const fitBits = (f: SevFitResult) => [f.height_V, f.onsetShift_ms, f.rms_V, ...f.baseline_V];

describe("kernels in PFFFT's heap", () => {
  it("is PFFFT's memory where Node gave realConvolver.ts the binary", () => {
    expect(shared.memory.buffer).toBe(pffft.HEAPF32.buffer);
  });

  it("fits SEVs as in their own heap, to the bit, also when laying out grows PFFFT's memory", async () => {
    // 2²⁰ samples after 4096: the kernel's blocks for the longer records (40 MB, kept spectra and buffers)
    // do not fit in PFFFT's heap as it was, so laying out grows it while the fit holds the
    // transform's input view (sevFitKernel.ts readyFor takes its address before).
    for (const n of [4096, 1 << 20]) {
      const layout = {recordLength: n, sampleFrequency_Hz: 25000, triggerIndex: n >> 2};
      const transforms = realTransforms(pffft, n);
      const plan = prepareSevFit(pulse(n, n >> 2), layout, {transforms, maxShift_ms: 2});
      const recs = records(n, n > 4096 ? 3 : 20, n);
      const before = shared.memory.buffer.byteLength;
      const {own, pffft: inPlace} = await inBothHeaps(() => recs.map((r) => fitBits(fitRecord(plan, r))));
      if (n > 4096) expect(shared.memory.buffer.byteLength).toBeGreaterThan(before);
      expect(inPlace).toEqual(own);
      expect(own.every((f) => f.every(Number.isFinite))).toBe(true);
      transforms.dispose();
    }
  });

  it("gives ofBatch's amplitudes and the NPS's power sums as in their own heap, to the bit", async () => {
    const n = 4096;
    const sev = pulse(n, 1000);
    const psd = Float64Array.from({length: n / 2 + 1}, (_, k) => 1e-12 * (1 + 100 / (1 + k)));
    const of = optimumFilter(sev, psd, {recordLength: n, sampleFrequency_Hz: 25000, triggerIndex: 1024}, {caitCompatible: true});
    expect(of.window).not.toBeNull();
    const recs = records(n, 30, 5);
    const amplitudes = await inBothHeaps(async () => {
      const batch = await ofBatch(of);
      const got = recs.map((r) => {
        const a = batch.amplitude(r);
        return [a.amplitude_V, a.index];
      });
      batch.dispose();
      return got;
    });
    expect(amplitudes.pffft).toEqual(amplitudes.own);
    expect(new Set(amplitudes.own.map(([a]) => a)).size).toBe(recs.length);

    const transforms = realTransforms(pffft, n);
    const sums = await inBothHeaps(() => {
      const power = spectrumPowerSum(n);
      for (const r of recs) {
        transforms.input!().set(r);
        power.add(transforms.spectrumOfInput!());
      }
      const values = power.values();
      power.dispose();
      return Array.from(values);
    });
    transforms.dispose();
    expect(sums.pffft).toEqual(sums.own);
    expect(sums.own[1]).toBeGreaterThan(0);
  });
});
