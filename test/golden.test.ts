// The refactor guard: every user-facing output on fixed seeds equals what it was before the
// house was rebuilt (test/golden/golden.json, captured on the old layout), to 1e-12 relative.
import {readFileSync} from "node:fs";
import {describe, expect, it} from "vitest";
import {computeGolden, GOLDEN_FILE, type Golden} from "./golden/outputs.js";

const golden = JSON.parse(readFileSync(GOLDEN_FILE, "utf8")) as Golden;

/**
 * Documented changes, each with its reason; everything else must agree to 1e-12.
 * - One erf (lib/math/special.ts, Numerical Recipes erfc, relative error < 1.2e-7) replaced
 *   the line fit's own Abramowitz–Stegun 7.1.26 (absolute error 1.5e-7). erf only sets the
 *   start of the binned Poisson line fit, which stops at a 1e-9 relative change of the
 *   deviance, so its results are defined to ~1e-9: they moved by ≤ 1.5e-9 relative.
 * - process/summary channels[].optimumFilter.predictedResolution_V was recaptured (issue 16): the
 *   prediction is now the exact variance of the windowed OF amplitude (lib/dsp/optimumFilter.ts
 *   `predictedResolution`), not the no-window formula; it moved by +0.25 % and +0.05 %.
 * - The simulator writes what it knows of its records (issue 16: metainfo/unit,
 *   metainfo/trigger_index, metainfo/channel_names): the simulated file grew by 971 bytes, so
 *   golden.json's process/summary `input.size_bytes` is 31491685 (was 31490714). Every
 *   dataset, table and number is unchanged.
 * - rise_time_ms (features, process/events, process/testpulses, process/noise) was recaptured
 *   (issue 18): the 20 % and 80 % crossings are interpolated between samples
 *   (lib/dsp/features.ts interpolatedRise). Counted in whole samples, the demo's pulses, which
 *   share one shape, took only 1.48 or 1.52 ms. Every value moved by less than one sample
 *   (0.04 ms). classify-trees (probability, SHAP) was recaptured with it: rise time is one of
 *   the trees' inputs. Nothing else moved by more than 1e-12.
 * - fit_height_V, fit_onset_shift_ms, fit_rms_V (process/events, testpulses, noise) were
 *   recaptured (issue 17): the SEV fit refines the shift by Brent's method to 1e-4 sample
 *   (was golden section to 1e-3), seeded by the best integer lags, fits r − baseline, and stops
 *   at the lags searched (±maxShift) instead of up to one sample beyond. Clean pulses moved by
 *   ≤ 2e-9 (test pulses); noise records, whose optimum is flat, moved within their noise
 *   (heights of a few µV by up to 54 %, shifts by ≤ 1.2 %).
 * - fit_height_V, fit_onset_shift_ms, fit_rms_V (process/events, testpulses, noise) were
 *   recaptured again (issue 17): the SEV fit locates the shift on float32 (PFFFT) spectra and
 *   computes h and χ² at that shift from inner products with the shifted SEV itself, no longer
 *   from a 4-point Lagrange interpolation of ⟨Q_j, s_δ⟩, which was off by up to 1.2e-5 of the
 *   RMS of big pulses (against a direct float64 least-squares fit with the residual summed: new
 *   ≤ 2.2e-7, old 1.2e-5, 358 pulses of bench/cli-throughput's file). Rows with |h| ≥ 20·RMS
 *   moved by ≤ 3.2e-7 (height, relative), ≤ 1.4e-6 ms = 3.5e-5 sample (shift), ≤ 2.7e-5 (RMS,
 *   relative: the old interpolation's error); the others by ≤ 1.7e-5 RMS (height), ≤ 1.6e-6 ms,
 *   ≤ 1e-5 (RMS). The calibration summary moved by ≤ 1.5e-9 (within its 1e-8 above).
 * - fit_height_V, fit_onset_shift_ms, fit_rms_V (process/events, testpulses, noise) were
 *   recaptured a third time (issue 17, per-record kernels): the fractional shift comes from
 *   Newton's steps on the score (c, c′, c″ in one pass over the cross-spectrum, the last step
 *   ≤ 1e-2 sample; Brent's method stays the fallback), and ⟨Q_j, s_δ⟩ between lags from a quintic through their exact values and
 *   first two derivatives, no longer a 4-point Lagrange cubic (whose kinks at every lag stopped
 *   Newton's steps at false optima, and whose error moved the old optimum). Against the float64
 *   least squares' χ² minimum (159 records with |h| ≥ 20·RMS of bench/cli-throughput's file) the
 *   shift is now within 3.5e-6 sample (median), 1.2e-4 (95 %), 1.2e-3 (max); it was 1.5e-5,
 *   3.9e-4, 0.11. Rows with |h| ≥ 20·RMS moved by ≤ 3e-7 (height, relative), ≤ 1.6e-3 ms =
 *   0.04 sample (shift), ≤ 8.8e-7 (RMS, relative); the others by ≤ 3.3e-6 RMS (height),
 *   ≤ 4e-3 ms, ≤ 4.1e-8 (RMS). The SEV's phase ramp runs as two interleaved recurrences, and
 *   the cross-spectrum R·conj(S) that locates the shift is multiplied in float32 (PFFFT's
 *   zconvolve) where it was float64 products of the float32 spectrum. On bench/cli-throughput's
 *   3,000-event file (8,400 records through the CLI) rows with |h| ≥ 20·RMS moved by ≤ 1.5e-6
 *   (height), ≤ 6.2e-3 ms (shift), ≤ 2.3e-6 (RMS); the others by ≤ 5.6e-5 RMS, ≤ 3.9e-2 ms,
 *   ≤ 1.5e-6. There the fit RMS rose by at most 2.4e-7 relative (float32 rounding) and fell by
 *   up to 2.3e-6 where the old steps had stopped at a false optimum.
 *   `npx tsx test/golden/outputs.ts --write --columns fit_height_V,fit_onset_shift_ms,fit_rms_V`
 *   recaptures these columns alone. Nothing else moved by more than 1e-12 (the calibration
 *   summary by ≤ 1.5e-9, within its 1e-8 above).
 * - The feature table comes from a WebAssembly kernel (issue 17, lib/dsp/featureKernel.ts): the
 *   box-car runs as four chains, the sums in SIMD lanes. Every index is unchanged; values moved by
 *   rounding only, ≤ 1e-12 relative, except record_mean_V and record_skewness of noise records
 *   (means ~10⁻⁴ of their samples' scale, skewness near 0): ≤ 3.6e-12 and 1.9e-12 relative, 1e-11 allowed.
 * - fit_height_V, fit_onset_shift_ms, fit_rms_V (process/events, testpulses, noise) were
 *   recaptured a fourth time (issue 17, lib/dsp/sevFitKernel.ts): the SEV fit's two passes over
 *   the samples run in WebAssembly SIMD, their sums (Σv², the moments of the record and of the
 *   shifted SEV, ⟨r, s̃⟩) in four lanes added up at the end, not in sample order. The transform's
 *   input is unchanged to the bit; the sums differ by rounding, which moves Newton's converged
 *   shift within its own precision. Here heights moved by ≤ 1.8e-9 (events), 1.2e-9 (test
 *   pulses), 2.7e-8 (noise, µV heights) relative, shifts by ≤ 5e-8 relative, RMS by ≤ 1.4e-10.
 *   On bench/cli-throughput's 3,000-event file (8,400 records, bench/record-kernels.ts) rows with
 *   |h| ≥ 20·RMS moved by ≤ 1.5e-8 (height, relative), the others by ≤ 3.4e-7 RMS; shifts by
 *   ≤ 3.5e-6 ms (9e-5 sample), RMS by ≤ 2.1e-8 relative. The calibration summary moved by ≤ 1.5e-9
 *   (within its 1e-8 above); the OF columns are unchanged to the bit.
 * - The NPS of `process` is summed from PFFFT's float32 transforms (issue 17, lib/dsp/nps.ts
 *   NoiseSpectrumBuilder; fft.js's float64 transforms were most of the stage's time): every bin
 *   moved by ≤ 2.5e-7 relative (test/nps.test.ts bounds it to 1e-6 against the float64 spectrum
 *   and against cait's noise/nps), the filter's transfer function by ≤ 2.9e-7, the predicted and
 *   measured resolutions by ≤ 2e-8. Recaptured with them: of_amplitude_V (≤ 3.2e-6 relative, all
 *   rows), tpa_equivalent and energy_keV (≤ 5.5e-5 relative: noise-sized values), and the
 *   calibration summary (cpe ≤ 2.6e-8; the line's width and errors ≤ 3.3e-6). On
 *   bench/cli-throughput's 20,000-event file (56,000 records) OF amplitudes moved by ≤ 9e-4 of
 *   the measured resolution, rows above 20 σ by ≤ 7e-7 relative, and one event's OF time (two
 *   maxima within rounding); the line width of channel 0 by 1e-4 relative (0.7 % of its error).
 */
