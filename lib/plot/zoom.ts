// Zoom for any Plot figure: drag a rectangle (or an interval of x) to zoom into it, double-click
// to go back, and optional linear/log toggles, with the tick labels of lib/plot/ticks.ts on log
// axes. The figure is drawn by the page's `render(view)` with the view's domains, so each mark
// keeps its own options and only the scales change; a zoom re-renders. This is the piece for SVG
// figures (record viewer, spectra, standard events, noise power spectra); the canvas scatter of
// lib/plot/selectableScatter.ts, whose drag also selects, uses the parts below it needs: the
// drag → domains maths (dragDomains), the reset (resetOnDoubleClick), the axes (axisOptions)
// and what a zoom tells the page (announceZoom).

import {formatTick} from "./ticks.js";

export type AxisType = "linear" | "log";
export type Domain = [number, number];

/** What a render draws: the zoomed domains (undefined = the figure's own) and the axis types. */
export interface ZoomView {
  x?: Domain;
  y?: Domain;
  xType: AxisType;
  yType: AxisType;
}

export interface ZoomableOptions {
  /** "x" zooms time-like axes (the drag picks an interval of x, y follows the data); "xy" a rectangle. Default "xy". */
  brush?: "x" | "xy";
  /** Offer linear/log toggles for these axes. */
  logToggle?: {x?: boolean; y?: boolean};
  /** Initial axis types. */
  xType?: AxisType;
  yType?: AxisType;
}

/** A drag shorter than this (px) is a click, left to the figure (tips, picks). */
export const MIN_DRAG_PX = 4;

/** Scale of a Plot figure as `figure.scale(name)` returns it, or undefined where it has none. */
interface PlotScale {
  type?: string;
  domain?: unknown[];
  apply?(v: number): number;
  invert?(p: number): number;
}

/** Whether `d` can be the domain of an axis of `type`: finite, increasing, positive on a log axis. */
export function validDomain(d: readonly number[] | undefined, type: AxisType): d is Domain {
  return !!d && d.length === 2 && Number.isFinite(d[0]) && Number.isFinite(d[1]) && d[1] > d[0] && (type !== "log" || d[0] > 0);
}

/** The data interval between two pixel positions on an axis (either order), or null for a click. */
export function brushDomain(invert: (p: number) => number, a: number, b: number, type: AxisType = "linear"): Domain | null {
  if (Math.abs(b - a) < MIN_DRAG_PX) return null;
  const u = invert(a), v = invert(b);
  const d: Domain = [Math.min(u, v), Math.max(u, v)];
  return validDomain(d, type) ? d : null;
}

/** An axis as a drag sees it: pixel → data, and its type. */
export interface BrushAxis {
  invert(p: number): number;
  type: AxisType;
}

/**
 * The domains of a drag from pixel `a` to pixel `b` ([x, y], either order): an interval of x
 * when `y` is null (a time-like brush), else a rectangle. Null for a click (a side shorter than
 * MIN_DRAG_PX) or a domain the axis cannot show (validDomain).
 */
export function dragDomains(a: readonly [number, number], b: readonly [number, number], x: BrushAxis, y: BrushAxis | null): {x: Domain; y?: Domain} | null {
  const dx = brushDomain(x.invert, a[0], b[0], x.type);
  if (!dx) return null;
  if (!y) return {x: dx};
  const dy = brushDomain(y.invert, a[1], b[1], y.type);
  return dy ? {x: dx, y: dy} : null;
}

/** Double-click on `target` goes back to the figure's own domains and redraws (nothing when not zoomed). */
export function resetOnDoubleClick(target: EventTarget, view: ZoomView, redraw: () => void): void {
  target.addEventListener("dblclick", () => {
    if (view.x === undefined && view.y === undefined) return;
    view.x = view.y = undefined;
    redraw();
  });
}

