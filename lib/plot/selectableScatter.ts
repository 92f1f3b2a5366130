// An interactive scatter for many points: Plot draws the axes, a <canvas> above them holds the
// points as a raster (rasterScatter), and a transparent SVG on top takes the pointer to draw a
// rectangle or a lasso. A finished shape selects the points inside it, in data coordinates
// (lib/labels/selection.ts); a click without a drag picks the nearest point. The page passes
// its own Plot module, as for recordViewer.

import type * as PlotModule from "@observablehq/plot";
import {selectInPolygon, selectInRect, rectPolygon, type Point} from "../labels/selection.js";
import {SELECTION, SELECTION_FILL} from "./palette.js";
import {applyScale, invertScale, rasterScatter, type LinearScale} from "./rasterScatter.js";
import {robustDomain, type AxisType, type RobustDomain} from "./robustDomain.js";
import {formatTick} from "./ticks.js";
import {figureWidth, MIN_FIGURE_WIDTH} from "./figureWidth.js";

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
  /** Axis types (default linear); on a log axis non-positive values are outliers below. */
  xType?: AxisType;
  yType?: AxisType;
  /**
   * "robust" (default): the domain holds the central 98 % of the points (robustDomain) and the
   * rest are drawn hollow at the frame's edge; "full": every point inside.
   */
  domain?: "robust" | "full";
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
  /** The points beyond each axis's domain, drawn clamped at the edge. */
  outliers: {x: RobustDomain; y: RobustDomain};
  xScale: LinearScale;
  yScale: LinearScale;
  /** Repaints the points; returns the time it took in ms. */
  draw(options: DrawOptions): number;
  setMode(mode: SelectionMode): void;
  /** Shows `polygon` (data coordinates) as the current selection outline, or clears it. */
  showShape(polygon: Point[] | null): void;
}

const MARGIN = {top: 20, right: 20, bottom: 44, left: 64};
/** Narrower than this the frame has no room for points; a first render with width 0 gets this. */
export const MIN_WIDTH = MIN_FIGURE_WIDTH;
const SVG_NS = "http://www.w3.org/2000/svg";

export function selectableScatter(Plot: typeof PlotModule, options: SelectableScatterOptions): SelectableScatter {
  const {x, y, xLabel, yLabel, onSelect, onPick, xType = "linear", yType = "linear"} = options;
  // Framework's `width` is 0 on a first render: never draw a frame with negative size.
  const width = figureWidth(options.width);
  const height = Math.max(MARGIN.top + MARGIN.bottom + 40, Math.floor(options.height ?? 480) || 0);
  let mode: SelectionMode = options.mode ?? "rectangle";
  const robust = options.domain !== "full";
  const domainOf = (v: Float64Array, type: AxisType) => robustDomain(v, robust ? {type} : {type, quantiles: [0, 1]});
  const outliers = {x: domainOf(x, xType), y: domainOf(y, yType)};
  const xScale: LinearScale = {domain: outliers.x.domain, range: [MARGIN.left, width - MARGIN.right], type: xType};
  const yScale: LinearScale = {domain: outliers.y.domain, range: [height - MARGIN.bottom, MARGIN.top], type: yType};
  const axis = (domain: [number, number], label: string | undefined, type: AxisType) =>
    type === "log" ? {type, domain, label, grid: true, tickFormat: formatTick} : {type, domain, label, grid: true};

  const root = document.createElement("div");
  root.className = "selectable-scatter";
  root.style.cssText = `position: relative; width: ${width}px; height: ${height}px; user-select: none;`;
  const axes = Plot.plot({
    width, height,
    marginTop: MARGIN.top, marginRight: MARGIN.right, marginBottom: MARGIN.bottom, marginLeft: MARGIN.left,
    x: axis(xScale.domain, xLabel, xType),
    y: axis(yScale.domain, yLabel, yType),
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
  root.dataset.xType = xType;
  root.dataset.yType = yType;
  root.dataset.outliers = String(outliers.x.below + outliers.x.above + outliers.y.below + outliers.y.above);

  const ctx = canvas.getContext("2d")!;
  let pixels: Uint32Array | undefined;
  const image = ctx.createImageData(width, height);

  const toPath = (pts: Point[], close: boolean) => (pts.length ? `M${pts.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join("L")}${close ? "Z" : ""}` : "");
  const toData = ([px, py]: Point): Point => [invertScale(xScale, px), invertScale(yScale, py)];
  const toPixel = ([dx, dy]: Point): Point => [applyScale(xScale, dx), applyScale(yScale, dy)];
  // Where a point is drawn: outliers sit on the frame's edge.
  const [xLo, xHi] = [Math.min(...xScale.range), Math.max(...xScale.range)];
  const [yLo, yHi] = [Math.min(...yScale.range), Math.max(...yScale.range)];
  const drawnAt = (i: number): Point => [Math.min(xHi, Math.max(xLo, applyScale(xScale, x[i]))), Math.min(yHi, Math.max(yLo, applyScale(yScale, y[i])))];
  // A lasso is a polygon on the screen, so on log axes it is tested in log10 of the data.
  const logOf = (v: Float64Array, type: AxisType) => (type === "log" ? Float64Array.from(v, (u) => (u > 0 ? Math.log10(u) : -Infinity)) : v);
  let scaleSpace: [Float64Array, Float64Array] | undefined;

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
          if (!Number.isFinite(x[i]) || !Number.isFinite(y[i])) continue;
          const [px, py] = drawnAt(i);
          const dx = px - start[0], dy = py - start[1];
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
      scaleSpace ??= [logOf(x, xType), logOf(y, yType)];
      const toScaleSpace = ([a, b]: Point): Point => [xType === "log" ? Math.log10(a) : a, yType === "log" ? Math.log10(b) : b];
      indices = selectInPolygon(scaleSpace[0], scaleSpace[1], polygon.map(toScaleSpace));
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
    outliers,
    xScale,
    yScale,
    draw(o) {
      const t0 = performance.now();
      const result = rasterScatter({x, y, colour: o.colour, palette: o.palette, xScale, yScale, width, height, pointSize: o.pointSize, highlight: o.highlight, highlightColour: o.highlightColour, order: o.order, focus: o.focus, clamp: true}, pixels);
      pixels = result.pixels;
      image.data.set(new Uint8ClampedArray(pixels.buffer, pixels.byteOffset, pixels.byteLength));
      ctx.putImageData(image, 0, 0);
      const ms = performance.now() - t0;
      root.dataset.drawn = String(result.drawn);
      root.dataset.clamped = String(result.clamped);
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
