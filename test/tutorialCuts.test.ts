// Tutorial 1 teaches cuts on the demo run: each cut it suggests must do to the demo's phonon
// records what its prose says. The suggestions and their claims live in
// src/tutorials/first-look-cuts.json, which the page renders; here the demo feature table the
// loader writes (data-loaders/demo.ts) is queried with the page's engine (DuckDB-wasm).
import {readFileSync} from "node:fs";
import {describe, expect, it} from "vitest";
import {ensureDemoFeatures} from "../data-loaders/demo.js";
import {querySql} from "../data-loaders/io/sqlSelect.js";
import {LABEL_CLASSES} from "../lib/types.js";

interface Claim {selects?: string[]; removes?: string[]; keeps?: string[]; dropsMostOf?: string[]; otherAtMost?: number}
interface Suggestion {where: string; says: string; claim: Claim}

const {suggestions} = JSON.parse(readFileSync(new URL("../src/tutorials/first-look-cuts.json", import.meta.url), "utf8")) as {suggestions: Suggestion[]};
const page = readFileSync(new URL("../src/tutorials/01-first-look.md", import.meta.url), "utf8");
const className = (label: number) => (LABEL_CLASSES as {[k: number]: string})[label] ?? `class ${label}`;
// The page's scatter query: phonon records with a finite height and rise time.
const BASE = "channel = 0 AND isfinite(pulse_height_V) AND isfinite(rise_time_ms)";

/** Class name → [passing, total] phonon records of the demo under `where`. */
async function counts(bytes: Uint8Array, where: string): Promise<Map<string, [number, number]>> {
  const rows = (await querySql(bytes, `SELECT label, count(*) FILTER (WHERE ${where})::INTEGER AS pass, count(*)::INTEGER AS total FROM features WHERE ${BASE} GROUP BY label`)).toArray();
  return new Map(rows.map((r) => [className(Number(r.label)), [Number(r.pass), Number(r.total)] as [number, number]]));
}

describe("tutorial 1's suggested cuts on the demo run", () => {
  it("are rendered by the page, with a default that is one of them", () => {
    expect(suggestions.length).toBeGreaterThanOrEqual(4);
    expect(page).toContain('FileAttachment("first-look-cuts.json")');
    const defaultCut = /Inputs\.text\(\{label: "SQL cut \(WHERE …\)", value: "([^"]*)"/.exec(page)?.[1];
    expect(suggestions.map((s) => s.where)).toContain(defaultCut);
  });

  it("each do what the prose claims", async () => {
    const bytes = new Uint8Array(readFileSync(await ensureDemoFeatures()));
    const all = await counts(bytes, "true");
    const known = new Set(all.keys());
    for (const {where, claim} of suggestions) {
      const c = await counts(bytes, where);
      const named = [...(claim.selects ?? []), ...(claim.removes ?? []), ...(claim.keeps ?? []), ...(claim.dropsMostOf ?? [])];
      for (const name of named) expect(known.has(name), `${where}: the demo has no ${name} records`).toBe(true);
      const pass = (name: string) => c.get(name)![0], total = (name: string) => c.get(name)![1];
      const others = (listed: string[], count: (name: string) => number) => [...known].filter((n) => !listed.includes(n)).reduce((s, n) => s + count(n), 0);
      const slack = claim.otherAtMost ?? 0;
      if (claim.selects) {
        for (const name of claim.selects) expect(pass(name), `${where} passes every ${name}`).toBe(total(name));
        expect(others(claim.selects, pass), `${where} passes nothing else`).toBeLessThanOrEqual(slack);
      }
      if (claim.removes) {
        for (const name of claim.removes) expect(pass(name), `${where} removes every ${name}`).toBe(0);
        expect(others(claim.removes, (n) => total(n) - pass(n)), `${where} removes nothing else`).toBeLessThanOrEqual(slack);
      }
      for (const name of claim.keeps ?? []) expect(pass(name), `${where} keeps every ${name}`).toBe(total(name));
      for (const name of claim.dropsMostOf ?? []) expect(total(name) - pass(name), `${where} drops most ${name}`).toBeGreaterThan(total(name) / 2);
      // A suggestion that changes nothing teaches nothing.
      const passing = [...c.values()].reduce((s, [p]) => s + p, 0), every = [...c.values()].reduce((s, [, t]) => s + t, 0);
      expect(passing, where).toBeGreaterThan(0);
      expect(passing, where).toBeLessThan(every);
    }
  }, 120_000);

  it("see rise times spread between the samples, not two values", async () => {
    const bytes = new Uint8Array(readFileSync(await ensureDemoFeatures()));
    const [row] = (await querySql(bytes, `SELECT count(DISTINCT rise_time_ms)::INTEGER AS distinct_values, count(*)::INTEGER AS n, quantile_cont(rise_time_ms, 0.25) AS q1, quantile_cont(rise_time_ms, 0.75) AS q3 FROM features WHERE ${BASE} AND label = 1`)).toArray();
    // Whole samples gave 1.48 or 1.52 ms to 160 of 200 pulses.
    expect(Number(row.distinct_values)).toBeGreaterThan(0.9 * Number(row.n));
    expect(Number(row.q3) - Number(row.q1)).toBeGreaterThan(0);
    expect(Number(row.q3) - Number(row.q1)).toBeLessThan(0.04);
  }, 120_000);
});