const CHANGED: {[output: string]: {[column: string]: number}} = {
  "process/noise": {"record_mean_V": 1e-11, "record_skewness": 1e-11},
  "process/summary": {
    "channels[].calibration.linePositionError_keV": 1e-8,
    "channels[].calibration.sigma_keV": 1e-8,
    "channels[].calibration.sigmaError_keV": 1e-8,
    "channels[].calibration.fwhm_keV": 1e-8
  }
};

/** Largest |a − b| / max(|b|, 1e-300) over two arrays, or Infinity when their shapes or non-numbers differ. */
function worstRelative(a: unknown, b: unknown): number {
  if (typeof a === "string" || typeof b === "string") return a === b ? 0 : Infinity;
  const x = a as (number | string)[], y = b as (number | string)[];
  if (x.length !== y.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < x.length; i++) {
    const u = x[i], v = y[i];
    if (typeof u !== "number" || typeof v !== "number") { if (u !== v) return Infinity; continue; }
    if (Number.isNaN(u) && Number.isNaN(v)) continue;
    if (u === v) continue;
    worst = Math.max(worst, Math.abs(u - v) / Math.max(Math.abs(v), 1e-300));
  }
  return worst;
}

describe("golden outputs (simulate, features, process, classify, trees, cuts, anomaly search)", () => {
  it("equal the outputs captured before the refactor, to 1e-12", async () => {
    const now = await computeGolden();
    expect(Object.keys(now).sort()).toEqual(Object.keys(golden).sort());
    const off: string[] = [];
    for (const [output, columns] of Object.entries(golden)) {
      expect(Object.keys(now[output]).sort(), output).toEqual(Object.keys(columns).sort());
      for (const [column, values] of Object.entries(columns)) {
        const r = worstRelative(now[output][column], values);
        if (!(r <= (CHANGED[output]?.[column] ?? 1e-12))) off.push(`${output}: ${column} differs (worst relative ${r})`);
      }
    }
    expect(off).toEqual([]);
  }, 300_000);
});