/**
 * What a zoomable figure's element tells pages, tests and benches: the drawn domains
 * (`data-x-domain`, `data-y-domain`, JSON), `data-x-type`, `data-y-type`, `data-zoomed`.
 */
export function zoomAttributes(element: HTMLElement, drawn: {x: unknown; y: unknown}, view: ZoomView): void {
  element.dataset.xDomain = JSON.stringify(drawn.x ?? null);
  element.dataset.yDomain = JSON.stringify(drawn.y ?? null);
  element.dataset.xType = view.xType;
  element.dataset.yType = view.yType;
  element.dataset.zoomed = String(view.x !== undefined || view.y !== undefined);
}

/** After a (re)draw: the attributes of zoomAttributes, then a "zoom" event with the view. */
export function announceZoom(element: HTMLElement, drawn: {x: unknown; y: unknown}, view: ZoomView): void {
  zoomAttributes(element, drawn, view);
  element.dispatchEvent(new CustomEvent("zoom", {detail: {...view}}));
}

/** Plot options for an axis of the view: its domain when zoomed, its type, physicists' ticks on log. */
export function axisOptions<T extends object>(view: ZoomView, axis: "x" | "y", options: T = {} as T): T & {type: AxisType; domain?: Domain; tickFormat?: (v: number) => string} {
  const type = axis === "x" ? view.xType : view.yType;
  const domain = axis === "x" ? view.x : view.y;
  return {...options, type, ...(domain ? {domain} : {}), ...(type === "log" ? {tickFormat: formatTick} : {})};
}

/** The figure's main plot <svg> (Plot wraps it in a <figure> with a title or a legend). */
function plotSvg(figure: Element): SVGSVGElement | null {
  if (figure.tagName.toLowerCase() === "svg") return figure as SVGSVGElement;
  const svgs = Array.from(figure.querySelectorAll<SVGSVGElement>("svg")).filter((s) => !s.parentElement?.closest("svg"));
  return svgs.find((s) => s.querySelector('g[aria-label="x-axis tick"], g[aria-label="y-axis tick"]')) ?? svgs[svgs.length - 1] ?? null;
}

/**
 * A zoomable figure: a <div class="zoomable"> holding the optional toggles and the figure that
 * `render(view)` returns. The wrapper carries `data-x-domain`, `data-y-domain` (the drawn
 * domains, JSON), `data-zoomed`, `data-x-type`, `data-y-type`, and fires a "zoom" event after each
 * re-render; `wrapper.zoom(domains | null)` zooms from code.
 */
