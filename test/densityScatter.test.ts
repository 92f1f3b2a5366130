// The density raster of the scatter (lib/plot/densityBins.ts) and its use by selectableScatter:
// counts per cell equal a direct count, points beyond the domain sit in the edge cells and are
// counted, log axes bin by decade, a selection recolours without binning again, and a zoom
// (brush, double click) changes the domain and the outlier counts.

import * as Plot from "@observablehq/plot";
import {quantileSorted} from "d3";
import {describe, expect, it} from "vitest";
import {Rng} from "../lib/math/random.js";
import {binPoints, cellColours, countBeyond, densityLevel, densityPixels, selectionPixels, subsetCounts} from "../lib/plot/densityBins.js";
import {densityRamp} from "../lib/plot/palette.js";
import {rgba, type LinearScale} from "../lib/plot/rasterScatter.js";
import {robustDomain} from "../lib/plot/robustDomain.js";
import {DENSITY_THRESHOLD, selectableScatter} from "../lib/plot/selectableScatter.js";
import {figureDom} from "./support/figureDom.js";

// One data unit per cell: x ∈ [0, 100] → pixels [0, 200], y ∈ [0, 100] → pixels [200, 0], cells of 2 px.
const X: LinearScale = {domain: [0, 100], range: [0, 200]};
const Y: LinearScale = {domain: [0, 100], range: [200, 0]};

function gaussianCloud(n: number, seed: number): {x: Float64Array; y: Float64Array} {
  const rng = new Rng(seed);
  return {x: Float64Array.from({length: n}, () => rng.normal(50, 15)), y: Float64Array.from({length: n}, () => rng.normal(40, 10))};
}

describe("binPoints", () => {
  it("counts per cell equal a direct count, outliers in the edge cells and counted", () => {
    const {x, y} = gaussianCloud(100_000, 7);
    x[0] = NaN; // left out
    const g = binPoints(x, y, X, Y, 2);
    expect([g.cols, g.rows]).toEqual([100, 100]);
    // The direct count: the cell of (x, y) is (floor(x), 99 − floor(y)), clamped to the frame.
    const direct = new Uint32Array(100 * 100);
    let beyond = 0;
    const clampCell = (v: number) => Math.min(99, Math.max(0, v));
    for (let i = 1; i < x.length; ++i) {
      const c = clampCell(Math.floor(x[i])), r = clampCell(Math.floor(100 - y[i]));
      ++direct[r * 100 + c];
      if (x[i] < 0 || x[i] > 100 || y[i] < 0 || y[i] > 100) ++beyond;
    }
    expect(Array.from(g.counts)).toEqual(Array.from(direct));
    expect(g.binned).toBe(99_999);
    expect(g.binOf[0]).toBe(-1);
    // A normal(50, 15) has 0.09 % beyond [0, 100] on x; normal(40, 10) 0.003 % on y: ≈ 90 points.
    expect(beyond).toBeGreaterThan(50);
    expect(g.clamped).toBe(beyond);
    let flagged = 0;
    for (const f of g.outside) flagged += f;
    expect(flagged).toBe(beyond);
    // Every point left of the domain sits in column 0.
    for (let i = 1; i < x.length; ++i) if (x[i] < 0) expect(g.binOf[i] % 100).toBe(0);
  });

  it("bins a log axis by decade and puts non-positive values below", () => {
    const x = Float64Array.of(1.5, 9.9, 10, 99, 150, 999, 0, -3, 5000);
    const y = new Float64Array(x.length).fill(50);
    const g = binPoints(x, y, {domain: [1, 1000], range: [0, 300], type: "log"}, Y, 100);
    // Cells of 100 px on a 100 px/decade axis: [1, 10), [10, 100), [100, 1000].
    expect(g.cols).toBe(3);
    const row = Math.floor(100 / 100); // y = 50 → pixel 100 → row 1 of 2
    const decade = (c: number) => g.counts[row * g.cols + c];
    expect([decade(0), decade(1), decade(2)]).toEqual([4, 2, 3]); // 1.5, 9.9, 0, −3 | 10, 99 | 150, 999, 5000
    expect(g.clamped).toBe(3); // 0, −3 below; 5000 above
  });

  it("rejects mismatched columns and fractional cells", () => {
    expect(() => binPoints([1, 2], [1], X, Y)).toThrow(/x has 2 values but y has 1/);
    expect(() => binPoints([1], [1], X, Y, 1.5)).toThrow(/whole number/);
  });
});

