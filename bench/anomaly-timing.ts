// Timing code shared by the Node and browser anomaly benchmarks (no Node APIs here).
import {tf} from "../lib/ml/nets/tf.js";
import {selectBackend, type BackendName} from "../lib/ml/nets/backend.js";
import {disposeClassifier, predictNR, trainClassifier} from "../lib/ml/darwin/tpcClassifier.js";
import {disposeVae, trainVae, vaeLoss} from "../lib/ml/darwin/vae.js";
import {Rng, featureLength, simulateTpc, tpcFeatures, uniformEnergies} from "../lib/sim/index.js";
import {runPseudoExperiments} from "../lib/stats/anomalySearch.js";
import {prepareDarwinSearch, type AnomalyTemplates} from "../lib/stats/darwinSearch.js";

export const N_PSEUDO = 10000;
export const EXPOSURES = [10, 200];
export const PARAMS = {R: 100, wimpMass_GeV: 50, sigma_cm2: 1e-47};

// Shared by Node and the browser bundle: time 10⁴ H0 pseudo-experiments per exposure.
export function timePseudo(t: AnomalyTemplates, exposures: number[], n: number) {
  return exposures.map((ex) => {
    const {prepared, model} = prepareDarwinSearch(t, {...PARAMS, exposure_tonne_yr: ex});
    const t0 = performance.now();
    const r = runPseudoExperiments(prepared, n, 1, 0);
    const s = (performance.now() - t0) / 1000;
    let events = 0;
    for (const k of r.nEvents) events += k;
    return {exposure_tonne_yr: ex, pseudo_experiments: n, mean_events: events / n, seconds: s, expected_background: model.expected.er + model.expected.nr};
  });
}

export async function timeMl(backend: BackendName) {
  const got = await selectBackend([backend]);
  const d = featureLength(), rng = new Rng(3);
  const ev = simulateTpc([{kind: "ER", energy_keV: uniformEnergies(2000, 2, 10, rng)}, {kind: "NR", energy_keV: uniformEnergies(2000, 5, 35, rng)}], 5);
  const x = tpcFeatures(ev);
  const epochs = 2;
  let t0 = performance.now();
  const {model: clf} = await trainClassifier(x, ev.kind, d, {epochs});
  const clfTrain = (ev.n * epochs) / ((performance.now() - t0) / 1000);
  t0 = performance.now();
  predictNR(clf, x);
  const clfInfer = ev.n / ((performance.now() - t0) / 1000);
  t0 = performance.now();
  const {model: vae} = await trainVae(x, d, {epochs});
  const vaeTrain = (ev.n * epochs) / ((performance.now() - t0) / 1000);
  t0 = performance.now();
  vaeLoss(vae, x);
  const vaeInfer = ev.n / ((performance.now() - t0) / 1000);
  disposeClassifier(clf);
  disposeVae(vae);
  return {backend: got, tfjs_backend: tf.getBackend(), classifier_train_records_per_s: clfTrain, classifier_infer_records_per_s: clfInfer, vae_train_records_per_s: vaeTrain, vae_infer_records_per_s: vaeInfer};
}

