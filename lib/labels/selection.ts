// Selecting points of a scatter by a rectangle or a lasso polygon, in data coordinates, over
// typed arrays (200,000 points in a few milliseconds). Non-finite points are never selected.

import {polygonContains} from "d3";

export type Point = [number, number];

export interface Rect {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

/** Indices i with x[i], y[i] inside the rectangle (edges included, corners in any order). */
export function selectInRect(x: ArrayLike<number>, y: ArrayLike<number>, rect: Rect): Uint32Array {
  const xlo = Math.min(rect.x0, rect.x1), xhi = Math.max(rect.x0, rect.x1);
  const ylo = Math.min(rect.y0, rect.y1), yhi = Math.max(rect.y0, rect.y1);
  const out: number[] = [];
  for (let i = 0; i < x.length; ++i) {
    const xi = x[i], yi = y[i];
    if (xi >= xlo && xi <= xhi && yi >= ylo && yi <= yhi) out.push(i);
  }
  return Uint32Array.from(out);
}

/**
 * Indices inside a closed polygon (the last vertex joins the first), by d3's even-odd ray
 * test; the polygon's bounding box rejects most points first.
 */
export function selectInPolygon(x: ArrayLike<number>, y: ArrayLike<number>, polygon: readonly Point[]): Uint32Array {
  if (polygon.length < 3) return new Uint32Array(0);
  let xlo = Infinity, xhi = -Infinity, ylo = Infinity, yhi = -Infinity;
  for (const [px, py] of polygon) {
    xlo = Math.min(xlo, px); xhi = Math.max(xhi, px);
    ylo = Math.min(ylo, py); yhi = Math.max(yhi, py);
  }
  const ring = polygon as Point[];
  const out: number[] = [];
  const p: Point = [0, 0];
  for (let i = 0; i < x.length; ++i) {
    const xi = x[i], yi = y[i];
    if (!(xi >= xlo && xi <= xhi && yi >= ylo && yi <= yhi)) continue;
    p[0] = xi;
    p[1] = yi;
    if (polygonContains(ring, p)) out.push(i);
  }
  return Uint32Array.from(out);
}

/** The rectangle as a polygon (for saving a selection as a cut). */
export function rectPolygon(rect: Rect): Point[] {
  return [[rect.x0, rect.y0], [rect.x1, rect.y0], [rect.x1, rect.y1], [rect.x0, rect.y1]];
}
