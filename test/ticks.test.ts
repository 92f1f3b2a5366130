// Tick labels physicists read (lib/plot/ticks.ts), as numbers and as drawn by Plot.

import {readdirSync, readFileSync} from "node:fs";
import {join} from "node:path";
import {JSDOM} from "jsdom";
import * as Plot from "@observablehq/plot";
import {describe, expect, it} from "vitest";
import {formatTick, integerAxis, integerTicks, logAxis, superscript} from "../lib/plot/ticks.js";

const {document} = new JSDOM("").window;

/** The tick labels Plot draws on the x axis. */
function xTicks(x: object, data: number[]): string[] {
  const svg = Plot.plot({document, x, marks: [Plot.dot(data, {x: (d) => d})]}) as SVGSVGElement;
  return Array.from(svg.querySelectorAll('g[aria-label="x-axis tick label"] text'), (t) => t.textContent ?? "");
}

describe("formatTick", () => {
  it("writes decimals between 0.01 and 9999 and powers of ten outside", () => {
    expect([0.01, 0.1, 0.5, 1, 2, 10, 1000, 9999].map(formatTick)).toEqual(["0.01", "0.1", "0.5", "1", "2", "10", "1000", "9999"]);
    expect([1e-5, 2e-5, 1e-3, 1e4, 3e6, 1e-12].map(formatTick)).toEqual(["10⁻⁵", "2·10⁻⁵", "10⁻³", "10⁴", "3·10⁶", "10⁻¹²"]);
    expect(formatTick(-1e-5)).toBe("−10⁻⁵");
    expect(formatTick(-0.25)).toBe("−0.25");
    expect(formatTick(0)).toBe("0");
  });

  it("rounds float noise away", () => {
    expect(formatTick(0.1 + 0.2)).toBe("0.3");
    expect(formatTick(3 * 1e-7)).toBe("3·10⁻⁷");
    expect(formatTick(0.9999999999999999e-5)).toBe("10⁻⁵");
  });

  it("writes superscript exponents", () => {
    expect(superscript(-15)).toBe("⁻¹⁵");
    expect(superscript(7)).toBe("⁷");
    expect(() => superscript(1.5)).toThrow(/integer exponent/);
  });
});

describe("log axes drawn by Plot", () => {
  it("label decades as 10⁻⁵ … 0.1, never with SI prefixes", () => {
    const labels = xTicks(logAxis({label: "NPS"}), [1e-6, 1]).filter(Boolean);
    expect(labels).toEqual(["10⁻⁶", "10⁻⁵", "10⁻⁴", "10⁻³", "0.01", "0.1", "1"]);
    // Plot's default for the same axis: SI prefixes.
    expect(xTicks({type: "log"}, [1e-6, 1]).filter(Boolean)).toContain("10µ");
  });

  it("leave minor ticks unlabelled over many decades, label them over one", () => {
    const many = xTicks(logAxis(), [1, 1e6]);
    expect(many.filter(Boolean)).toEqual(["1", "10", "100", "1000", "10⁴", "10⁵", "10⁶"]);
    const one = xTicks(logAxis(), [2, 9]).filter(Boolean);
    expect(one).toContain("5");
    expect(one.every((l) => /^\d$/.test(l))).toBe(true);
  });
});

describe("integer axes", () => {
  it("tick only integers, at a nice step", () => {
    expect(integerTicks().range(1, 4)).toEqual([1, 2, 3]);
    expect(integerTicks(5).range(0, 101)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(integerTicks().range(3, 3)).toEqual([]);
  });

  it("draw epochs 1, 2, 3 where Plot would draw 1.2, 1.4, …", () => {
    expect(xTicks({}, [1, 3])).toContain("1.2");
    expect(xTicks(integerAxis({label: "epoch"}), [1, 3])).toEqual(["1", "2", "3"]);
    const long = xTicks(integerAxis({label: "epoch"}), [1, 40]);
    expect(long.length).toBeGreaterThan(3);
    expect(long.every((l) => /^\d+$/.test(l))).toBe(true);
  });
});

describe("every page and lib/plot figure uses these axes", () => {
  const root = join(import.meta.dirname, "..");
  const sources = [
    ...["tutorials", "tools", "reports"].flatMap((d) => readdirSync(join(root, "src", d)).filter((f) => f.endsWith(".md")).map((f) => `src/${d}/${f}`)),
    ...readdirSync(join(root, "lib/plot")).filter((f) => f.endsWith(".ts") && f !== "ticks.ts").map((f) => `lib/plot/${f}`)
  ];

  it("no log axis bypasses logAxis and no epoch or step axis bypasses integerAxis", () => {
    const found: string[] = [];
    for (const file of sources) {
      const text = readFileSync(join(root, file), "utf8");
      for (const m of text.matchAll(/type:\s*["'`]log["'`]/g)) found.push(`${file}: ${m[0]} (use logAxis)`);
      for (const m of text.matchAll(/(\w*\(?)\{\s*label:\s*"(epoch|optimizer step)"/g)) if (m[1] !== "integerAxis(") found.push(`${file}: ${m[0]} (use integerAxis)`);
    }
    expect(sources.length).toBeGreaterThan(10);
    expect(found).toEqual([]);
  });
});