export function zoomable(
  render: (view: ZoomView) => Element,
  options: ZoomableOptions = {}
): HTMLDivElement & {zoom(domains: {x?: Domain; y?: Domain} | null): void; view(): ZoomView} {
  const brush = options.brush ?? "xy";
  const view: ZoomView = {xType: options.xType ?? "linear", yType: options.yType ?? "linear"};
  const root = document.createElement("div") as HTMLDivElement & {zoom(domains: {x?: Domain; y?: Domain} | null): void; view(): ZoomView};
  root.className = "zoomable";
  root.style.position = "relative";
  root.title = brush === "x" ? "Drag across the figure to zoom into a time interval; double-click to zoom out." : "Drag a rectangle to zoom; double-click to zoom out.";

  const toggles = document.createElement("div");
  toggles.className = "zoomable-toggles";
  toggles.style.cssText = "font: 12px var(--sans-serif, system-ui); display: flex; gap: 1em;";
  for (const axis of ["x", "y"] as const) {
    if (!options.logToggle?.[axis]) continue;
    const label = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.name = `log-${axis}`;
    box.checked = (axis === "x" ? view.xType : view.yType) === "log";
    box.addEventListener("change", () => {
      const type: AxisType = box.checked ? "log" : "linear";
      // A domain of the other type would not fit (a log axis cannot show 0 or less): back to the figure's own.
      if (axis === "x") (view.xType = type), (view.x = undefined);
      else (view.yType = type), (view.y = undefined);
      draw();
    });
    label.append(box, ` log ${axis}`);
    toggles.append(label);
  }
  if (toggles.childElementCount) root.append(toggles);

  let figure: Element | null = null;
  const draw = () => {
    const next = render({...view});
    if (figure) root.replaceChild(next, figure);
    else root.append(next);
    figure = next;
    attach(next);
    const scale = (name: "x" | "y") => (next as Element & {scale?(n: string): PlotScale | undefined}).scale?.(name);
    announceZoom(root, {x: scale("x")?.domain ?? view.x, y: scale("y")?.domain ?? view.y}, view);
  };

  /** Brush and double-click on the plot's svg; the drawn rectangle is a child of that svg. */
  function attach(next: Element) {
    const svg = plotSvg(next);
    const plotScale = (name: "x" | "y") => (next as Element & {scale?(n: string): PlotScale | undefined}).scale?.(name);
    const sx = plotScale("x"), sy = plotScale("y");
    if (!svg || !sx?.invert || !sx.apply) return;
    const band = document.createElementNS("http://www.w3.org/2000/svg", "rect");
    band.setAttribute("fill", "currentColor");
    band.setAttribute("fill-opacity", "0.12");
    band.setAttribute("pointer-events", "none");
    band.dataset.role = "brush";
    svg.append(band);
    // Pixels of the svg's own coordinates (its width attribute), whatever CSS scales it to.
    const local = (e: PointerEvent): [number, number] => {
      const box = svg.getBoundingClientRect();
      const k = Number(svg.getAttribute("width")) / box.width || 1;
      return [(e.clientX - box.left) * k, (e.clientY - box.top) * k];
    };
    const [top, bottom] = sy?.apply && sy.domain ? [sy.apply(sy.domain[1] as number), sy.apply(sy.domain[0] as number)].sort((a, b) => a - b) : [0, Number(svg.getAttribute("height"))];
    let start: [number, number] | null = null;
    const rect = (a: [number, number], b: [number, number]) => {
      const [y0, y1] = brush === "x" ? [top, bottom] : [Math.min(a[1], b[1]), Math.max(a[1], b[1])];
      band.setAttribute("x", String(Math.min(a[0], b[0])));
      band.setAttribute("width", String(Math.abs(b[0] - a[0])));
      band.setAttribute("y", String(y0));
      band.setAttribute("height", String(y1 - y0));
    };
    svg.addEventListener("pointerdown", (e) => {
      if (e.button !== 0) return;
      start = local(e);
    });
    svg.style.touchAction = "none";
    svg.style.userSelect = "none";
    svg.addEventListener("pointermove", (e) => {
      if (!start || !(e.buttons & 1)) return;
      const p = local(e);
      // Captured only once it is a drag, so that a click still reaches the mark under it.
      if (!svg.hasPointerCapture(e.pointerId) && Math.hypot(p[0] - start[0], p[1] - start[1]) >= MIN_DRAG_PX) svg.setPointerCapture(e.pointerId);
      rect(start, p);
    });
    svg.addEventListener("pointerup", (e) => {
      if (!start) return;
      const end = local(e);
      const a = start;
      start = null;
      band.setAttribute("width", "0");
      if (brush === "xy" && !sy?.invert) return;
      const d = dragDomains(a, end, {invert: sx.invert!, type: view.xType}, brush === "xy" ? {invert: sy!.invert!, type: view.yType} : null);
      if (!d) return;
      view.x = d.x;
      if (d.y) view.y = d.y;
      draw();
    });
    resetOnDoubleClick(svg, view, draw);
  }

  root.zoom = (domains) => {
    view.x = domains?.x && validDomain(domains.x, view.xType) ? domains.x : undefined;
    view.y = domains?.y && validDomain(domains.y, view.yType) ? domains.y : undefined;
    draw();
  };
  root.view = () => ({...view});
  draw();
  return root;
}
