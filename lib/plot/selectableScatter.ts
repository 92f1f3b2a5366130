// An interactive scatter for many points: Plot draws the axes, a <canvas> above them holds the
// points as a raster (rasterScatter), and a transparent SVG on top takes the pointer to draw a
// rectangle or a lasso. A finished shape selects the points inside it, in data coordinates
// (lib/labels/selection.ts); a click without a drag picks the nearest point. In "zoom" mode a
// rectangle becomes the new axis domains and a double click goes back to the default ones, with
// the SVG figures' zoom toolkit (lib/plot/zoom.ts): its drag → domains maths, reset, axes and
// data attributes / "zoom" event.
// Beyond DENSITY_THRESHOLD points the canvas shows a density raster (densityBins.ts): points
// binned once per domain into cells, and the selection is a second canvas above the density: a
// new selection repaints that layer only (the selected cells), not the density. The page passes
// its own Plot module, as for recordViewer. Stages are timed with performance.measure
// ("scatter:domains", "scatter:axes", "scatter:bin", "scatter:paint", "scatter:selection").

import type * as PlotModule from "@observablehq/plot";
import {selectInPolygon, selectInRect, rectPolygon, type Point} from "../labels/selection.js";
import {densityRamp, HIGHLIGHT, FOCUS, SELECTION, SELECTION_FILL} from "./palette.js";
import {hexColour} from "./pixels.js";
import {binPoints, cellColours, countBeyond, densityPixels, selectionPixels, subsetCounts, type DensityGrid} from "./densityBins.js";
import {applyScale, invertScale, rasterScatter, type LinearScale} from "./rasterScatter.js";
import {robustDomain, type AxisType, type RobustDomain} from "./robustDomain.js";
import {announceZoom, axisOptions, dragDomains, MIN_DRAG_PX, resetOnDoubleClick, validDomain, zoomAttributes, type ZoomView} from "./zoom.js";
import {figureWidth, MIN_FIGURE_WIDTH} from "./figureWidth.js";

export type SelectionMode = "rectangle" | "lasso";
/** What a drag does: select (rectangle, lasso) or zoom into the dragged rectangle. */
export type PointerMode = SelectionMode | "zoom";

/** Above this many points the scatter draws a density raster instead of single points. */
export const DENSITY_THRESHOLD = 20_000;

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
  mode?: PointerMode;
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
  /** Draw binned counts (default: more than DENSITY_THRESHOLD points) or single points. */
  density?: boolean;
  /** Cell side of the density raster in pixels (default 2). */
  cell?: number;
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
  /** The points beyond each axis's domain, drawn clamped at the edge (follows the zoom). */
  outliers: {x: RobustDomain; y: RobustDomain};
  /** Whether the canvas shows binned counts rather than single points. */
  density: boolean;
  xScale: LinearScale;
  yScale: LinearScale;
  /** Repaints the points; returns the time it took in ms. */
  draw(options: DrawOptions): number;
  setMode(mode: PointerMode): void;
  /** Sets the axis domains (a zoom), or goes back to the default ones with `null`; redraws. */
  zoom(domains: {x: [number, number]; y: [number, number]} | null): void;
  /** Shows `polygon` (data coordinates) as the current selection outline, or clears it. */
  showShape(polygon: Point[] | null): void;
}

const MARGIN = {top: 20, right: 20, bottom: 44, left: 64};
/** Narrower than this the frame has no room for points; a first render with width 0 gets this. */
export const MIN_WIDTH = MIN_FIGURE_WIDTH;
const SVG_NS = "http://www.w3.org/2000/svg";

// A stage's duration on the page's performance timeline (DevTools, the benchmark), from t0 to now.
const measure = (name: string, t0: number) => performance.measure?.(`scatter:${name}`, {start: t0, end: performance.now()});

