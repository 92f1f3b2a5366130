#!/usr/bin/env node
// Recomputes the reference table of Yellin's C̄_max(CL, μ) in docs/limits.md (between
// <!-- cmax:begin --> and <!-- cmax:end -->) with large seeded Monte Carlos: two independent
// seeds per μ, so the table shows its own Monte-Carlo spread. The limits themselves compute
// C̄_max on the fly (lib/stats/optimumInterval.ts); this table documents the function and lets
// a reader compare with Yellin's Fig. 3.
// Usage: node scripts/cmax-table.mjs [--experiments N] [--cl 0.9]
import {readFileSync, writeFileSync} from "node:fs";
import {register} from "tsx/esm/api";

register();
const {intervalMonteCarlo, reductionPoint} = await import("../lib/stats/optimumInterval.ts");
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const experiments = arg("experiments", 20000), cl = arg("cl", 0.9);
const mus = [3, 4, 5, 7, 10, 15, 20, 30, 50, 70, 100, 150];
const rows = [];
for (const mu of mus) {
  const t0 = performance.now();
  const a = intervalMonteCarlo(mu, {experiments, seed: 1, cl}).cBarMax;
  const b = intervalMonteCarlo(mu, {experiments, seed: 2, cl}).cBarMax;
  rows.push(`| ${mu} | ${a.toFixed(4)} | ${b.toFixed(4)} |`);
  console.error(`μ = ${mu}: ${a.toFixed(4)} ${b.toFixed(4)} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
const table = [
  `C̄_max(${cl}, μ) from ${experiments} signal-only experiments per seed (exactly ${cl} for`,
  `${(-Math.log(1 - cl)).toFixed(4)} ≤ μ ≤ μ* = ${reductionPoint(cl).toFixed(4)}, where only the maximum gap can reach CL):`,
  "",
  "| μ | seed 1 | seed 2 |",
  "|---:|---:|---:|",
  ...rows
].join("\n");
const path = new URL("../docs/limits.md", import.meta.url);
const before = readFileSync(path, "utf8");
const re = /(<!-- cmax:begin -->\n)[\s\S]*?(<!-- cmax:end -->)/;
if (!re.test(before)) throw new Error("docs/limits.md has no <!-- cmax:begin --> … <!-- cmax:end --> section");
writeFileSync(path, before.replace(re, `$1${table}\n$2`));
console.error("rewrote the C̄_max table in docs/limits.md");
