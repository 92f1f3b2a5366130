// A download menu on every figure of every page: the figure as SVG, as PNG (rasterised at 2×),
// and — where the page said what the figure draws, with `withData(figure, rows)` — its data as
// CSV and as Parquet (lib/io/rowsParquet.ts, parquet-wasm loaded from the site on first use). Loaded once for all pages from the config's `head` (observablehq.config.ts), it watches
// the page for figures and attaches the menu to each, so pages need no code for it; a page
// opts a figure's data in with one wrap: `display(withData(Plot.plot(…), rows))`.
//
// A figure is what Plot returns (an <svg> or, with a legend or caption, a <figure>) or a
// composite of lib/plot (a .selectable-scatter: Plot axes, a <canvas>, an overlay <svg>). The
// SVG download composes the figure's SVGs and canvases (as images) at their places on screen.

import {csvFormat} from "d3";
import {HALO} from "../lib/plot/palette.js";
import {rowsToParquet, type RowsParquetModules} from "../lib/io/rowsParquet.js";

const SVG_NS = "http://www.w3.org/2000/svg";
// Shared by every copy of this module (the head script and a page's import may be two).
const DATA_KEY = Symbol.for("pulsebook.figureData");
type Row = {[column: string]: unknown};
const registry = (): WeakMap<Element, Row[]> => ((globalThis as any)[DATA_KEY] ??= new WeakMap<Element, Row[]>());

/** Declares the rows `figure` draws, offered as CSV by its download menu; returns the figure. */
export function withData<E extends Element>(figure: E, rows: Iterable<Row>): E {
  registry().set(figure, Array.from(rows));
  return figure;
}

/** The rows declared for `figure` (or for the figure element inside a composite). */
export function figureData(figure: Element): Row[] | undefined {
  const map = registry();
  return map.get(figure) ?? Array.from(figure.querySelectorAll("*")).map((e) => map.get(e)).find((r) => r !== undefined);
}

const PLOT_SVG = /^plot-[0-9a-f]+$/;
const PLOT_FIGURE = /^plot-[0-9a-f]+-figure$/;
const isPlotFigure = (e: Element) => e.tagName === "FIGURE" && PLOT_FIGURE.test(e.getAttribute("class") ?? "");
const isPlotSvg = (e: Element) => e.tagName.toLowerCase() === "svg" && PLOT_SVG.test(e.getAttribute("class") ?? "");

/** The figures under `root` that should carry a menu: outermost Plot figures and lib/plot composites. */
export function findFigures(root: ParentNode): Element[] {
  const candidates = Array.from(root.querySelectorAll("figure, svg, .selectable-scatter")).filter((e) => isPlotFigure(e) || isPlotSvg(e) || e.classList.contains("selectable-scatter"));
  // The outermost only: a Plot svg inside a Plot figure or a composite is part of it.
  return candidates.filter((e) => !candidates.some((o) => o !== e && o.contains(e)));
}