describe("densityPixels", () => {
  it("recolours the cells of a selection and keeps the density elsewhere", () => {
    const {x, y} = gaussianCloud(20_000, 11);
    const g = binPoints(x, y, X, Y, 2);
    const ramp = densityRamp(16);
    // The selection: points with 45 ≤ x < 47 (two columns of cells), found by value.
    const selected = Uint32Array.from(Array.from(x.keys()).filter((i) => x[i] >= 45 && x[i] < 47));
    const per = subsetCounts(g, selected);
    expect(per.reduce((a, b) => a + b, 0)).toBe(selected.length);
    const mark = rgba(1, 2, 3);
    const px = densityPixels(g, {width: 200, height: 200, ramp, selected: per, highlightColour: mark});
    // Pixel (x = 2c, y = 2r) is the top-left pixel of cell (c, r).
    const at = (c: number, r: number) => px[2 * r * 200 + 2 * c];
    let max = 0, maxCell = 0;
    for (let b = 0; b < g.counts.length; ++b) if (g.counts[b] > max) [max, maxCell] = [g.counts[b], b];
    for (let r = 0; r < 100; ++r) {
      for (const c of [44, 45, 46, 47]) {
        const n = g.counts[r * 100 + c];
        const expected = n === 0 ? 0 : c === 45 || c === 46 ? mark : ramp[densityLevel(n, max, 16)];
        expect(at(c, r)).toBe(expected);
      }
    }
    // The densest cell (if not selected) has the darkest colour.
    if (per[maxCell] === 0) expect(at(maxCell % 100, Math.floor(maxCell / 100))).toBe(ramp[15]);
  });

  it("draws the selection as a layer that, over the density, gives the same pixels as one drawing", () => {
    const {x, y} = gaussianCloud(30_000, 13);
    const g = binPoints(x, y, X, Y, 2);
    const ramp = densityRamp(16);
    const colour = Uint8Array.from(x, (v) => (v > 70 ? 2 : 0));
    const cells = cellColours(g, colour);
    const palette = Uint32Array.of(rgba(0, 0, 0), rgba(9, 9, 9), rgba(200, 10, 10));
    const selected = Uint32Array.from(Array.from(x.keys()).filter((i) => y[i] > 45 && x[i] < 40));
    const per = subsetCounts(g, selected);
    const [mark, focusColour, focus] = [rgba(1, 2, 3), rgba(250, 160, 0), selected[7]];
    const one = densityPixels(g, {width: 200, height: 200, ramp, cellColour: cells, palette, selected: per, highlightColour: mark, focus, focusColour});
    const base = densityPixels(g, {width: 200, height: 200, ramp, cellColour: cells, palette});
    const layer = selectionPixels(g, {width: 200, height: 200, selected: per, highlightColour: mark, focus, focusColour});
    const composited = base.map((p, i) => (layer[i] !== 0 ? layer[i] : p));
    expect(composited).toEqual(one);
    // The layer holds the selected cells (and the focus square) only.
    let layerCells = 0;
    for (let b = 0; b < per.length; ++b) if (per[b] > 0) ++layerCells;
    expect(layerCells).toBeGreaterThan(100);
    expect(layer.filter((p) => p === mark).length).toBeGreaterThanOrEqual(4 * (layerCells - 9));
    expect(layer.filter((p) => p === focusColour).length).toBe(36);
  });

  it("colours a cell by the last labelled point in drawing order", () => {
    const x = Float64Array.of(10.2, 10.5, 10.7, 60.1), y = Float64Array.of(20.1, 20.3, 20.9, 70);
    const g = binPoints(x, y, X, Y, 2);
    const cells = cellColours(g, Uint8Array.of(0, 3, 1, 0), Uint32Array.of(0, 2, 1, 3));
    expect(cells[g.binOf[0]]).toBe(3); // order 0, 2 (class 1), 1 (class 3): class 3 last
    expect(cells[g.binOf[3]]).toBe(-1);
  });

  it("maps counts to ramp levels on a log scale", () => {
    expect(densityLevel(0, 1000, 64)).toBe(0);
    expect(densityLevel(1, 1000, 64)).toBe(0);
    expect(densityLevel(1000, 1000, 64)).toBe(63);
    // 32 points of 1024: log(32)/log(1024) = half way.
    expect(densityLevel(33, 1025, 65)).toBe(32);
  });
});

