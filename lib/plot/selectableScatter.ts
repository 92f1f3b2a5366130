// An interactive scatter for many points: Plot draws the axes, a <canvas> above them holds the
// points as a raster (rasterScatter), and a transparent SVG on top takes the pointer to draw a
// rectangle or a lasso. A finished shape selects the points inside it, in data coordinates
// (lib/labels/selection.ts); a click without a drag picks the nearest point. The page passes
// its own Plot module, as for recordViewer.

import type * as PlotModule from "@observablehq/plot";
import {selectInPolygon, selectInRect, rectPolygon, type Point} from "../labels/selection.js";
import {SELECTION, SELECTION_FILL} from "./palette.js";
import {applyScale, invertScale, paddedExtent, rasterScatter, type LinearScale} from "./rasterScatter.js";

export type SelectionMode = "rectangle" | "lasso";

export interface ScatterSelection {
  kind: SelectionMode;
  /** Point indices inside the shape, ascending. */
  indices: Uint32Array;
  /** The shape in data coordinates (a rectangle as its 4 corners). */
  polygon: Point[];
}

export interface SelectableScatterOptions {
  x: Float64Array;
  y: Float64Array;
  xLabel?: string;
  yLabel?: string;
  width: number;
  height?: number;
  /** Initial drawing mode (default rectangle); change it with `setMode`. */
  mode?: SelectionMode;
  onSelect?: (selection: ScatterSelection) => void;
  /** Called with the index of the point nearest to a click (within 8 px). */
  onPick?: (index: number) => void;
}

export interface DrawOptions {
  /** Per point, an index into `palette`. */
  colour: ArrayLike<number>;
  palette: Uint32Array;
  highlight?: ArrayLike<number>;
  highlightColour?: number;
  order?: ArrayLike<number>;
  pointSize?: number;
  /** The point to mark above all others (the record being looked at). */
  focus?: number;
}

export interface SelectableScatter {
  element: HTMLDivElement;
  xScale: LinearScale;
  yScale: LinearScale;
  /** Repaints the points; returns the time it took in ms. */
  draw(options: DrawOptions): number;
  setMode(mode: SelectionMode): void;
  /** Shows `polygon` (data coordinates) as the current selection outline, or clears it. */
  showShape(polygon: Point[] | null): void;
}

const MARGIN = {top: 20, right: 20, bottom: 44, left: 64};
const SVG_NS = "http://www.w3.org/2000/svg";

