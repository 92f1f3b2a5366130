// The zoom toolkit of lib/plot/zoom.ts on a Plot figure in jsdom, and the record viewer that uses
// it: a drag zooms into the dragged interval, a double-click goes back, the log toggle redraws
// with physicists' ticks, and a zoomed record viewer draws the window's samples one by one.

import * as Plot from "@observablehq/plot";
import {describe, expect, it} from "vitest";
import {brushDomain, validDomain, zoomable, MIN_DRAG_PX, type ZoomView, axisOptions} from "../lib/plot/zoom.js";
import {recordViewer, recordViewerPoints} from "../lib/plot/recordViewer.js";
import type {RecordLayout} from "../lib/types.js";
import {figureDom, pointerDrag} from "./support/figureDom.js";

describe("brushDomain", () => {
  it("inverts the dragged pixels in either order, and leaves a click alone", () => {
    const invert = (p: number) => 10 + p / 2;
    expect(brushDomain(invert, 80, 20)).toEqual([20, 50]);
    expect(brushDomain(invert, 20, 80)).toEqual([20, 50]);
    expect(brushDomain(invert, 20, 20 + MIN_DRAG_PX - 1)).toBeNull();
    // On a log axis a domain reaching 0 or below is no domain.
    expect(brushDomain((p) => p - 50, 0, 100, "log")).toBeNull();
    expect(validDomain([1e-5, 0.1], "log")).toBe(true);
    expect(validDomain([0, 0.1], "log")).toBe(false);
    expect(validDomain([2, 1], "linear")).toBe(false);
  });
});

describe("zoomable Plot figures", () => {
  const dom = figureDom();

  /** Pointer events on the figure's plot svg at svg pixels (the svg drawn at its own size). */
  function drag(root: Element, from: [number, number], to: [number, number]) {
    const svg = Array.from(root.querySelectorAll("svg")).find((s) => s.querySelector('g[aria-label="x-axis tick"]'))!;
    pointerDrag(dom, svg, from, to);
    return svg;
  }

  it("zooms into a dragged rectangle, and a double-click resets", () => {
    const data = Array.from({length: 101}, (_, i) => ({x: i, y: i * i}));
    const root = zoomable((view: ZoomView) => Plot.plot({width: 500, height: 300, x: axisOptions(view, "x"), y: axisOptions(view, "y"), marks: [Plot.dot(data, {x: "x", y: "y", clip: true})]}));
    const home = JSON.parse(root.dataset.xDomain!);
    expect(home).toEqual([0, 100]);
    const fig = root.firstElementChild as Element & {scale(n: string): {apply(v: number): number}};
    const sx = fig.scale("x"), sy = fig.scale("y");
    const svg = drag(root, [sx.apply(20), sy.apply(900)], [sx.apply(40), sy.apply(100)]);
    const x = JSON.parse(root.dataset.xDomain!), y = JSON.parse(root.dataset.yDomain!);
    expect(root.dataset.zoomed).toBe("true");
    expect(x[0]).toBeCloseTo(20, 9);
    expect(x[1]).toBeCloseTo(40, 9);
    expect(y[0]).toBeCloseTo(100, 9);
    expect(y[1]).toBeCloseTo(900, 9);
    // The axes show the zoomed range: no tick at 0 or 100 any more.
    const ticks = Array.from(root.querySelectorAll('g[aria-label="x-axis tick label"] text'), (t) => Number(t.textContent));
    expect(Math.min(...ticks)).toBeGreaterThanOrEqual(20);
    expect(Math.max(...ticks)).toBeLessThanOrEqual(40);
    // The old svg is gone; double-click on the new one.
    expect(svg.isConnected).toBe(false);
    const now = Array.from(root.querySelectorAll("svg")).find((s) => s.querySelector('g[aria-label="x-axis tick"]'))!;
    now.dispatchEvent(new dom.window.MouseEvent("dblclick"));
    expect(JSON.parse(root.dataset.xDomain!)).toEqual(home);
    expect(root.dataset.zoomed).toBe("false");
  });

  it("toggles a log axis with physicists' tick labels", () => {
    const data = Array.from({length: 50}, (_, i) => ({f: 10 ** (i / 10), p: 10 ** (-5 + i / 10)}));
    const root = zoomable((view) => Plot.plot({width: 500, height: 300, x: axisOptions(view, "x"), y: axisOptions(view, "y"), marks: [Plot.line(data, {x: "f", y: "p"})]}), {logToggle: {y: true}});
    const box = root.querySelector<HTMLInputElement>('input[name="log-y"]')!;
    expect(root.dataset.yType).toBe("linear");
    box.checked = true;
    box.dispatchEvent(new dom.window.Event("change"));
    expect(root.dataset.yType).toBe("log");
    const labels = Array.from(root.querySelectorAll('g[aria-label="y-axis tick label"] text'), (t) => t.textContent);
    expect(labels).toContain("10⁻⁵");
    expect(labels.some((l) => /[mµ]$/.test(l ?? ""))).toBe(false);
  });

  it("draws a zoomed record viewer sample by sample, y following the window", () => {
    // A 655 ms record at 25 kHz with a 20 ms pulse at the trigger and a large step late in the window.
    const layout = {recordLength: 16384, sampleFrequency_Hz: 25_000, triggerIndex: 4096} as RecordLayout;
    const rec = Float32Array.from({length: 16384}, (_, i) => (i >= 4096 && i < 4596 ? Math.sin(((i - 4096) / 500) * Math.PI) : 0) + (i > 12000 ? 5 : 0));
    const viewer = recordViewer(Plot, [rec], layout, {event: 7, width: 600, channels: ["phonon"]});
    expect(viewer.dataset.event).toBe("7");
    expect(JSON.parse(viewer.dataset.xDomain!)[1]).toBeGreaterThan(480);
    const before = viewer.querySelector('g[data-role="records"] path')!.getAttribute("d")!;
    const fig = viewer.querySelector("figure, svg") as Element & {scale(n: string): {apply(v: number): number}};
    drag(viewer, [fig.scale("x").apply(-2), 100], [fig.scale("x").apply(22), 100]);
    const x = JSON.parse(viewer.dataset.xDomain!), y = JSON.parse(viewer.dataset.yDomain!);
    expect(x[0]).toBeCloseTo(-2, 6);
    expect(x[1]).toBeCloseTo(22, 6);
    // The step at 5 V is outside the window: y spans the pulse only.
    expect(y[1]).toBeLessThan(1.5);
    // 24 ms at 0.04 ms per sample: every sample of the window, one either side.
    const points = recordViewerPoints([rec], layout, ["phonon"], 2048, x);
    expect(points.length).toBeGreaterThanOrEqual(600);
    expect(points.length).toBeLessThanOrEqual(604);
    expect(points[1].t_ms - points[0].t_ms).toBeCloseTo(0.04, 12);
    const after = viewer.querySelector('g[data-role="records"] path')!.getAttribute("d")!;
    expect(after).not.toBe(before);
    expect(after.split(/[ML]/).filter(Boolean).length).toBe(points.length);
  });
});