describe("robust domains of a known distribution", () => {
  it("finds the bulk's quantiles as d3.quantileSorted does on the sorted values (quickselect, not a sort)", () => {
    const rng = new Rng(21);
    for (const [n, type] of [[1, "linear"], [2, "log"], [7, "linear"], [1000, "log"], [20_001, "linear"], [20_001, "log"]] as const) {
      // Repeated values, non-finite and non-positive ones mixed in.
      const v = Float64Array.from({length: n}, (_, i) => (i % 97 === 5 ? NaN : i % 89 === 3 ? -1 : Math.round(rng.normal(10, 3) * 4) / 4 + (i % 13 === 0 ? 500 : 0)));
      const kept = Array.from(v).filter((x) => Number.isFinite(x) && (type !== "log" || x > 0)).map((x) => (type === "log" ? Math.log10(x) : x)).sort((a, b) => a - b);
      for (const q of [[0.05, 0.95], [0, 1], [0.25, 0.5]] as [number, number][]) {
        const [lo, hi] = [quantileSorted(kept, q[0])!, quantileSorted(kept, q[1])!];
        const span = hi - lo || kept[kept.length - 1] - kept[0];
        let a = Math.max(kept[0], lo - 2 * span), b = Math.min(kept[kept.length - 1], hi + 2 * span);
        if (a === b) [a, b] = type === "log" ? [a - 0.5, b + 0.5] : [a - 0.5 * (Math.abs(a) || 1), b + 0.5 * (Math.abs(a) || 1)];
        else [a, b] = [a - (b - a) * 0.03, b + (b - a) * 0.03];
        const expected = type === "log" ? [10 ** a, 10 ** b] : [a, b];
        expect(robustDomain(v, {type, quantiles: q}).domain).toEqual(expected);
      }
    }
  });

  it("keeps the bulk of a normal distribution and counts the far outliers", () => {
    const rng = new Rng(3);
    const v = Float64Array.from({length: 100_050}, (_, i) => (i < 100_000 ? rng.normal(1.5, 0.02) : 100 + i - 100_000));
    const {domain, below, above} = robustDomain(v);
    // Bulk 5–95 %: 1.5 ± 1.645σ; reach 2 bulk widths → ± 8.2σ cut to the data's extent.
    expect(domain[0]).toBeLessThan(1.5 - 4 * 0.02);
    expect(domain[1]).toBeGreaterThan(1.5 + 4 * 0.02);
    expect(domain[1]).toBeLessThan(2);
    expect(above).toBe(50);
    expect(below).toBe(0);
    expect(countBeyond(v, domain)).toEqual({below, above});
  });
});

