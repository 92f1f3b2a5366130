// Robust axis domains (lib/plot/robustDomain.ts), outliers clamped and marked by the raster
// scatter, log axes, and figures that survive a first render with width 0.

import {JSDOM} from "jsdom";
import * as Plot from "@observablehq/plot";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {robustDomain} from "../lib/plot/robustDomain.js";
import {applyScale, invertScale, rasterScatter, rgba, type LinearScale} from "../lib/plot/rasterScatter.js";
import {selectableScatter, MIN_WIDTH} from "../lib/plot/selectableScatter.js";

/** 200 rise times as the demo has them: a bulk at 1–2 ms and four records at 130–210 ms. */
function riseTimes(): Float64Array {
  const v = Float64Array.from({length: 196}, (_, i) => 1 + (i % 50) / 50);
  return Float64Array.of(...v, 130, 150, 180, 210);
}

describe("robustDomain", () => {
  it("shows the bulk and counts the far outliers", () => {
    const {domain, below, above} = robustDomain(riseTimes());
    // The bulk (1–1.98 ms) takes a third of the axis instead of half a percent of 0–210 ms.
    expect(domain[0]).toBeGreaterThan(0.8);
    expect(domain[1]).toBeGreaterThan(1.98);
    expect(0.98 / (domain[1] - domain[0])).toBeGreaterThan(0.3);
    expect(below).toBe(0);
    expect(above).toBe(4);
  });

  it("keeps the full extent when the extremes are close to the bulk", () => {
    const v = Float64Array.from({length: 1000}, (_, i) => i / 999);
    const {domain, below, above} = robustDomain(v);
    // Padded by 3 % of the span on each side, nothing clamped.
    expect(domain[0]).toBeCloseTo(-0.03, 12);
    expect(domain[1]).toBeCloseTo(1.03, 12);
    expect(below + above).toBe(0);
    // quantiles [0, 1] is the full (padded) extent whatever the outliers.
    const full = robustDomain(riseTimes(), {quantiles: [0, 1]});
    expect(full.domain[1]).toBeGreaterThan(210);
    expect(full.above).toBe(0);
  });

  it("works in log10 on log axes, non-positive values counting as below", () => {
    const v = Float64Array.of(0, -1, ...Array.from({length: 200}, (_, i) => 10 ** (-3 + (3 * i) / 199)), NaN, Infinity);
    const {domain, below, above} = robustDomain(v, {type: "log"});
    expect(below).toBe(2);
    expect(above).toBe(0);
    // Padded in log space: 3 % of 3 decades beyond 10⁻³ and 1.
    expect(Math.log10(domain[0])).toBeCloseTo(-3.09, 10);
    expect(Math.log10(domain[1])).toBeCloseTo(0.09, 10);
  });

  it("gives a visible interval for one value or none, and rejects bad quantiles", () => {
    expect(robustDomain(Float64Array.of(2, 2, 2)).domain).toEqual([1, 3]);
    expect(robustDomain(Float64Array.of(NaN)).domain).toEqual([0, 1]);
    expect(robustDomain([], {type: "log"}).domain).toEqual([0.1, 10]);
    expect(() => robustDomain([1, 2], {quantiles: [0.9, 0.1]})).toThrow(/quantiles must satisfy/);
  });
});

describe("log scales", () => {
  it("map decades to equal pixel steps and invert exactly", () => {
    const s: LinearScale = {domain: [1e-3, 10], range: [0, 400], type: "log"};
    expect(applyScale(s, 1e-3)).toBeCloseTo(0, 12);
    expect(applyScale(s, 1e-2)).toBeCloseTo(100, 12);
    expect(applyScale(s, 1)).toBeCloseTo(300, 12);
    expect(invertScale(s, 200)).toBeCloseTo(0.1, 14);
    expect(applyScale(s, 0)).toBe(-Infinity);
  });
});

describe("rasterScatter outliers and frame sizes", () => {
  const red = rgba(255, 0, 0);
  const base = {palette: Uint32Array.of(red), width: 100, height: 60, pointSize: 2};
  const xScale: LinearScale = {domain: [0, 10], range: [10, 90]};
  const yScale: LinearScale = {domain: [0, 5], range: [50, 10]};

  it("draws points beyond the domain hollow on the frame's edge when clamping", () => {
    const x = Float64Array.of(5, 500, 5), y = Float64Array.of(2.5, 2.5, NaN);
    const colour = new Uint8Array(3);
    const off = rasterScatter({...base, x, y, colour, xScale, yScale});
    // Without clamping x = 500 lies off the canvas: left out.
    expect(off.drawn).toBe(1);
    expect(off.clamped).toBe(0);
    const on = rasterScatter({...base, x, y, colour, xScale, yScale, clamp: true});
    expect(on.drawn).toBe(2);
    expect(on.clamped).toBe(1);
    // A 4 × 4 hollow square centred on the right edge (x = 90): 12 border pixels, its centre empty.
    const at = (px: number, py: number) => on.pixels[py * 100 + px];
    const edge = Array.from({length: 8}, (_, k) => 86 + k).flatMap((px) => Array.from({length: 8}, (_, k) => [px, 26 + k]));
    const painted = edge.filter(([px, py]) => at(px, py) === red);
    expect(painted.length).toBe(12);
    expect([Math.min(...painted.map(([px]) => px)), Math.max(...painted.map(([px]) => px))]).toEqual([88, 91]);
    expect(at(89, 30)).toBe(0);
    // The point inside: a filled 2 × 2 square at (50, 30).
    expect([at(49, 29), at(50, 29), at(49, 30), at(50, 30)]).toEqual([red, red, red, red]);
  });

  it("puts non-positive values of a log axis on its lower edge", () => {
    const r = rasterScatter({...base, x: Float64Array.of(0, 1), y: Float64Array.of(1, 1), colour: new Uint8Array(2), xScale: {domain: [0.1, 10], range: [10, 90], type: "log"}, yScale, clamp: true});
    expect(r.drawn).toBe(2);
    expect(r.clamped).toBe(1);
    const row = 42; // y = 1 → 50 − 8
    expect(r.pixels[row * 100 + 10 - 2]).toBe(red); // hollow square's left border at the left edge
  });

  it("draws nothing, without throwing, in a frame of width 0 or less", () => {
    for (const width of [0, -34, NaN]) {
      const r = rasterScatter({...base, width, x: Float64Array.of(1), y: Float64Array.of(1), colour: new Uint8Array(1), xScale, yScale});
      expect(r.pixels.length).toBe(0);
      expect(r.drawn).toBe(0);
    }
  });
});

