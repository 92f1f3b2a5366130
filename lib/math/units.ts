// Physical units of recorded signals: which units a record may be in, how columns are named
// after them, and how a value is printed so that its digits show (12.3 nA, not 0.0000 V).

/** Units a record's samples may be in: volts, amperes or raw ADC counts. */
export type SignalUnit = "V" | "A" | "ADC";
export const SIGNAL_UNITS: readonly SignalUnit[] = ["V", "A", "ADC"];

/** How a unit is spelled in labels and messages. */
export const UNIT_LABEL: {[U in SignalUnit]: string} = {V: "V", A: "A", ADC: "ADC counts"};

// Spellings accepted in files and configs (case-insensitive) for each unit.
const ALIASES: {[alias: string]: SignalUnit} = {
  v: "V", volt: "V", volts: "V",
  a: "A", amp: "A", ampere: "A", amperes: "A", amps: "A",
  adc: "ADC", counts: "ADC", "adc counts": "ADC", "adc_counts": "ADC", adu: "ADC"
};

/** The unit a string names (`"V"`, `"amperes"`, `"ADC counts"`…), or undefined. */
export function parseUnit(text: string): SignalUnit | undefined {
  return ALIASES[text.trim().toLowerCase()];
}

// A `_V` token of a column name: `pulse_height_V`, `record_var_V2`, `baseline_slope_V_per_s`,
// `psd_ch0_V2_per_Hz` (never the V of another word: it must follow `_` and end the name or
// precede `2` or `_per_`).
const VOLT_TOKEN = /_V(?=2?(?:_per_|$))/;

/**
 * The name of a column for data in `unit`, from its volts name: `pulse_height_V` →
 * `pulse_height_A` or `pulse_height_ADC`; `record_var_V2` → `record_var_A2`. Names without a
 * volts token (`onset_ms`, `label`) are returned unchanged; volts names stay as they are, so
 * the files written before units existed keep their names.
 */
export function unitColumn(voltsName: string, unit: SignalUnit): string {
  return unit === "V" ? voltsName : voltsName.replace(VOLT_TOKEN, `_${unit}`);
}

/** The unit of a column's metadata for data in `unit`: `V` → `A`, `V²` → `A²`, `V/ms` → `ADC/ms`. */
export function unitOf(voltsUnit: string, unit: SignalUnit): string {
  return unit === "V" ? voltsUnit : voltsUnit.replace(/^V(?=$|²|\/)/, unit);
}

/** The volts name of a column named for `unit` (inverse of unitColumn), or undefined when it is not one. */
export function voltsColumn(name: string, unit: SignalUnit): string | undefined {
  if (unit === "V") return name;
  const m = new RegExp(`_${unit}(?=2?(?:_per_|$))`).exec(name);
  return m ? name.slice(0, m.index) + "_V" + name.slice(m.index + m[0].length) : undefined;
}

const PREFIXES: [number, string][] = [
  [1e12, "T"], [1e9, "G"], [1e6, "M"], [1e3, "k"], [1, ""],
  [1e-3, "m"], [1e-6, "µ"], [1e-9, "n"], [1e-12, "p"], [1e-15, "f"], [1e-18, "a"]
];

/**
 * `value` in `unit` with an SI prefix chosen so that 1 ≤ |mantissa| < 1000, to `digits`
 * significant digits: formatSI(3.2e-9, "A") = "3.20 nA", formatSI(0.0123, "V") = "12.3 mV".
 * Zero, NaN and ±Infinity print as such. Units without prefixes (ADC counts, "" for plain
 * numbers) print in plain or exponential notation with the same significant digits.
 */
export function formatSI(value: number, unit: string, digits = 3): string {
  const label = (UNIT_LABEL as {[u: string]: string})[unit] ?? unit;
  const tail = label ? ` ${label}` : "";
  if (!Number.isFinite(value)) return `${Number.isNaN(value) ? "NaN" : value > 0 ? "∞" : "−∞"}${tail}`;
  if (value === 0) return `0${tail}`;
  const a = Math.abs(value);
  if (unit === "ADC" || unit === "") {
    // Counts have no prefixes: whole digits up to 10⁶, significant digits below, exponent beyond.
    const text = a >= 1e6 || a < 1e-3 ? value.toExponential(digits - 1) : a >= 10 ** digits ? value.toFixed(0) : value.toPrecision(digits);
    return `${text}${tail}`;
  }
  let [scale, prefix] = PREFIXES[PREFIXES.length - 1];
  for (const p of PREFIXES) if (a >= p[0]) { [scale, prefix] = p; break; }
  let text = (value / scale).toPrecision(digits);
  // Rounding may carry to 1000 (999.7 mV → "1000"): step up one prefix.
  const i = PREFIXES.findIndex((p) => p[0] === scale);
  if (Math.abs(Number(text)) >= 1000 && i > 0) {
    [scale, prefix] = PREFIXES[i - 1];
    text = (value / scale).toPrecision(digits);
  }
  if (a >= 1e15 || a < 1e-18) return `${value.toExponential(digits - 1)}${tail}`;
  return `${text} ${prefix}${label}`;
}