describe("selectableScatter as a density raster", () => {
  const dom = figureDom();

  it("zooms into a brushed rectangle, counts what falls outside, and resets on double click", () => {
    const n = DENSITY_THRESHOLD + 5000;
    const {x, y} = gaussianCloud(n, 5);
    const s = selectableScatter(Plot, {x, y, width: 500, height: 400});
    expect(s.density).toBe(true);
    s.draw({colour: new Uint8Array(n), palette: Uint32Array.of(rgba(0, 0, 255))});
    expect(Number(s.element.dataset.drawn)).toBe(n);
    const home = [s.xScale.domain, s.yScale.domain];
    // Brush in zoom mode from data (40, 45) to (60, 35).
    const overlay = s.element.querySelector("svg.selection-overlay") as unknown as SVGSVGElement;
    overlay.getBoundingClientRect = () => ({left: 0, top: 0}) as DOMRect;
    (overlay as unknown as {setPointerCapture: () => void}).setPointerCapture = () => {};
    const fire = (type: string, cx: number, cy: number) => {
      const e = new dom.window.MouseEvent(type, {clientX: cx, clientY: cy, button: 0});
      Object.defineProperty(e, "pointerId", {value: 1});
      overlay.dispatchEvent(e);
    };
    const px = (v: number) => s.xScale.range[0] + ((v - s.xScale.domain[0]) / (s.xScale.domain[1] - s.xScale.domain[0])) * (s.xScale.range[1] - s.xScale.range[0]);
    const py = (v: number) => s.yScale.range[0] + ((v - s.yScale.domain[0]) / (s.yScale.domain[1] - s.yScale.domain[0])) * (s.yScale.range[1] - s.yScale.range[0]);
    let selections = 0;
    const t = selectableScatter(Plot, {x, y, width: 500, height: 400, mode: "zoom", onSelect: () => ++selections});
    t.draw({colour: new Uint8Array(n), palette: Uint32Array.of(rgba(0, 0, 255))});
    const tOverlay = t.element.querySelector("svg.selection-overlay") as unknown as SVGSVGElement;
    tOverlay.getBoundingClientRect = () => ({left: 0, top: 0}) as DOMRect;
    (tOverlay as unknown as {setPointerCapture: () => void}).setPointerCapture = () => {};
    const fireT = (type: string, cx: number, cy: number) => {
      const e = new dom.window.MouseEvent(type, {clientX: cx, clientY: cy, button: 0});
      Object.defineProperty(e, "pointerId", {value: 1});
      tOverlay.dispatchEvent(e);
    };
    fireT("pointerdown", px(40), py(45));
    fireT("pointermove", px(60), py(35));
    fireT("pointerup", px(60), py(35));
    expect(selections).toBe(0);
    expect(t.xScale.domain[0]).toBeCloseTo(40, 9);
    expect(t.xScale.domain[1]).toBeCloseTo(60, 9);
    expect(t.yScale.domain[0]).toBeCloseTo(35, 9);
    expect(t.yScale.domain[1]).toBeCloseTo(45, 9);
    expect(t.element.dataset.zoomed).toBe("true");
    // Outliers of the zoomed axes, counted directly.
    let xb = 0, xa = 0, beyond = 0;
    for (let i = 0; i < n; ++i) {
      if (x[i] < t.xScale.domain[0]) ++xb;
      if (x[i] > t.xScale.domain[1]) ++xa;
      if (x[i] < t.xScale.domain[0] || x[i] > t.xScale.domain[1] || y[i] < t.yScale.domain[0] || y[i] > t.yScale.domain[1]) ++beyond;
    }
    expect([t.outliers.x.below, t.outliers.x.above]).toEqual([xb, xa]);
    expect(Number(t.element.dataset.clamped)).toBe(beyond);
    expect(JSON.parse(t.element.dataset.xDomain!)[0]).toBeCloseTo(40, 9);
    // Double click: back to the robust default domains.
    tOverlay.dispatchEvent(new dom.window.MouseEvent("dblclick"));
    expect([t.xScale.domain, t.yScale.domain]).toEqual(home);
    expect(t.element.dataset.zoomed).toBe("false");
    // The first scatter, in selection mode, still selects rather than zooms.
    fire("pointerdown", px(40), py(45));
    fire("pointermove", px(60), py(35));
    fire("pointerup", px(60), py(35));
    expect(s.xScale.domain).toEqual(home[0]);
  });
});