export function selectableScatter(Plot: typeof PlotModule, options: SelectableScatterOptions): SelectableScatter {
  const {x, y, xLabel, yLabel, onSelect, onPick, xType = "linear", yType = "linear"} = options;
  // Framework's `width` is 0 on a first render: never draw a frame with negative size.
  const width = figureWidth(options.width);
  const height = Math.max(MARGIN.top + MARGIN.bottom + 40, Math.floor(options.height ?? 480) || 0);
  let mode: PointerMode = options.mode ?? "rectangle";
  const robust = options.domain !== "full";
  const domainOf = (v: Float64Array, type: AxisType) => robustDomain(v, robust ? {type} : {type, quantiles: [0, 1]});
  const tDomains = performance.now();
  const outliers = {x: domainOf(x, xType), y: domainOf(y, yType)};
  measure("domains", tDomains);
  const home = {x: outliers.x.domain, y: outliers.y.domain};
  // The scales are mutated in place by a zoom, so that every closure below sees the new domain.
  const xScale: LinearScale = {domain: [...home.x], range: [MARGIN.left, width - MARGIN.right], type: xType};
  const yScale: LinearScale = {domain: [...home.y], range: [height - MARGIN.bottom, MARGIN.top], type: yType};
  // The zoom: domains set by a drag or from code (undefined: the default ones, `home`).
  const view: ZoomView = {xType, yType};
  const density = options.density ?? x.length > DENSITY_THRESHOLD;

  const root = document.createElement("div");
  root.className = "selectable-scatter";
  root.style.cssText = `position: relative; width: ${width}px; height: ${height}px; user-select: none;`;
  const makeAxes = () => {
    const t0 = performance.now();
    const drawn: ZoomView = {x: xScale.domain, y: yScale.domain, xType, yType};
    const svg = Plot.plot({
      width, height,
      marginTop: MARGIN.top, marginRight: MARGIN.right, marginBottom: MARGIN.bottom, marginLeft: MARGIN.left,
      x: axisOptions(drawn, "x", {label: xLabel, grid: true}),
      y: axisOptions(drawn, "y", {label: yLabel, grid: true}),
      marks: [Plot.frame({strokeOpacity: 0.3})]
    }) as HTMLElement;
    svg.style.position = "absolute";
    measure("axes", t0);
    return svg;
  };
  let axes = makeAxes();
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  canvas.style.cssText = "position: absolute; left: 0; top: 0; pointer-events: none;";
  // The selection layer (density mode): the selected cells and the focus, over the density.
  const layer = document.createElement("canvas");
  layer.width = width;
  layer.height = height;
  layer.style.cssText = canvas.style.cssText;
  layer.dataset.role = "selection-layer";
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
  root.append(axes, canvas, layer, overlay);
  // Read by tests and the benchmark: the data → pixel map, relative to the element's top-left.
  zoomAttributes(root, {x: xScale.domain, y: yScale.domain}, view);
  root.dataset.xRange = JSON.stringify(xScale.range);
  root.dataset.yRange = JSON.stringify(yScale.range);
  root.dataset.points = String(x.length);
  root.dataset.density = String(density);
  root.dataset.outliers = String(outliers.x.below + outliers.x.above + outliers.y.below + outliers.y.above);

  const ctx = canvas.getContext("2d")!;
  const layerCtx = layer.getContext("2d")!;
  let pixels: Uint32Array | undefined;
  let layerPixels: Uint32Array | undefined;
  // What the density canvas shows (its colouring and grid): unchanged, a draw repaints the layer only.
  let base: {colour: ArrayLike<number>; order?: ArrayLike<number>; palette: Uint32Array; grid: DensityGrid} | undefined;
  let layerDrawn = false;
  // Density state: the grid of the current domain, and the cell colours of the last colouring.
  let grid: DensityGrid | undefined;
  let cellColourCache: {colour: ArrayLike<number>; order?: ArrayLike<number>; grid: DensityGrid; cells: Int16Array} | undefined;
  const ramp = densityRamp();
  let lastDraw: DrawOptions | undefined;
  let shownPolygon: Point[] | null = null;
  const image = ctx.createImageData(width, height);
  const layerImage = layerCtx.createImageData(width, height);
  const put = (target: CanvasRenderingContext2D, img: ImageData, px: Uint32Array) => {
    img.data.set(new Uint8ClampedArray(px.buffer, px.byteOffset, px.byteLength));
    target.putImageData(img, 0, 0);
  };

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
    if (mode !== "lasso") drawing[1] = p;
    else if (Math.hypot(p[0] - last[0], p[1] - last[1]) >= 2) drawing.push(p);
    shape.setAttribute("d", toPath(currentShape(), mode !== "lasso"));
  });
  const finish = (e: PointerEvent) => {
    if (!drawing) return;
    const p = local(e);
    if (mode !== "lasso") drawing[1] = p;
    else drawing.push(p);
    const pts = currentShape();
    const start = drawing[0];
    const extent = Math.max(...drawing.map(([a, b]) => Math.hypot(a - start[0], b - start[1])));
    drawing = null;
    if (extent < MIN_DRAG_PX) {
      // A click: the nearest point within 8 px.
      shape.setAttribute("d", "");
      // In zoom mode a click does nothing (a double click zooms out).
      if (onPick && mode !== "zoom") {
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
    if (mode === "zoom") {
      shape.setAttribute("d", "");
      const d = dragDomains(start, p, {invert: (q) => invertScale(xScale, q), type: xType}, {invert: (q) => invertScale(yScale, q), type: yType});
      if (d) api.zoom({x: d.x, y: d.y!});
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
    onSelect?.({kind: mode as SelectionMode, indices, polygon: mode === "rectangle" ? rectPolygon({x0: polygon[0][0], y0: polygon[0][1], x1: polygon[2][0], y1: polygon[2][1]}) : polygon});
  };
  overlay.addEventListener("pointerup", finish);
  overlay.addEventListener("pointercancel", () => {
    drawing = null;
    shape.setAttribute("d", "");
  });
  // The zoomed (or default) domains: axes, outliers and the density grid follow, then a redraw.
  function applyZoom() {
    xScale.domain = [...(view.x ?? home.x)];
    yScale.domain = [...(view.y ?? home.y)];
    outliers.x = {domain: xScale.domain, ...countBeyond(x, xScale.domain, xType)};
    outliers.y = {domain: yScale.domain, ...countBeyond(y, yScale.domain, yType)};
    const fresh = makeAxes();
    root.replaceChild(fresh, axes);
    axes = fresh;
    grid = undefined;
    root.dataset.outliers = String(outliers.x.below + outliers.x.above + outliers.y.below + outliers.y.above);
    if (lastDraw) api.draw(lastDraw);
    api.showShape(shownPolygon);
    announceZoom(root, {x: xScale.domain, y: yScale.domain}, view);
  }
  resetOnDoubleClick(overlay, view, applyZoom);

  const api: SelectableScatter = {
    element: root,
    outliers,
    density,
    xScale,
    yScale,
    draw(o) {
      const t0 = performance.now();
      lastDraw = o;
      let drawn: number, clamped: number;
      if (density) {
        if (!grid) {
          const tBin = performance.now();
          grid = binPoints(x, y, xScale, yScale, options.cell ?? 2);
          measure("bin", tBin);
        }
        if (!base || base.colour !== o.colour || base.order !== o.order || base.palette !== o.palette || base.grid !== grid) {
          const tPaint = performance.now();
          if (!cellColourCache || cellColourCache.colour !== o.colour || cellColourCache.order !== o.order || cellColourCache.grid !== grid) {
            cellColourCache = {colour: o.colour, order: o.order, grid, cells: cellColours(grid, o.colour, o.order)};
          }
          pixels = densityPixels(grid, {width, height, ramp, cellColour: cellColourCache.cells, palette: o.palette}, pixels);
          put(ctx, image, pixels);
          base = {colour: o.colour, order: o.order, palette: o.palette, grid};
          measure("paint", tPaint);
        }
        const tSelection = performance.now();
        layerPixels = selectionPixels(grid, {
          width, height,
          selected: o.highlight && o.highlight.length ? subsetCounts(grid, o.highlight) : undefined,
          highlightColour: o.highlightColour ?? hexColour(HIGHLIGHT), focus: o.focus, focusColour: hexColour(FOCUS)
        }, layerPixels);
        put(layerCtx, layerImage, layerPixels);
        layerDrawn = true;
        measure("selection", tSelection);
        [drawn, clamped] = [grid.binned, grid.clamped];
      } else {
        const tPaint = performance.now();
        const result = rasterScatter({x, y, colour: o.colour, palette: o.palette, xScale, yScale, width, height, pointSize: o.pointSize, highlight: o.highlight, highlightColour: o.highlightColour, order: o.order, focus: o.focus, clamp: true}, pixels);
        pixels = result.pixels;
        [drawn, clamped] = [result.drawn, result.clamped];
        put(ctx, image, pixels);
        if (layerDrawn) layerCtx.clearRect(0, 0, width, height);
        layerDrawn = false;
        measure("paint", tPaint);
      }
      const ms = performance.now() - t0;
      root.dataset.drawn = String(drawn);
      root.dataset.clamped = String(clamped);
      root.dataset.drawMs = ms.toFixed(2);
      return ms;
    },
    setMode(m) {
      mode = m;
      root.dataset.mode = m;
      overlay.style.cursor = m === "zoom" ? "zoom-in" : "crosshair";
    },
    zoom(domains) {
      // A domain the axis cannot show (empty, reversed, ≤ 0 on a log axis) changes nothing.
      if (domains && !(validDomain(domains.x, xType) && validDomain(domains.y, yType))) return;
      view.x = domains ? [domains.x[0], domains.x[1]] : undefined;
      view.y = domains ? [domains.y[0], domains.y[1]] : undefined;
      applyZoom();
    },
    showShape(polygon) {
      shownPolygon = polygon;
      shape.setAttribute("d", polygon ? toPath(polygon.map(toPixel), true) : "");
    }
  };
  return api;
}
