// The anomaly-search report's heavy work, run in a Web Worker (bundled by
// src/data/anomaly-worker.js.ts): pseudo-experiments at the chosen point, the R scans and
// the sensitivity scan, and the three statistics against exposure. Each job takes the
// templates' URL and the inputs, nothing large.
import {pseudoExperimentsAt, scoreHistograms, slidesScan, zAgainstR} from "../lib/stats/darwinScans.js";
import {sensitivityVsExposure, type AnomalyTemplates, type SearchParams} from "../lib/stats/darwinSearch.js";
import {compareStatistics, COMPARISON_EXPOSURES, COMPARISON_SIGNALS} from "../lib/stats/darwinComparison.js";
import {fetchJson, serveJobs} from "./serve.js";

const templates = (url: string) => fetchJson<AnomalyTemplates>(url);

serveJobs({
  scores: async ({templates: url, params, signalLabel}: {templates: string; params: SearchParams; signalLabel: string}) => scoreHistograms(await templates(url), params, signalLabel),
  point: async ({templates: url, params, nNull}: {templates: string; params: SearchParams; nNull: number}) => pseudoExperimentsAt(await templates(url), params, nNull),
  rScan: async ({templates: url, params}: {templates: string; params: SearchParams}) => zAgainstR(await templates(url), params),
  slides: async ({templates: url}: {templates: string}) => slidesScan(await templates(url)),
  sensitivity: async ({templates: url, params, exposures}: {templates: string; params: Omit<SearchParams, "exposure_tonne_yr">; exposures: number[]}) =>
    sensitivityVsExposure(await templates(url), params, exposures, {nNull: 2000, nSignal: 300}),
  compare: async ({templates: url, R}: {templates: string; R: number}) =>
    compareStatistics(await templates(url), COMPARISON_SIGNALS, COMPARISON_EXPOSURES, {R, nNull: 1000, nSignal: 200, nCheck: 500, nNullBinned: 50000, nImportance: 20000})
});
