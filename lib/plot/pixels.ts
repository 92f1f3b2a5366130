// Colours as the packed 32-bit pixels of ImageData, for the raster scatter.

/** Packs 8-bit r, g, b, a into ImageData's little-endian 32-bit pixel. */
export function rgba(r: number, g: number, b: number, a = 255): number {
  return ((a & 255) << 24 | (b & 255) << 16 | (g & 255) << 8 | (r & 255)) >>> 0;
}

/** `#rrggbb` → packed pixel. */
export function hexColour(hex: string, alpha = 255): number {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new RangeError(`not a #rrggbb colour: ${hex}`);
  return rgba(parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16), alpha);
}