describe("selectableScatter on a first render", () => {
  const dom = new JSDOM("");
  const g = globalThis as Record<string, unknown>;
  const saved = {document: g.document, window: g.window};
  beforeAll(() => {
    // jsdom has no 2-d canvas; this one fails as browsers do for a frame without pixels.
    (dom.window.HTMLCanvasElement.prototype as unknown as {getContext: unknown}).getContext = () => ({
      createImageData: (w: number, h: number) => {
        if (!(w > 0 && h > 0)) throw new RangeError(`Invalid typed array length: ${w * h * 4}`);
        return {data: new Uint8ClampedArray(w * h * 4), width: w, height: h};
      },
      putImageData: () => {}
    });
    Object.assign(g, {document: dom.window.document, window: dom.window});
  });
  afterAll(() => Object.assign(g, saved));

  it("draws at the smallest width instead of throwing when the page's width is 0", () => {
    const x = riseTimes(), y = riseTimes().reverse();
    const s = selectableScatter(Plot, {x, y, width: 0 - 34, height: 480});
    expect(s.xScale.range).toEqual([64, MIN_WIDTH - 20]);
    expect(s.element.style.width).toBe(`${MIN_WIDTH}px`);
    s.draw({colour: new Uint8Array(x.length), palette: Uint32Array.of(rgba(0, 0, 255))});
    expect(Number(s.element.dataset.drawn)).toBe(x.length);
    // Four rise times beyond the robust domain on each axis: 8 points drawn on an edge.
    expect(s.outliers.x.above).toBe(4);
    expect(s.outliers.y.above).toBe(4);
    expect(Number(s.element.dataset.clamped)).toBe(8);
    // No <rect> of the axes has a negative size.
    for (const rect of Array.from(s.element.querySelectorAll("rect"))) {
      expect(Number(rect.getAttribute("width") ?? 0)).toBeGreaterThanOrEqual(0);
      expect(Number(rect.getAttribute("height") ?? 0)).toBeGreaterThanOrEqual(0);
    }
  });

  it("draws log axes with physicists' ticks and selects a lasso in log space", () => {
    const x = Float64Array.from({length: 100}, (_, i) => 10 ** (-4 + (4 * i) / 99));
    const y = Float64Array.from(x);
    let picked: Uint32Array | undefined;
    const s = selectableScatter(Plot, {x, y, width: 400, height: 300, xType: "log", yType: "log", onSelect: (sel) => (picked = sel.indices)});
    const labels = Array.from(s.element.querySelectorAll('g[aria-label="x-axis tick label"] text'), (t) => t.textContent);
    expect(labels).toContain("10⁻⁴");
    expect(labels).toContain("0.01");
    expect(labels.some((l) => /[mµ]$/.test(l ?? ""))).toBe(false);
    // A lasso around the lower half of the diagonal, up to halfway (in log10) between points
    // 49 and 50: on the screen a square, in the data a square in log10, holding points 0…49.
    const mid = Math.sqrt(x[49] * x[50]);
    const [px0, py0] = [applyScale(s.xScale, 1e-4 / 1.5), applyScale(s.yScale, 1e-4 / 1.5)];
    const [px1, py1] = [applyScale(s.xScale, mid), applyScale(s.yScale, mid)];
    const overlay = s.element.querySelector("svg.selection-overlay") as unknown as SVGSVGElement;
    overlay.getBoundingClientRect = () => ({left: 0, top: 0}) as DOMRect;
    (overlay as unknown as {setPointerCapture: () => void}).setPointerCapture = () => {};
    s.setMode("lasso");
    const fire = (type: string, cx: number, cy: number) => {
      const e = new dom.window.MouseEvent(type, {clientX: cx, clientY: cy, button: 0});
      Object.defineProperty(e, "pointerId", {value: 1});
      overlay.dispatchEvent(e);
    };
    fire("pointerdown", px0, py0);
    fire("pointermove", px1, py0);
    fire("pointermove", px1, py1);
    fire("pointermove", px0, py1);
    fire("pointerup", px0, py0);
    expect(picked && Array.from(picked)).toEqual(Array.from({length: 50}, (_, i) => i));
  });
});