export function selectableScatter(Plot: typeof PlotModule, options: SelectableScatterOptions): SelectableScatter {
  const {x, y, width, height = 480, xLabel, yLabel, onSelect, onPick} = options;
  let mode: SelectionMode = options.mode ?? "rectangle";
  const xScale: LinearScale = {domain: paddedExtent(x), range: [MARGIN.left, width - MARGIN.right]};
  const yScale: LinearScale = {domain: paddedExtent(y), range: [height - MARGIN.bottom, MARGIN.top]};

  const root = document.createElement("div");
  root.className = "selectable-scatter";
  root.style.cssText = `position: relative; width: ${width}px; height: ${height}px; user-select: none;`;
  const axes = Plot.plot({
    width, height,
    marginTop: MARGIN.top, marginRight: MARGIN.right, marginBottom: MARGIN.bottom, marginLeft: MARGIN.left,
    x: {domain: xScale.domain, label: xLabel, grid: true},
    y: {domain: yScale.domain, label: yLabel, grid: true},
    marks: [Plot.frame({strokeOpacity: 0.3})]
  });
  (axes as HTMLElement).style.position = "absolute";
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  canvas.style.cssText = "position: absolute; left: 0; top: 0; pointer-events: none;";
  const overlay = document.createElementNS(SVG_NS, "svg");
  overlay.setAttribute("width", String(width));
  overlay.setAttribute("height", String(height));
  overlay.setAttribute("class", "selection-overlay");
  overlay.style.cssText = "position: absolute; left: 0; top: 0; cursor: crosshair; touch-action: none;";
  const shape = document.createElementNS(SVG_NS, "path");
  shape.setAttribute("fill", SELECTION_FILL);
  shape.setAttribute("stroke", SELECTION);
  shape.setAttribute("stroke-width", "1.5");
  shape.setAttribute("stroke-dasharray", "5,3");
  shape.setAttribute("data-role", "selection-shape");
  overlay.append(shape);
  root.append(axes, canvas, overlay);
  // Read by tests and the benchmark: the data → pixel map, relative to the element's top-left.
  root.dataset.xDomain = JSON.stringify(xScale.domain);
  root.dataset.yDomain = JSON.stringify(yScale.domain);
  root.dataset.xRange = JSON.stringify(xScale.range);
  root.dataset.yRange = JSON.stringify(yScale.range);
  root.dataset.points = String(x.length);

  const ctx = canvas.getContext("2d")!;
  let pixels: Uint32Array | undefined;
  const image = ctx.createImageData(width, height);

  const toPath = (pts: Point[], close: boolean) => (pts.length ? `M${pts.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join("L")}${close ? "Z" : ""}` : "");
  const toData = ([px, py]: Point): Point => [invertScale(xScale, px), invertScale(yScale, py)];
  const toPixel = ([dx, dy]: Point): Point => [applyScale(xScale, dx), applyScale(yScale, dy)];

  let drawing: Point[] | null = null;
  const local = (e: PointerEvent): Point => {
    const box = overlay.getBoundingClientRect();
    return [e.clientX - box.left, e.clientY - box.top];
  };
  const currentShape = (): Point[] => {
    if (!drawing) return [];
    if (mode === "lasso") return drawing;
    const [[x0, y0], [x1, y1]] = [drawing[0], drawing[drawing.length - 1]];
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]];
  };
  overlay.addEventListener("pointerdown", (e) => {
    if (e.button !== 0) return;
    overlay.setPointerCapture(e.pointerId);
    drawing = [local(e)];
    shape.setAttribute("d", "");
  });
  overlay.addEventListener("pointermove", (e) => {
    if (!drawing) return;
    const p = local(e);
    const last = drawing[drawing.length - 1];
    if (mode === "rectangle") drawing[1] = p;
    else if (Math.hypot(p[0] - last[0], p[1] - last[1]) >= 2) drawing.push(p);
    shape.setAttribute("d", toPath(currentShape(), mode === "rectangle"));
  });
  const finish = (e: PointerEvent) => {
    if (!drawing) return;
    const p = local(e);
    if (mode === "rectangle") drawing[1] = p;
    else drawing.push(p);
    const pts = currentShape();
    const start = drawing[0];
    const extent = Math.max(...drawing.map(([a, b]) => Math.hypot(a - start[0], b - start[1])));
    drawing = null;
    if (extent < 4) {
      // A click: the nearest point within 8 px.
      shape.setAttribute("d", "");
      if (onPick) {
        let best = -1, bestD = 64;
        for (let i = 0; i < x.length; ++i) {
          const dx = applyScale(xScale, x[i]) - start[0], dy = applyScale(yScale, y[i]) - start[1];
          const d = dx * dx + dy * dy;
          if (d < bestD) { bestD = d; best = i; }
        }
        if (best >= 0) onPick(best);
      }
      return;
    }
    shape.setAttribute("d", toPath(pts, true));
    const polygon = pts.map(toData);
    let indices: Uint32Array;
    if (mode === "rectangle") {
      const [[x0, y0], , [x1, y1]] = polygon;
      indices = selectInRect(x, y, {x0, x1, y0, y1});
    } else {
      indices = selectInPolygon(x, y, polygon);
    }
    onSelect?.({kind: mode, indices, polygon: mode === "rectangle" ? rectPolygon({x0: polygon[0][0], y0: polygon[0][1], x1: polygon[2][0], y1: polygon[2][1]}) : polygon});
  };
  overlay.addEventListener("pointerup", finish);
  overlay.addEventListener("pointercancel", () => {
    drawing = null;
    shape.setAttribute("d", "");
  });

  return {
    element: root,
    xScale,
    yScale,
    draw(o) {
      const t0 = performance.now();
      const result = rasterScatter({x, y, colour: o.colour, palette: o.palette, xScale, yScale, width, height, pointSize: o.pointSize, highlight: o.highlight, highlightColour: o.highlightColour, order: o.order, focus: o.focus}, pixels);
      pixels = result.pixels;
      image.data.set(new Uint8ClampedArray(pixels.buffer, pixels.byteOffset, pixels.byteLength));
      ctx.putImageData(image, 0, 0);
      const ms = performance.now() - t0;
      root.dataset.drawn = String(result.drawn);
      root.dataset.drawMs = ms.toFixed(2);
      return ms;
    },
    setMode(m) {
      mode = m;
      root.dataset.mode = m;
    },
    showShape(polygon) {
      shape.setAttribute("d", polygon ? toPath(polygon.map(toPixel), true) : "");
    }
  };
}
