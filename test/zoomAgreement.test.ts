// The labeling scatter (canvas, lib/plot/selectableScatter.ts) and the SVG figures' zoom
// (lib/plot/zoom.ts) are one zoom: the same pixel drag on the same scales gives the same domains,
// a drag too short on one side zooms neither, a domain a log axis cannot show is refused by both,
// and a double-click takes both back to their own domains with the same attributes.

import * as Plot from "@observablehq/plot";
import {describe, expect, it} from "vitest";
import {selectableScatter} from "../lib/plot/selectableScatter.js";
import {axisOptions, dragDomains, MIN_DRAG_PX, zoomable, type Domain, type ZoomView} from "../lib/plot/zoom.js";
import {figureDom, pointerDrag} from "./support/figureDom.js";

const W = 500, H = 400;
const MARGINS = {marginTop: 20, marginRight: 20, marginBottom: 44, marginLeft: 64};

describe("scatter zoom and SVG zoom agree", () => {
  const dom = figureDom();
  const dragOn = (target: Element, from: [number, number], to: [number, number]) => pointerDrag(dom, target, from, to);

  /** A scatter (linear x, log y) in zoom mode and a zoomable Plot figure with the same frame and home domains. */
  function pair() {
    const n = 500;
    const x = Float64Array.from({length: n}, (_, i) => (100 * i) / (n - 1));
    const y = Float64Array.from({length: n}, (_, i) => 10 ** (-3 + (4 * i) / (n - 1)));
    const scatter = selectableScatter(Plot, {x, y, width: W, height: H, mode: "zoom", yType: "log", domain: "full"});
    scatter.draw({colour: new Uint8Array(n), palette: Uint32Array.of(0xff0000ff)});
    const home = {x: [...scatter.xScale.domain] as Domain, y: [...scatter.yScale.domain] as Domain};
    const figure = zoomable(
      (view: ZoomView) => Plot.plot({width: W, height: H, ...MARGINS, x: axisOptions(view, "x", {domain: home.x}), y: axisOptions(view, "y", {domain: home.y}), marks: [Plot.frame()]}),
      {yType: "log"}
    );
    const overlay = () => scatter.element.querySelector("svg.selection-overlay")!;
    const svg = () => Array.from(figure.querySelectorAll("svg")).find((s) => s.querySelector('g[aria-label="x-axis tick"]'))!;
    const domains = (el: HTMLElement) => ({x: JSON.parse(el.dataset.xDomain!) as number[], y: JSON.parse(el.dataset.yDomain!) as number[], zoomed: el.dataset.zoomed});
    return {scatter, figure, overlay, svg, home, domains};
  }

  const close = (a: number[], b: number[]) => a.forEach((v, i) => expect(Math.abs(v - b[i]) / Math.abs(b[i])).toBeLessThan(1e-9));

  it("the same drag gives the same domains, on a linear and a log axis", () => {
    const {scatter, figure, overlay, svg, home, domains} = pair();
    expect(domains(scatter.element)).toEqual(domains(figure));
    expect(domains(figure).x).toEqual(home.x);
    expect(scatter.element.dataset.yType).toBe(figure.dataset.yType);
    // Corners in either order: the domains are the same.
    dragOn(overlay(), [300, 90], [120, 250]);
    dragOn(svg(), [300, 90], [120, 250]);
    const a = domains(scatter.element), b = domains(figure);
    expect(a.zoomed).toBe("true");
    expect(b.zoomed).toBe("true");
    close(a.x, b.x);
    close(a.y, b.y);
    // And they are the pixels inverted: x linear over [64, 480], y log over [356, 20].
    const px = (p: number) => home.x[0] + ((p - 64) / (480 - 64)) * (home.x[1] - home.x[0]);
    const py = (p: number) => 10 ** (Math.log10(home.y[0]) + ((356 - p) / (356 - 20)) * (Math.log10(home.y[1]) - Math.log10(home.y[0])));
    close(a.x, [px(120), px(300)]);
    close(a.y, [py(250), py(90)]);

    // A second drag zooms further in, both alike.
    dragOn(overlay(), [100, 100], [400, 300]);
    dragOn(svg(), [100, 100], [400, 300]);
    close(domains(scatter.element).x, domains(figure).x);
    close(domains(scatter.element).y, domains(figure).y);

    // Double-click: both back home, not zoomed.
    overlay().dispatchEvent(new dom.window.MouseEvent("dblclick"));
    svg().dispatchEvent(new dom.window.MouseEvent("dblclick"));
    expect(domains(scatter.element)).toEqual({...home, zoomed: "false"});
    expect(domains(figure)).toEqual({...home, zoomed: "false"});
  });

  it("a drag shorter than MIN_DRAG_PX on one side zooms neither", () => {
    const {scatter, figure, overlay, svg, domains} = pair();
    const before = [domains(scatter.element), domains(figure)];
    // 200 px wide but MIN_DRAG_PX − 1 tall: a line, not a rectangle.
    dragOn(overlay(), [100, 200], [300, 200 + MIN_DRAG_PX - 1]);
    dragOn(svg(), [100, 200], [300, 200 + MIN_DRAG_PX - 1]);
    expect([domains(scatter.element), domains(figure)]).toEqual(before);
    expect(scatter.element.dataset.zoomed).toBe("false");
  });

  it("a log-axis domain reaching 0 or below is refused by both", () => {
    const {scatter, figure, domains} = pair();
    const before = [domains(scatter.element), domains(figure)];
    scatter.zoom({x: [10, 20], y: [-1, 5]});
    figure.zoom({y: [-1, 5]});
    expect([domains(scatter.element), domains(figure)]).toEqual(before);
    // The drag maths both use: an interval of a log axis that crosses 0 is no domain.
    expect(dragDomains([100, 100], [200, 200], {invert: (p) => p, type: "linear"}, {invert: (p) => p - 150, type: "log"})).toBeNull();
    expect(dragDomains([100, 100], [200, 200], {invert: (p) => p, type: "linear"}, {invert: (p) => p - 50, type: "log"})).toEqual({x: [100, 200], y: [50, 150]});
  });
});