/** Serialises `figure` as a standalone SVG document: its SVGs and canvases at their on-screen places. */
export function figureSvg(figure: Element): string {
  const box = figure.getBoundingClientRect();
  const width = Math.max(1, Math.round(box.width)), height = Math.max(1, Math.round(box.height));
  const out = document.createElementNS(SVG_NS, "svg");
  out.setAttribute("xmlns", SVG_NS);
  out.setAttribute("width", String(width));
  out.setAttribute("height", String(height));
  out.setAttribute("viewBox", `0 0 ${width} ${height}`);
  out.setAttribute("font-family", "system-ui, sans-serif");
  const parts = figure.tagName.toLowerCase() === "svg" ? [figure] : Array.from(figure.querySelectorAll("svg, canvas")).filter((e) => !e.parentElement?.closest("svg"));
  for (const part of parts) {
    const r = part.getBoundingClientRect();
    const x = String(r.left - box.left), y = String(r.top - box.top);
    if (part.tagName === "CANVAS") {
      const image = document.createElementNS(SVG_NS, "image");
      image.setAttribute("x", x);
      image.setAttribute("y", y);
      image.setAttribute("width", String(r.width));
      image.setAttribute("height", String(r.height));
      image.setAttribute("href", (part as HTMLCanvasElement).toDataURL("image/png"));
      out.append(image);
    } else {
      const copy = part.cloneNode(true) as SVGSVGElement;
      copy.setAttribute("x", x);
      copy.setAttribute("y", y);
      copy.setAttribute("width", String(r.width));
      copy.setAttribute("height", String(r.height));
      copy.style.removeProperty("position");
      copy.style.removeProperty("opacity");
      out.append(copy);
    }
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(out)}`;
}

/** `figure` rasterised at `scale`× (2 by default) on the page background, as a PNG blob. */
export async function figurePng(figure: Element, scale = 2): Promise<Blob> {
  const svg = figureSvg(figure);
  const url = URL.createObjectURL(new Blob([svg], {type: "image/svg+xml"}));
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(image.width * scale);
    canvas.height = Math.round(image.height * scale);
    const ctx = canvas.getContext("2d")!;
    ctx.fillStyle = HALO;
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.scale(scale, scale);
    ctx.drawImage(image, 0, 0);
    return await new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("PNG encoding failed"))), "image/png"));
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** The figure's declared rows as CSV (columns: every key that occurs, in order of appearance). */
export function figureCsv(rows: Row[]): string {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return csvFormat(rows.map((r) => Object.fromEntries(columns.map((c) => [c, r[c] instanceof Date ? (r[c] as Date).toISOString() : r[c]]))) as any, columns);
}

let parquetModules: Promise<RowsParquetModules> | undefined;
/** Arrow and an initialised parquet-wasm, from the site's npm cache, once per page. */
function loadParquet(): Promise<RowsParquetModules> {
  return (parquetModules ??= (async () => {
    const [arrow, parquet] = await Promise.all([import("npm:apache-arrow"), import("npm:parquet-wasm")]);
    await parquet.default(import.meta.resolve("npm:parquet-wasm/esm/parquet_wasm_bg.wasm"));
    return {arrow, parquet};
  })());
}

/** The figure's declared rows as Parquet bytes, the page and figure named in the metadata. */
export async function figureParquet(rows: Row[], figure: string): Promise<Uint8Array> {
  return rowsToParquet(await loadParquet(), rows, {"pulsebook.figure": figure, "pulsebook.page": location.pathname});
}

function save(blob: Blob, name: string): void {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

/** File name stem of the `index`-th figure of this page: "anomaly-search-figure-3". */
function stem(figure: Element): string {
  const page = location.pathname.replace(/\/$/, "/index").split("/").pop()!.replace(/\.html$/, "") || "index";
  return `${page}-figure-${findFigures(document).indexOf(figure) + 1}`;
}

const menus = new Map<Element, HTMLElement>();

const place = (figure: Element, menu: HTMLElement) => (figure.tagName === "FIGURE" ? figure.append(menu) : figure.after(menu));

/** Attaches the menu to `figure` (once): after it, or inside it when it is an HTML container. */
export function attachMenu(figure: Element): HTMLElement {
  const existing = menus.get(figure);
  // A page may redraw inside its figure (replaceChildren): put the menu back if it went.
  if (existing && existing.isConnected) return existing;
  if (existing) {
    place(figure, existing);
    return existing;
  }
  const menu = document.createElement("div");
  menu.className = "pulsebook-download";
  menu.setAttribute("aria-label", "download this figure");
  menu.style.cssText = "font: 12px var(--sans-serif); color: var(--theme-foreground-muted); display: flex; gap: 0.4em; align-items: center; justify-content: flex-end; margin: 0.1em 0 0.6em;";
  const button = (format: string, title: string, action: () => Promise<void> | void) => {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = format;
    b.title = title;
    b.dataset.format = format.toLowerCase();
    b.style.cssText = "font: inherit; padding: 0 0.4em; cursor: pointer;";
    b.onclick = async () => {
      try {
        await action();
      } catch (e) {
        b.title = `download failed: ${e instanceof Error ? e.message : e}`;
        console.warn(b.title);
      }
    };
    return b;
  };
  menu.append("download");
  menu.append(button("SVG", "the figure as SVG", () => save(new Blob([figureSvg(figure)], {type: "image/svg+xml"}), `${stem(figure)}.svg`)));
  menu.append(button("PNG", "the figure as PNG at 2× resolution", async () => save(await figurePng(figure), `${stem(figure)}.png`)));
  const csv = button("CSV", "the figure's data as CSV", () => {
    const rows = figureData(figure);
    if (rows) save(new Blob([figureCsv(rows)], {type: "text/csv"}), `${stem(figure)}.csv`);
  });
  menu.append(csv);
  const parquet = button("Parquet", "the figure's data as Parquet", async () => {
    const rows = figureData(figure);
    if (rows) save(new Blob([(await figureParquet(rows, stem(figure))) as BlobPart], {type: "application/vnd.apache.parquet"}), `${stem(figure)}.parquet`);
  });
  menu.append(parquet);
  const showCsv = () => (csv.hidden = parquet.hidden = figureData(figure) === undefined);
  showCsv();
  // withData may run after the figure is on the page (display first, data later): look again.
  requestAnimationFrame(showCsv);
  place(figure, menu);
  menus.set(figure, menu);
  return menu;
}

/** Keeps every figure on the page supplied with a menu, and drops menus of figures gone. */
export function enhanceFigures(root: HTMLElement = document.body): MutationObserver {
  const sweep = () => {
    for (const [figure, menu] of menus) {
      if (!figure.isConnected) {
        menu.remove();
        menus.delete(figure);
      }
    }
    for (const figure of findFigures(root)) attachMenu(figure);
  };
  // Only elements coming or going matter (not text changing, e.g. a ticking status line). The
  // sweep runs in the observer's microtask, so a figure never shows (nor is read) without its menu.
  const matters = (records: MutationRecord[]) => records.some((r) => Array.from(r.addedNodes).some((n) => n.nodeType === 1) || Array.from(r.removedNodes).some((n) => n.nodeType === 1));
  const observer = new MutationObserver((records) => {
    if (matters(records)) sweep();
  });
  observer.observe(root, {childList: true, subtree: true});
  sweep();
  return observer;
}

// Loaded as the head's module script: enhance this page once.
if (typeof document !== "undefined" && !(globalThis as any)[Symbol.for("pulsebook.figureMenu")]) {
  (globalThis as any)[Symbol.for("pulsebook.figureMenu")] = true;
  const start = () => enhanceFigures(document.querySelector("main") ?? document.body);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
}
