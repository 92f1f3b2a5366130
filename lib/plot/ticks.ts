// Tick labels as physicists write them: 0.1 and 10⁻⁵, never d3's SI prefixes ("100m", "10µ"
// read as metres and micro-units on an axis already in V or Hz), and integer ticks on axes that
// count things (epochs, steps). One formatter for every log axis of the pages and of lib/plot.

import {tickStep} from "d3";

const SUPERSCRIPT: Readonly<Record<string, string>> = {"-": "⁻", "0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵", "6": "⁶", "7": "⁷", "8": "⁸", "9": "⁹"};

/** An integer as superscript digits (−5 → "⁻⁵"). */
export function superscript(n: number): string {
  if (!Number.isInteger(n)) throw new RangeError(`superscript needs an integer exponent, got ${n}`);
  return String(n).replace(/./g, (c) => SUPERSCRIPT[c]);
}

/**
 * A number as a physicist labels an axis: plain decimals from 0.01 to 9999 ("0.01", "0.5", "1000"),
 * powers of ten outside ("10⁻⁵", "2·10⁻⁵", "10⁴"); a true minus sign; float noise rounded away.
 */
export function formatTick(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return "0";
  const sign = v < 0 ? "−" : "";
  const a = Math.abs(v);
  if (a >= 0.01 && a < 1e4) return sign + String(Number(a.toPrecision(12)));
  let e = Math.floor(Math.log10(a));
  let m = Number((a / 10 ** e).toPrecision(12));
  if (m >= 10) {
    m = Number((m / 10).toPrecision(12));
    e += 1;
  } else if (m < 1) {
    m = Number((m * 10).toPrecision(12));
    e -= 1;
  }
  return `${sign}${m === 1 ? "" : `${m}·`}10${superscript(e)}`;
}

/**
 * The options of a log axis: Plot passes the function to d3's log tickFormat, which still
 * leaves the minor ticks (2…9 × 10ᵏ) unlabelled when there are many decades.
 */
export function logAxis<T extends object>(options: T = {} as T): T & {type: "log"; tickFormat: (v: number) => string} {
  return {...options, type: "log", tickFormat: formatTick};
}

/** A Plot tick interval with integer ticks only: a nice step (1, 2, 5, 10, …) for about `count` ticks. */
export function integerTicks(count = 8): {floor(x: number): number; offset(x: number, k?: number): number; range(lo: number, hi: number): number[]} {
  return {
    floor: Math.floor,
    offset: (x, k = 1) => x + k,
    range(lo, hi) {
      if (!(hi > lo)) return [];
      const step = Math.max(1, Math.ceil(tickStep(lo, hi, count)));
      const ticks: number[] = [];
      for (let t = Math.ceil(lo / step) * step; t < hi; t += step) ticks.push(t);
      return ticks;
    }
  };
}

/** The options of an axis that counts (epochs, optimizer steps): integer ticks, printed as integers. */
export function integerAxis<T extends object>(options: T = {} as T, count = 8): T & {ticks: ReturnType<typeof integerTicks>; tickFormat: "d"} {
  return {...options, ticks: integerTicks(count), tickFormat: "d"};
}
