// Every `pulsebook` command, in one table: name, summary, description, arguments, options with
// their types, defaults and allowed values, and the handler. Parsing (parse.ts), help and usage
// (help.ts) and the reference in docs/cli.md (docs.ts) are all generated from it, so adding a
// command is adding an entry here. Handlers import their modules when they run: `pulsebook help`
// must not load TensorFlow.js or DuckDB, so only light modules are imported at the top.
import {RECORD_GROUPS} from "../../lib/types.js";
import {progressReporter} from "../progress.js";
import {parseShard, SHARD_STEPS} from "../../lib/pipeline/shard.js";
import {FINE_TUNE, MODEL_KINDS, PAPER_LEARNING_RATE} from "../../lib/ml/nets/modelKinds.js";
import {BACKEND_NAMES} from "../../lib/ml/nets/backendNames.js";
import {DEFAULT_GBDT_PARAMS} from "../../lib/ml/trees/trees.js";
import type {FeatureSetName} from "../../lib/ml/trees/treeData.js";
import {formatNumber} from "./help.js";
import {LIMIT_METHODS, TARGET_NAMES} from "../../lib/stats/wimpLimit.js";
import {rdtCompanion, streamCompanion} from "../runFiles.js";
import {DEFAULT_ANOMALY_MODEL_DIR, DEFAULT_MODEL_DIR, DEFAULT_TREE_MODEL_DIRS} from "../modelDirs.js";
import {CONSENSUS_RULES} from "../../lib/labels/agreement.js";
import {
  UsageError, command, flag, integer, integerList, list, number, numberList, oneOf, oneOfList, text,
  type Entry
} from "./spec.js";

const quiet = flag({summary: "no progress output on stderr"});
const threads = integer({min: 1, placeholder: "N", defaultText: "one per core, fewer for small files",
  summary: "worker threads computing the records (read by this thread, or by each worker for large files); the output is the same for any N"});
const force = flag({summary: "replace an existing --out of another kind (never an input)"});
/** Roles of path options and positionals (data-loaders/cli/paths.ts guards them). */
const IN = {io: "input"} as const;
const outFile = (file: "h5" | "parquet" | "json") => ({io: "output", kind: {file}}) as const;
const backend = oneOfList({values: BACKEND_NAMES, noun: "backend", summary: "TensorFlow.js backends to try, in order",
  defaultText: "wasm, else cpu (webgpu only when named)"});
/** The tree feature sets (lib/ml/trees/treeData.ts FEATURE_SETS; a test checks they agree). */
export const TREE_FEATURE_SETS: readonly FeatureSetName[] = ["all", "four"];

/** Progress on stderr (data-loaders/cli/progress.ts): in place on a terminal, a line per 10 % when piped. */
function progress(quiet: boolean, what: string) {
  if (quiet) return undefined;
  return progressReporter({write: (t) => process.stderr.write(t), isTTY: process.stderr.isTTY}, what);
}

/**
 * Loads a module that uses TensorFlow.js, its module hooks registered first (once): they load
 * tfjs from its ESM build (data-loaders/tfjs/tfjsEsmHooks.mjs). Only these commands pay for them.
 */
async function withTfjs<T>(load: () => Promise<T>): Promise<T> {
  await import("../tfjs/registerTfjsEsm.mjs");
  return load();
}

const seconds = (t0: number) => ((performance.now() - t0) / 1000).toFixed(1);

/** Drops the per-bin arrays of an evaluation so that what is printed is the summary. */
function summaryOf<T extends object>(metrics: T): Partial<T> {
  const bulky = ["cutoffSweep", "recallBySnr", "selectivityByOnset", "selectivityByRelativeHeight",
    "selectivityByOnsetWindow", "selectivityByRelativeDifference", "selectivityGrid"];
  return Object.fromEntries(Object.entries(metrics).filter(([k]) => !bulky.includes(k))) as Partial<T>;
}

export const COMMANDS: readonly Entry[] = [
  command({
    name: "init",
    summary: "Write a run file that points the notebooks at a run (docs/runs.md).",
    description: `Opens the cait HDF5 file, prints what it holds (events, channels, record length,
      sample rate, unit, trigger index and where each came from) and writes the run file
      (pulsebook.yaml, or runs/NAME.yaml for several runs). npm run dev and npm run build then show
      that run.`,
    options: {
      run: text({required: true, placeholder: "PATH.yaml", summary: "the run file to write: pulsebook.yaml or runs/NAME.yaml"}),
      input: text({required: true, placeholder: "FILE.h5", path: IN, summary: "the run's cait-layout HDF5 file"}),
      title: text({placeholder: "T", summary: "the title the pages show", defaultText: "the name"}),
      name: text({placeholder: "N", summary: "the run's short name (letters, digits, . - _)", defaultText: "the run file's name, or the input's for pulsebook.yaml"}),
      config: text({placeholder: "CFG.yaml", path: IN, summary: "a processing config for the run (docs/processing-config.md)", defaultText: "the demo's steps adapted"}),
      model: text({placeholder: "DIR", path: IN, summary: "the classifier model folder the classifying pages use", defaultText: "models/cnn"}),
      "publish-records": text({placeholder: "RULE", defaultText: "all up to 50,000 events, else every n-th so about 50,000 remain", summary: "the events a published site carries records for: all, first:N, every:K or random:N:SEED"}),
      force: flag({summary: "replace an existing run file"})
    },
    async run({values: v}) {
      const {initRun} = await import("../runInit.js");
      const {path, run, found} = await initRun({
        run: v.run, input: v.input, title: v.title, name: v.name, config: v.config, model: v.model, publishRecords: v["publish-records"], force: v.force
      });
      for (const line of found) console.error(line);
      console.error(`wrote ${path}: run ${run.name} ("${run.title}"); npm run dev / npm run build now show it${/runs\/[^/]+$/.test(path) ? " (with several files in runs/, choose one with PULSEBOOK_RUN=NAME)" : ""}`);
    }
  }),

  command({
    name: "simulate",
    summary: "Simulate a CRESST-like module in cait's HDF5 layout, with ground-truth labels.",
    description: `Phonon and light channel, 25 kHz, 16384 samples; about 25 % artefacts with their
      labels. Every event depends only on (seed, group, index).`,
    options: {
      events: integer({min: 1, required: true, placeholder: "N", summary: "events (records of the events group)"}),
      seed: integer({default: 1, placeholder: "S", summary: "random seed"}),
      testpulses: integer({placeholder: "N", defaultText: "events/5", summary: "test pulses"}),
      noise: integer({placeholder: "N", defaultText: "events/5", summary: "noise traces"}),
      "record-length": integer({min: 64, placeholder: "L", defaultText: "16384, cait's", summary: "samples per record at 25 kHz, trigger at L/4 (short records keep a run of many events small)"}),
      out: text({required: true, placeholder: "FILE.h5", path: outFile("h5"), summary: "the file to write"}),
      force,
      quiet
    },
    async run({values: v}) {
      const t0 = performance.now();
      const {writeSimulation} = await import("../simulate.js");
      const L = v["record-length"];
      const preset = L === undefined ? undefined : (await import("../../lib/sim/presets.js")).cresstLike({sampleFrequency_Hz: 25_000, recordLength: L, triggerIndex: L >> 2});
      await writeSimulation(v.out, {
        events: v.events, seed: v.seed, preset,
        testpulses: v.testpulses ?? Math.ceil(v.events / 5), noise: v.noise ?? Math.ceil(v.events / 5),
        onProgress: progress(v.quiet, "simulate")
      });
      if (!v.quiet) console.error(`wrote ${v.out} (${v.events} events) in ${seconds(t0)} s`);
    }
  }),

  command({
    name: "features",
    summary: "Main pulse parameters, one row per (event, channel), streamed in bounded memory.",
    description: `The 14 main parameters of docs/features.md for every record of one group, with a
      label column when the file has events/labels.`,
    positionals: [{name: "IN.h5", path: IN}],
    options: {
      group: oneOf({values: RECORD_GROUPS, default: "events", summary: "the record group"}),
      out: text({required: true, placeholder: "FILE.parquet", path: outFile("parquet"), summary: "the feature table to write"}),
      threads,
      force,
      quiet
    },
    async run({values: v, positionals: [input], commandLine}) {
      const t0 = performance.now();
      const {writeFeatures} = await import("../features.js");
      // Warnings (metadata assumed) are said even with --quiet: they change what the numbers mean.
      const {rows, events} = await writeFeatures(input, v.out, {group: v.group, command: commandLine, threads: v.threads, onProgress: progress(v.quiet, "features"), warn: (m: string) => console.error(`warning: ${m}`)});
      if (!v.quiet) console.error(`wrote ${v.out}: ${rows} rows from ${events} events in ${seconds(t0)} s`);
    }
  }),

  command({
    name: "process",
    summary: "The whole DSP chain of a run, as its processing config describes it.",
    description: `Features, standard event, noise power spectrum, optimum filter, SEV fit and energy
      calibration (docs/processing-config.md). Writes tables, spectra and summary.json to the
      config's output directory.`,
    positionals: [{name: "CONFIG.yaml", path: IN}],
    options: {
      step: oneOf({values: SHARD_STEPS, noun: "step", placeholder: "STEP", summary: "one step of a sharded run (docs/slurm.md): features and records run one shard, shared and final join them"}),
      shard: text({placeholder: "I/N", summary: "the shard of a features or records step: I of N, from 0"}),
      shards: integer({min: 1, placeholder: "N", summary: "the number of shards, for the shared and final steps"}),
      threads,
      quiet
    },
    check({values: v}) {
      if (v.step === undefined && (v.shard !== undefined || v.shards !== undefined)) throw new UsageError("--shard and --shards belong to a sharded run: give --step too");
      if ((v.step === "features" || v.step === "records") && v.shard === undefined) throw new UsageError(`--step ${v.step} runs one shard: give --shard I/N`);
      if ((v.step === "shared" || v.step === "final") && v.shards === undefined) throw new UsageError(`--step ${v.step} joins the shards: give --shards N`);
      if (v.shard !== undefined) {
        try { parseShard(v.shard); } catch (e) { throw new UsageError((e as Error).message); }
      }
    },
    async run({values: v, positionals: [config]}) {
      const log = v.quiet ? undefined : (m: string) => console.error(m);
      if (v.step !== undefined) {
        const {shardStepFromFile} = await import("../processFile.js");
        const t0 = performance.now();
        const res = await shardStepFromFile(config, v.step, {shard: v.shard === undefined ? undefined : parseShard(v.shard), count: v.shards}, {log, threads: v.threads});
        if (!v.quiet) console.error(`step ${v.step}${v.shard ? ` shard ${v.shard}` : ""}: computed ${res.ran.join(", ") || "nothing, all reused"} in ${seconds(t0)} s`);
        return;
      }
      const {processFromFile} = await import("../processFile.js");
      const {formatSI} = await import("../../lib/math/units.js");
      const summary = await processFromFile(config, {threads: v.threads, log, warn: (m: string) => console.error(m)});
      if (!v.quiet) {
        for (const c of summary.channels) {
          const of = c.optimumFilter as {[k: string]: number} | undefined;
          const sigma = of?.[`predictedResolution_${summary.unit}`], measured = of?.[`measuredResolution_${summary.unit}`];
          if (sigma !== undefined) console.error(`ch${c.channel} (${c.name}): OF resolution ${formatSI(sigma, summary.unit)} predicted, ${formatSI(measured!, summary.unit)} measured`);
        }
      }
      if (!v.quiet) console.error(`wrote ${summary.output} in ${summary.seconds.toFixed(1)} s (config ${summary.config_hash.slice(0, 12)}; computed: ${summary.ran.join(", ") || "nothing, all stages reused"})`);
    }
  }),

  command({
    name: "submit",
    summary: "Submit a run to a batch cluster as sharded jobs (Slurm).",
    description: `A job array computes the features of N shards, one job the standard event, noise
      spectrum and optimum filter of the whole run, a second array the OF amplitudes and SEV fits
      of each shard (a Hive-partitioned dataset under OUTPUT/parts/), and a final job joins them
      into exactly the outputs of \`pulsebook process\`; each waits for the one before. Only what is
      not done is submitted, so rerunning after a failure resubmits the failed shards alone.`,
    positionals: [{name: "CONFIG.yaml", path: IN}],
    options: {
      slurm: flag({summary: "submit to Slurm with sbatch (the only engine for now; required)"}),
      shards: integer({min: 1, required: true, placeholder: "N", summary: "shards (array tasks) per array step"}),
      partition: text({placeholder: "P", summary: "Slurm partition"}),
      time: text({placeholder: "T", summary: "time limit per job, as sbatch takes it (e.g. 2:00:00)"}),
      mem: text({placeholder: "M", summary: "memory per job, as sbatch takes it (e.g. 4G)"}),
      "cpus-per-task": integer({min: 1, default: 1, placeholder: "C", summary: "CPUs per job"}),
      "dry-run": flag({summary: "print the job scripts that would be submitted; submit nothing"}),
      wait: flag({summary: "wait until the submitted jobs have left the queue, then report what is done"}),
      quiet
    },
    check({values: v}) {
      if (!v.slurm) throw new UsageError("say which batch system: --slurm (the only one supported)");
    },
    async run({values: v, positionals: [config]}) {
      const {submitFromFile} = await import("../processFile.js");
      const code = await submitFromFile(config, {
        shards: v.shards, partition: v.partition, time: v.time, mem: v.mem, cpusPerTask: v["cpus-per-task"],
        dryRun: v["dry-run"], wait: v.wait, log: v.quiet ? undefined : (m: string) => console.error(m), print: (m: string) => console.log(m)
      });
      return code;
    }
  }),

  command({
    name: "convert",
    summary: "CRESST/COSINUS raw records (.rdt, .par, .con) → cait's HDF5 layout.",
    description: `Records split into events, testpulses and noise by test-pulse amplitude, metainfo
      from the .par, controlpulses from the .con; streamed in bounded memory.`,
    positionals: [{name: "RUN.rdt", path: IN}],
    options: {
      channels: integerList({required: "detector numbers, in output order", placeholder: "0,1", summary: "the channels (detector numbers) to convert, in output order"}),
      par: text({placeholder: "RUN.par", defaultText: "the .par next to the .rdt", path: IN, summary: "the text header"}),
      con: text({placeholder: "RUN.con", defaultText: "the .con next to the .rdt", path: IN, summary: "the control pulses"}),
      "no-con": flag({summary: "no control pulses"}),
      out: text({placeholder: "FILE.h5", defaultText: "named as cait does, RUN-P_Ch0-L_Ch1.h5", path: outFile("h5"), summary: "the file to write"}),
      force,
      quiet
    },
    // The .par and .con that convert.ts finds next to the .rdt.
    impliedInputs: ({positionals: [rdt]}) => [".par", ".con"].map((ext) => ({path: rdtCompanion(rdt, ext), from: `the ${ext} next to RUN.rdt`})),
    async run({values: v, positionals: [rdt], commandLine}) {
      const {caitOutputName, convertRdt} = await import("../convert.js");
      const out = v.out ?? caitOutputName(rdt, v.channels);
      const t0 = performance.now();
      const res = await convertRdt(rdt, out, {
        channels: v.channels, par: v.par, con: v["no-con"] ? null : v.con, command: commandLine, onProgress: progress(v.quiet, "convert")
      });
      const c = res.counts;
      if (!v.quiet) {
        console.error(`wrote ${out}: ${c.events} events, ${c.testpulses} test pulses, ${c.noise} noise traces, ${res.controlPulses} control pulses` +
          `${res.skippedEvents ? ` (${res.skippedEvents} events of other TPA skipped)` : ""} in ${seconds(t0)} s`);
      }
    }
  }),

  command({
    name: "import",
    summary: "Traces of other tools (.npy, .npz, an HDF5 dataset, a CSV/text table) → cait's HDF5 layout.",
    description: `Records of any length with their sample rate (--fs, or the file's sample_rate
      attribute), unit, pretrigger samples and channel names in metainfo (docs/import.md). The
      sample rate is required; the other three, and the axis order of a multi-dimensional array,
      are announced once on stderr when neither given nor in the file, and then not written.
      Streamed in chunks of events; written atomically.`,
    positionals: [{name: "IN", path: IN}],
    options: {
      out: text({required: true, placeholder: "FILE.h5", path: outFile("h5"), summary: "the file to write"}),
      fs: number({gt: 0, placeholder: "HZ", defaultText: "the file's sample_rate attribute (HDF5), else an error", summary: "sample rate in Hz"}),
      pretrigger: integer({min: 0, placeholder: "N", summary: "samples before the trigger (the trigger's sample index)"}),
      unit: text({placeholder: "UNIT", summary: "unit of the samples: V, A, ADC, …"}),
      "channel-names": list({placeholder: "a,b", summary: "one name per channel, in order"}),
      layout: text({placeholder: "ecs", defaultText: "ecs (rank 3), es (rank 2), cs for event_N datasets", summary: "stored axis order: e event, c channel, s sample (C order; Fortran .npy handled)"}),
      array: text({placeholder: "NAME", defaultText: "the only one", summary: ".npz: the array to import"}),
      dataset: text({placeholder: "/PATH", summary: "HDF5: a dataset, or a group of event_N datasets (pytesdaq: /adc1)"}),
      format: oneOf({values: ["npy", "npz", "hdf5", "text"], defaultText: "from the extension, else the first bytes", summary: "the input format"}),
      group: oneOf({values: RECORD_GROUPS, default: "events", summary: "the record group to write"}),
      force,
      quiet
    },
    async run({values: v, positionals: [input], commandLine}) {
      const t0 = performance.now();
      const {importTraces} = await import("../import/importTraces.js");
      const r = await importTraces(input, v.out, {
        format: v.format, array: v.array, dataset: v.dataset, layout: v.layout, sampleFrequency_Hz: v.fs, pretrigger: v.pretrigger,
        unit: v.unit, channelNames: v["channel-names"], group: v.group, command: commandLine, onProgress: progress(v.quiet, "import")
      });
      if (!v.quiet) {
        console.error(`wrote ${v.out}: ${r.events} events × ${r.channels} channels × ${r.recordLength} samples at ${r.sampleFrequency_Hz} Hz ` +
          `(${r.format}) in ${seconds(t0)} s`);
      }
    }
  }),

  command({
    name: "trigger",
    summary: "Optimum-filter trigger on continuous .csmpl streams, streamed from disk.",
    description: `Stream i is filtered with row i of FILTER.h5's optimumfilter and triggered at
      threshold i (volts). Writes the triggered records, test pulses (from the test stamps), noise
      traces and the trigger list (group stream). --float32 filters with PFFFT (several times
      faster; amplitudes within ≈1e-7 of float64).`,
    positionals: [{name: "RUN_Ch0.csmpl", repeat: "many", path: IN}],
    options: {
      of: text({required: "a cait-layout file with optimumfilter/optimumfilter_real|imag", placeholder: "FILTER.h5", path: IN, summary: "the optimum filter, one row per stream"}),
      threshold: numberList({gt: 0, required: "one value in volts per stream, e.g. --threshold 0.003,0.0025", placeholder: "V0[,V1…]", summary: "trigger thresholds in volts, one per stream"}),
      out: text({required: true, placeholder: "FILE.h5", path: outFile("h5"), summary: "the file to write"}),
      force,
      method: oneOf({values: ["record-windows", "filter-walk"], default: "record-windows", summary: "cait's trigger_csmpl (record-windows) or trigger_of (filter-walk)"}),
      float32: flag({summary: "filter in float32 with PFFFT"}),
      db: text({placeholder: "RUN.db", defaultText: "next to the first stream", path: IN, summary: "the run's .db"}),
      "dig-stamps": text({placeholder: "F", defaultText: "next to the first stream", path: IN, summary: "the run's .dig_stamps"}),
      "test-stamps": text({placeholder: "F", defaultText: "next to the first stream", path: IN, summary: "the run's .test_stamps"}),
      threads: integer({min: 1, placeholder: "N", defaultText: "one per stream up to one per core, for streams of 2²⁴ samples or more",
        summary: "streams triggered at once, each on a worker thread; the triggers are the same for any N"}),
      quiet
    },
    // The .db and stamps that streamTrigger.ts finds next to the first stream.
    impliedInputs: ({positionals: [first]}) => [".db", ".dig_stamps", ".test_stamps"].map((ext) => ({path: streamCompanion(first, ext), from: `the ${ext} next to the first stream`})),
    check({values: v, positionals}) {
      if (v.threshold.length !== positionals.length) throw new UsageError(`--threshold gives ${v.threshold.length} values for ${positionals.length} streams`);
    },
    async run({values: v, positionals: streams, commandLine}) {
      const t0 = performance.now();
      const {triggerCsmpl} = await import("../streamTrigger.js");
      const res = await triggerCsmpl(streams, v.out, {
        of: v.of, thresholds_V: v.threshold, method: v.method, precision: v.float32 ? "float32" : "float64",
        db: v.db, digStamps: v["dig-stamps"], testStamps: v["test-stamps"], threads: v.threads, command: commandLine
      });
      const s = (performance.now() - t0) / 1000;
      if (!v.quiet) {
        const c = res.counts;
        console.error(`triggers per stream: ${res.triggers.map((t) => t.length).join(", ")}; wrote ${v.out}: ${c.events} events, ${c.testpulses} test pulses, ` +
          `${c.noise} noise traces, ${c.controlpulses} control pulses in ${s.toFixed(1)} s (${(res.streamSamples / res.layout.sampleFrequency_Hz / s).toFixed(0)}× real time)`);
      }
    }
  }),

  command({
    name: "train-anomaly",
    summary: "Train the DARWIN anomaly-search models on simulated xenon-TPC events.",
    description: `The ER/NR classifier and the ER-only VAE (docs/anomaly-search.md), written to
      DIR/classifier.json and DIR/vae.json.`,
    options: {
      events: integer({min: 10, default: 20000, placeholder: "N", summary: "events per class"}),
      epochs: integer({min: 1, default: 30, placeholder: "E", summary: "training epochs"}),
      beta: number({gt: 0, default: 1, placeholder: "B", summary: "the VAE's β"}),
      seed: integer({default: 1, placeholder: "S", summary: "random seed"}),
      out: text({default: DEFAULT_ANOMALY_MODEL_DIR, placeholder: "DIR", path: {io: "output", kind: {folder: true}}, summary: "where the models go"}),
      quiet
    },
    async run({values: v}) {
      const {trainAnomalyModels} = await withTfjs(() => import("../anomaly.js"));
      const r = await trainAnomalyModels({
        events: v.events, epochs: v.epochs, beta: v.beta, seed: v.seed, outDir: v.out,
        log: v.quiet ? undefined : (m) => console.error(m)
      });
      if (!v.quiet) console.error(`wrote ${r.classifier} (test accuracy ${(100 * r.testAccuracy).toFixed(2)} %) and ${r.vae} [${r.backend}]`);
    }
  }),

  command({
    name: "anomaly-search",
    summary: "Median sensitivity versus exposure of the anomaly score and of the binned ER-veto analysis.",
    description: `The anomaly score TS = −ELBO + R·H_B (unbinned likelihood) and the classical binned
      ER-veto analysis, from pseudo-experiments; exposures in t·yr. Writes the points as JSON.`,
    options: {
      R: number({ge: 0, default: 100, placeholder: "R", summary: "weight of the classifier term H_B = −ln(1 − p) in TS"}),
      mass: number({gt: 0, default: 50, placeholder: "GeV", summary: "WIMP mass"}),
      sigma: number({gt: 0, default: 1e-47, placeholder: "cm2", summary: "WIMP–nucleon cross-section"}),
      exposures: numberList({gt: 0, default: [1, 3, 10, 30, 100, 200], placeholder: "1,10,100", summary: "exposures in t·yr"}),
      null: integer({min: 100, default: 10000, placeholder: "N", summary: "background-only pseudo-experiments"}),
      signal: integer({min: 10, default: 1000, placeholder: "N", summary: "signal pseudo-experiments"}),
      models: text({default: DEFAULT_ANOMALY_MODEL_DIR, placeholder: "DIR", path: IN, summary: "the models of train-anomaly"}),
      out: text({required: true, placeholder: "FILE.json", path: outFile("json"), summary: "the file to write"}),
      force,
      quiet
    },
    async run({values: v}) {
      const {anomalySearch} = await withTfjs(() => import("../anomaly.js"));
      const res = await anomalySearch({
        params: {R: v.R, wimpMass_GeV: v.mass, sigma_cm2: v.sigma},
        exposures: v.exposures, nNull: v.null, nSignal: v.signal, modelDir: v.models, out: v.out
      });
      if (!v.quiet) {
        for (const p of res.points) console.error(`${p.exposure_tonne_yr} t·yr: Z = ${p.zUnbinned.toFixed(2)} (TS) vs ${p.zBinned.toFixed(2)} (binned)`);
        console.error(`wrote ${v.out}`);
      }
    }
  }),

  command({
    name: "anomaly-compare",
    summary: "The monotone anomaly LR, the unbinned −2 ln L and the binned veto against exposure.",
    description: `For WIMPs of 20, 50 and 500 GeV at 10⁻⁴⁷ cm² and a 20 keVnr nuclear-recoil line
      (lib/stats/darwinComparison.ts): median Z, power at 3σ with its Clopper–Pearson interval, and a
      KS test of the null p-values per exposure. Writes the points as JSON.`,
    options: {
      R: number({ge: 0, default: 100, placeholder: "R", summary: "weight of the classifier term H_B = −ln(1 − p) in TS"}),
      exposures: numberList({gt: 0, default: [0.3, 1, 3, 10, 30, 100, 200], placeholder: "1,10,100", summary: "exposures in t·yr"}),
      null: integer({min: 100, default: 10000, placeholder: "N", summary: "background-only pseudo-experiments per exposure"}),
      "null-binned": integer({min: 100, default: 1000000, placeholder: "N", summary: "background-only experiments of the binned deviance"}),
      signal: integer({min: 10, default: 1000, placeholder: "N", summary: "signal pseudo-experiments per point"}),
      check: integer({min: 10, default: 2000, placeholder: "N", summary: "independent null experiments for the KS test"}),
      models: text({default: DEFAULT_ANOMALY_MODEL_DIR, placeholder: "DIR", path: IN, summary: "the models of train-anomaly"}),
      out: text({required: true, placeholder: "FILE.json", path: outFile("json"), summary: "the file to write"}),
      force,
      quiet
    },
    async run({values: v}) {
      const {anomalyCompare} = await withTfjs(() => import("../anomaly.js"));
      await anomalyCompare({
        R: v.R, exposures: v.exposures, nNull: v.null, nNullBinned: v["null-binned"], nSignal: v.signal, nCheck: v.check,
        modelDir: v.models, out: v.out, log: v.quiet ? undefined : (m) => console.error(m)
      });
      if (!v.quiet) console.error(`wrote ${v.out}`);
    }
  }),

  {
    name: "labels",
    summary: "Label tables and cait files.",
    description: "Label tables are what the labeling page exports (docs/labels.md); labels/AUTHOR.parquet files hold each analyst's.",
    subcommands: [
      command({
        name: "import",
        summary: "Write a label table into IN.h5's events/labels, atomically.",
        description: `The table (event, channel, label, author, time, note; CSV or Parquet, as the
          labeling page exports it) is checked against the file first; records it does not name
          keep their labels. A table recording another data set (the page's export records the
          file's name and content hash) is refused unless --force. A table that would change
          labels the file already holds (any class but unlabeled) is refused with their count,
          unless --replace (the table's labels win) or --keep (the file's win; the rest is
          imported). Imports into one file are serialised: a second waits (up to --wait seconds)
          for the first to finish, then checks against its result.`,
        positionals: [{name: "LABELS.parquet|LABELS.csv"}, {name: "IN.h5"}],
        options: {
          force: flag({summary: "import even if the table records another data set"}),
          replace: flag({summary: "overwrite labels the file holds that differ from the table's"}),
          keep: flag({summary: "keep labels the file holds that differ from the table's; import the rest"}),
          wait: number({ge: 0, default: 120, placeholder: "S", summary: "seconds to wait while another process writes IN.h5"}),
          quiet
        },
        async run({values: v, positionals: [labelsPath, h5]}) {
          if (v.replace && v.keep) throw new UsageError("--replace and --keep contradict each other: choose whether the table's or the file's labels win");
          const {importLabels, readLabelsFile} = await import("../labels.js");
          const {entries, dataset} = readLabelsFile(labelsPath);
          const r = await importLabels(entries, h5, labelsPath, {
            dataset,
            force: v.force,
            existing: v.replace ? "replace" : v.keep ? "keep" : "refuse",
            lock: {
              timeoutMs: v.wait * 1000,
              onWait: (owner) => { if (!v.quiet) console.error(`waiting for ${owner ? `pid ${owner.pid} on ${owner.host}` : "another process"} to finish writing ${h5}…`); }
            }
          });
          if (r.forced) console.error(`warning (--force): ${r.forced}`);
          const conflicts = r.conflicts ? `, ${r.conflicts} of the file's labels ${v.keep ? "kept" : "replaced"}` : "";
          if (!v.quiet) console.error(`wrote ${r.written} labels (${r.changed} changed${conflicts}) into ${h5} [events/labels${r.created ? ", created" : ""}]`);
        }
      }),
      command({
        name: "merge",
        summary: "Agreement between the authors of labels/AUTHOR.parquet files, and their consensus.",
        description: `Reads every AUTHOR.parquet (or .csv) in DIR, one per analyst, all of one data
          set (a file of another is refused, named). Prints Cohen's kappa per pair of authors,
          overall and per class, and the number of records they disagree on; writes the consensus
          label table (lineage: the rule and the input files' SHA-256), which labels import and
          train --labels read. majority: a record takes the class more than half of the authors
          who labelled it gave; unanimous: all of them, at least two. Other records are unresolved
          unless --referee labelled them (docs/labels.md#labelling-together).`,
        positionals: [{name: "DIR", path: IN}],
        options: {
          rule: oneOf({values: CONSENSUS_RULES, default: "majority", noun: "rule", summary: "the consensus rule"}),
          referee: text({placeholder: "AUTHOR", summary: "decides the records the rule leaves unresolved, where they labelled them"}),
          out: text({required: true, placeholder: "FILE.parquet", path: outFile("parquet"), summary: "the consensus label table to write"}),
          force,
          quiet
        },
        async run({values: v, positionals: [dir]}) {
          const {mergeLabelDir} = await import("../labelsMerge.js");
          const {labelName} = await import("../../lib/labels/book.js");
          const r = mergeLabelDir(dir, {rule: v.rule, referee: v.referee, out: v.out});
          const k = (x: {kappa: number | null; low: number | null; high: number | null}) =>
            x.kappa === null ? "undefined (one class only)" : `${x.kappa.toFixed(3)} [${x.low!.toFixed(3)}, ${x.high!.toFixed(3)}]`;
          console.log(`data set ${r.dataset}: ${r.authors.map((a) => `${a.author} (${a.records})`).join(", ")}`);
          if (r.authors.length < 2) console.log("one author: no agreement to measure");
          for (const p of r.pairs) {
            if (!p.agreement) {
              console.log(`${p.a} vs ${p.b}: ${p.error}`);
              continue;
            }
            const g = p.agreement;
            console.log(`${g.a} vs ${g.b}: ${g.n} records in common, ${g.disagreements.length} disagree, kappa ${k(g.overall)}`);
            for (const c of g.perClass) console.log(`  ${String(c.label).padStart(2)} ${labelName(c.label).padEnd(38)} ${g.a} ${c.countA}, ${g.b} ${c.countB}, both ${c.both}: kappa ${k(c.kappa)}`);
          }
          if (r.fleiss) console.log(`Fleiss' kappa of all ${r.fleiss.raters} authors on the ${r.fleiss.subjects} records all labelled: ${r.fleiss.kappa === null ? "undefined (one class only)" : r.fleiss.kappa.toFixed(3)}`);
          const c = r.consensus.counts;
          console.log(`${r.disagreements} records disagreed on; consensus (${r.consensus.rule}${r.consensus.referee ? `, referee ${r.consensus.referee}` : ""}): ${c.agreed} agreed, ${c.majority} by majority, ${c.referee} by the referee, ${c.unresolved} unresolved (${c.single} labelled by one author only)`);
          if (!v.quiet) console.error(`wrote ${v.out}: ${r.written} consensus labels. Rule: ${r.consensus.text}`);
        }
      })
    ]
  },

  command({
    name: "cuts",
    summary: "Apply cut files to a feature table in order; print how many events pass each.",
    description: `Cut files hold SQL predicates or polygons (docs/cuts.md). With --out, writes the
      rows of the events that pass them all.`,
    positionals: [{name: "FEATURES.parquet", path: IN}, {name: "CUT.cut.json", repeat: "many", path: IN}],
    options: {
      out: text({placeholder: "FILE.parquet", path: outFile("parquet"), summary: "write the rows of the events that pass every cut"}),
      force
    },
    async run({values: v, positionals: [input, ...cutFiles]}) {
      const {cutFeatures} = await import("../cuts.js");
      const {cuts: applied, report, rows} = await cutFeatures(input, cutFiles, v.out);
      const n = report.events.length;
      console.log(`${n} events in ${input}`);
      applied.forEach((cut, k) => console.log(`${k + 1}. ${cut.name}: ${report.survival.passedAlone[k]} pass alone, ${report.survival.passedCumulative[k]} pass with all before (${((100 * report.survival.passedCumulative[k]) / n).toFixed(1)} %)`));
      if (v.out) console.error(`wrote ${v.out}: ${rows} rows`);
    }
  }),

  command({
    name: "query",
    summary: "SQL over a feature table or a sharded run's partitioned dataset; the result as CSV.",
    description: `DATASET is a run's output folder (the Hive-partitioned dataset parts/GROUP/run=NAME/shard=I/ its
      shards wrote, or GROUP.parquet), such a dataset folder, or one .parquet table. Its rows are the
      table \`features\`, with the partition columns (run, shard). --where keeps the rows satisfying a
      predicate; its AND-ed terms on partition columns alone choose the parts read (partition pruning), so
      --where "shard = 2" reads shard 2 alone. The parts read are said on stderr.`,
    positionals: [{name: "DATASET", path: IN}, {name: "SQL"}],
    options: {
      where: text({placeholder: "PREDICATE", summary: "keep the rows satisfying this SQL predicate; its terms on partition columns prune parts"}),
      group: oneOf({values: RECORD_GROUPS, default: "events", summary: "the record group, for a run's output folder"})
    },
    async run({values: v, positionals: [dataset, sql]}) {
      const {queryDataset, csvLines} = await import("../query.js");
      const {table, read, total, pruning} = await queryDataset(dataset, sql, {group: v.group, where: v.where});
      console.error(`read ${read} of ${total} part${total === 1 ? "" : "s"}${pruning.length ? ` (pruned by: ${pruning.join(", ")})` : ""}; ${table.numRows} rows`);
      for (const line of csvLines(table)) console.log(line);
    }
  }),

  command({
    name: "limit",
    summary: "WIMP cross-section upper limit versus mass, from a processed run or an event table.",
    description: `Spin-independent WIMP–nucleon limit (standard halo model, Helm form factor) for a
      target, exposure, energy window and efficiency curve, by Yellin's optimum interval or maximum
      gap (no background model needed) or a Poisson CLs likelihood with a known flat background
      (docs/limits.md). With a processing config (RUN.yaml), the run gives everything: the events
      that pass its trigger threshold, --cuts and --classifier; the efficiency of pulses injected
      into its own noise records through the same steps; the exposure from its live time. Without
      one, --events, --exposure-kg-days and --window give them. Writes mass_GeV, sigma_cm2 and the
      limit on the expected signal events, with provenance and lineage.`,
    positionals: [{name: "RUN.yaml", path: IN, repeat: "optional"}],
    options: {
      events: text({placeholder: "EVENTS.parquet", path: IN, summary: "without RUN.yaml: the event table (after cuts)"}),
      "energy-column": text({default: "energy_keV", placeholder: "NAME", summary: "the column of recoil energies in keV"}),
      channel: integer({default: 0, placeholder: "C", summary: "the channel whose rows are used (with RUN.yaml: whose pulses are injected)"}),
      "exposure-kg-days": number({gt: 0, placeholder: "X", summary: "without RUN.yaml: exposure in kg·day"}),
      masses: text({default: "0.1:100:30", placeholder: "LO:HI[:N]|M1,M2", summary: "WIMP masses in GeV: N log-spaced from LO to HI, or a list"}),
      window: text({placeholder: "LO:HI", defaultText: "with RUN.yaml: trigger threshold to the highest injected energy", summary: "the energy window in keV (the threshold is LO)"}),
      target: oneOf({values: TARGET_NAMES as readonly string[], default: "CaWO4", noun: "target", summary: "the target material"}),
      efficiency: text({placeholder: "FILE.csv|FILE.json|FILE.parquet", path: IN, defaultText: "1 everywhere; with RUN.yaml measured", summary: "without RUN.yaml: signal efficiency vs energy (columns energy_keV, efficiency)"}),
      cuts: text({placeholder: "DIR", path: IN, summary: "with RUN.yaml: the folder of *.cut.json applied to events and injected pulses"}),
      classifier: text({placeholder: "DIR", path: IN, summary: "with RUN.yaml: a tree-model folder (models/trees-four) whose clean-pulse verdict events and injected pulses must pass"}),
      "detector-mass-g": number({gt: 0, default: 23.6, placeholder: "G", summary: "with RUN.yaml: target mass in grams (a CRESST-III CaWO4 crystal)"}),
      injected: integer({min: 10, default: 200, placeholder: "N", summary: "with RUN.yaml: injected pulses per energy"}),
      "threshold-sigma": number({gt: 0, placeholder: "K", defaultText: "the config's trigger.threshold_sigma", summary: "with RUN.yaml: trigger threshold in filtered-baseline σ"}),
      "efficiency-out": text({placeholder: "FILE.parquet", path: outFile("parquet"), summary: "with RUN.yaml: also write the measured efficiency table"}),
      method: oneOf({values: LIMIT_METHODS, default: "optimum-interval", noun: "method", summary: "the limit method"}),
      cl: number({gt: 0, le: 0.999, default: 0.9, placeholder: "CL", summary: "confidence level"}),
      background: number({ge: 0, default: 0, placeholder: "RATE", summary: "poisson: known flat background, events/(keV kg day)"}),
      bins: integer({min: 0, default: 0, placeholder: "N", summary: "poisson: log-energy bins (0: unbinned)"}),
      experiments: integer({min: 100, default: 5000, placeholder: "N", summary: "Monte-Carlo experiments per μ (optimum interval) or pseudo-experiments (poisson)"}),
      seed: integer({default: 1, placeholder: "S", summary: "random seed of the Monte Carlo and of the injected pulses"}),
      out: text({required: true, placeholder: "FILE.parquet", path: outFile("parquet"), summary: "the limit table to write"}),
      force,
      quiet
    },
    check({values: v, positionals: [run]}) {
      if (run) {
        for (const o of ["events", "exposure-kg-days", "efficiency"] as const) {
          if (v[o] !== undefined) throw new UsageError(`RUN.yaml gives the ${o === "exposure-kg-days" ? "exposure" : o}: drop --${o}, or drop RUN.yaml to use it`);
        }
      } else {
        for (const o of ["events", "exposure-kg-days", "window"] as const) {
          if (v[o] === undefined) throw new UsageError(`--${o} is required without RUN.yaml (a processing config that gives it)`);
        }
        for (const o of ["cuts", "classifier", "threshold-sigma", "efficiency-out"] as const) {
          if (v[o] !== undefined) throw new UsageError(`--${o} needs RUN.yaml (a processing config whose events and noise it applies to)`);
        }
      }
    },
    async run({values: v, positionals: [run], commandLine}) {
      const t0 = performance.now();
      const {limitCommand} = await import("../limit.js");
      const r = await limitCommand({
        run, events: v.events, energyColumn: v["energy-column"], channel: v.channel, exposure_kg_day: v["exposure-kg-days"],
        masses: v.masses, window: v.window, target: v.target, efficiency: v.efficiency, method: v.method, cl: v.cl,
        background_per_keV_kg_day: v.background, bins: v.bins, experiments: v.experiments, seed: v.seed, out: v.out, command: commandLine,
        cuts: v.cuts, classifier: v.classifier, detectorMass_g: v["detector-mass-g"], injected: v.injected, thresholdSigma: v["threshold-sigma"],
        efficiencyOut: v["efficiency-out"], log: v.quiet ? undefined : (m: string) => console.error(m)
      });
      if (!v.quiet) {
        const finite = r.rows.filter((x) => Number.isFinite(x.sigma_cm2));
        const best = finite.reduce((a, b) => (b.sigma_cm2 < a.sigma_cm2 ? b : a), finite[0]);
        console.error(`${r.inWindow} of ${r.events} events in the window ${r.window_keV.map((x) => x.toPrecision(3)).join("–")} keV, exposure ${r.exposure_kg_day.toPrecision(3)} kg·day; ` +
          (best ? `strongest limit ${best.sigma_cm2.toExponential(2)} cm² at ${best.mass_GeV.toPrecision(3)} GeV` : "no mass gives signal in the window"));
        console.error(`wrote ${v.out} (${r.rows.length} masses) in ${seconds(t0)} s`);
      }
    }
  }),

  command({
    name: "train",
    summary: "Train a data-cleaning classifier on labeled cait files or on simulated detectors.",
    description: `The CRESST paper's CNN, the same with "same" padding (cnn-full, sees the whole
      record), TSCN, bidirectional LSTM or time-series transformer (docs/ml.md). --data sim trains on
      simulated modules with held-out validation and test modules.

      --labels gives one label table per --data file (labeling page export; an empty entry keeps
      the file's own events/labels); its labels replace the file's record by record and it is
      checked to belong to the file. Writes DIR/model.json (preprocessing, metrics, backend,
      format version) and DIR/weights.bin. Ctrl-C stops after the current step and keeps the
      best epoch so far.

      --init DIR fine-tunes a trained model (e.g. models/cnn-full) on your labelled files: it
      starts from DIR's weights, at a lower rate, for about --steps optimizer steps, with
      --replay × as many simulated records of the model's training family mixed in; without
      --validation a stratified --holdout share of your labels is kept apart, and the model's
      figures on it before and after (BA, recall, right per class) are printed and stored in
      metrics.heldOut. The new folder records its lineage (DIR's weights hash, the label files'
      hashes); DIR itself is never written. --channels C[,…] makes the new model serve only those
      channels (e.g. 1, a light channel the labels show DIR failing on): classify and the pages send
      the other channels to DIR, copied into the new folder as parent/.`,
    options: {
      model: oneOf({values: MODEL_KINDS, noun: "model", defaultText: "cnn; with --init, that model's kind", summary: "the network"}),
      init: text({placeholder: "DIR", path: IN, summary: "fine-tune: start from this model folder's weights (same architecture)"}),
      holdout: number({gt: 0, le: 0.9, default: 0.25, placeholder: "F", summary: "with --init and no --validation: share of the labelled records held out for the check"}),
      steps: integer({min: 1, placeholder: "N", defaultText: `${FINE_TUNE.steps}`, summary: "with --init: optimizer steps (sets the epochs unless --epochs is given)"}),
      replay: number({ge: 0, placeholder: "X", defaultText: `${FINE_TUNE.replay}`, summary: "with --init: simulated training-family records mixed in, X × your labelled training records"}),
      channels: integerList({placeholder: "C[,…]", defaultText: "every channel", summary: "with --init: the channels the fine-tuned model serves; the others keep the --init model"}),
      data: list({required: true, placeholder: "sim|FILE.h5[,…]", path: {io: "input", except: ["sim"]}, summary: "training data: simulated modules, or cait files"}),
      validation: list({placeholder: "V.h5[,…]", path: IN, summary: "validation files (with --data files)"}),
      out: text({required: true, placeholder: "DIR", path: {io: "output", kind: {modelDir: "model.json"}}, summary: "the model directory to write (replaced whole)"}),
      force,
      labels: list({placeholder: "LA.csv[,LB.parquet…]", path: IN, summary: "one label table per --data file"}),
      "validation-labels": list({placeholder: "LV.csv[,…]", path: IN, summary: "one label table per --validation file"}),
      epochs: integer({min: 1, placeholder: "N", defaultText: "15; with --init, from --steps", summary: "training epochs"}),
      batch: integer({min: 1, placeholder: "N", defaultText: `64; with --init, ${FINE_TUNE.batchSize}`, summary: "mini-batch size"}),
      lr: number({gt: 0, placeholder: "X", summary: "learning rate",
        defaultText: `the paper's for the model: ${MODEL_KINDS.map((k) => `${k} ${formatNumber(PAPER_LEARNING_RATE[k])}`).join(", ")}; with --init, ${formatNumber(FINE_TUNE.learningRate)}`}),
      "lr-schedule": oneOf({values: ["constant", "cosine"], default: "constant", summary: "cosine: the rate falls along a half cosine to 2 % of --lr by the last step"}),
      seed: integer({default: 1, placeholder: "S", summary: "random seed"}),
      backend,
      threads: integer({min: 1, default: 1, placeholder: "N", summary: "threads sharing each mini-batch; for the paper's small CNN at batch 64, 2 measured slower than 1"}),
      modules: integer({min: 1, default: 12, placeholder: "N", summary: "--data sim: training modules"}),
      "validation-modules": integer({min: 1, placeholder: "N", defaultText: "modules/6", summary: "--data sim: validation modules"}),
      "test-modules": integer({min: 1, placeholder: "N", defaultText: "modules/4", summary: "--data sim: held-out test modules"}),
      "events-per-module": integer({min: 10, default: 1000, placeholder: "N", summary: "--data sim: events per module"}),
      quiet
    },
    check({values: v}) {
      const sim = v.data.length === 1 && v.data[0] === "sim";
      if (sim && (v.labels || v["validation-labels"])) throw new UsageError("--labels and --validation-labels need --data FILE.h5[,…], not sim");
      if (sim && v.init) throw new UsageError("--init fine-tunes on your labelled files: give --data FILE.h5[,…], not sim");
      if (!v.init && v.steps !== undefined) throw new UsageError("--steps is for fine-tuning (--init DIR); train from scratch with --epochs");
      if (!v.init && v.replay !== undefined) throw new UsageError("--replay is for fine-tuning (--init DIR)");
      if (!v.init && v.channels !== undefined) throw new UsageError("--channels is for fine-tuning (--init DIR): the other channels keep the model it starts from");
      // Training on files stops on the validation loss: without validation files there is nothing
      // to stop on (fine-tuning holds part of the labels out instead).
      if (!sim && !v.init && !v.validation?.length) throw new UsageError("--validation FILE.h5[,…] is required when training on files (--data FILE.h5[,…]): the best epoch is chosen on it");
      if (v.labels && v.labels.length !== v.data.length) throw new UsageError(`--labels names ${v.labels.length} label files for ${v.data.length} --data files (one per file, in order; leave an entry empty for a file's own events/labels)`);
      if (v["validation-labels"] && v["validation-labels"].length !== (v.validation?.length ?? 0)) throw new UsageError(`--validation-labels names ${v["validation-labels"].length} label files for ${v.validation?.length ?? 0} --validation files`);
    },
    async run({values: v}) {
      const {trainCommand} = await withTfjs(() => import("../ml.js"));
      // Ctrl-C stops after the current step and still saves the best epoch so far.
      let stop = false;
      const onInt = () => { stop = true; console.error("stopping after this step…"); };
      process.once("SIGINT", onInt);
      await trainCommand({
        shouldStop: () => stop,
        model: v.model,
        init: v.init,
        holdOut: v.holdout,
        steps: v.steps,
        replay: v.replay,
        channels: v.channels,
        data: v.data.length === 1 && v.data[0] === "sim" ? "sim" : v.data,
        validation: v.validation,
        // Label files by position; an empty entry keeps that file's own events/labels.
        labels: v.labels?.map((p) => p || undefined),
        validationLabels: v["validation-labels"]?.map((p) => p || undefined),
        out: v.out,
        epochs: v.epochs,
        batchSize: v.batch,
        learningRate: v.lr,
        seed: v.seed,
        backend: v.backend,
        threads: v.threads,
        schedule: v["lr-schedule"] === "cosine" ? {kind: "cosine", finalFraction: 0.02} : {kind: "constant"},
        sim: {
          trainModules: v.modules,
          validationModules: v["validation-modules"] ?? Math.max(1, Math.round(v.modules / 6)),
          testModules: v["test-modules"] ?? Math.max(1, Math.round(v.modules / 4)),
          eventsPerModule: v["events-per-module"]
        },
        log: v.quiet ? undefined : (line) => console.error(line)
      });
      process.off("SIGINT", onInt);
      if (!v.quiet) console.error(`wrote ${v.out}`);
    }
  }),

  command({
    name: "classify",
    summary: "One probability per (event, channel) of the events group (≥ 0.5 = clean pulse).",
    description: `Any model kind that train writes is read from its model.json; model, backend and
      input are recorded in the Parquet metadata. --threads pays for files of 100k+ records.`,
    positionals: [{name: "IN.h5", path: IN}],
    options: {
      model: text({default: DEFAULT_MODEL_DIR, placeholder: "DIR", path: IN, summary: "the model directory"}),
      out: text({required: true, placeholder: "FILE.parquet", path: outFile("parquet"), summary: "the predictions to write"}),
      force,
      backend,
      threads: integer({min: 1, default: 1, placeholder: "N", summary: "worker threads"}),
      quiet
    },
    async run({values: v, positionals: [input], commandLine}) {
      const {classifyCommand} = await withTfjs(() => import("../ml.js"));
      const {rows, backend, seconds} = await classifyCommand(input, v.model, v.out, {backend: v.backend, threads: v.threads, command: commandLine});
      if (!v.quiet) console.error(`wrote ${v.out}: ${rows} probabilities on ${backend} in ${seconds.toFixed(1)} s`);
    }
  }),

  command({
    name: "evaluate",
    summary: "Held-out metrics of a classifier on simulated test modules.",
    description: `Balanced accuracy, recall, precision, the cutoff sweep, IOR (SNR 3–300) and IOS
      (pile-up), on the modules that train --data sim --seed S never saw.`,
    options: {
      model: text({default: DEFAULT_MODEL_DIR, placeholder: "DIR", summary: "the model directory"}),
      modules: integer({min: 1, default: 10, placeholder: "N", summary: "test modules"}),
      "events-per-module": integer({min: 10, default: 1500, placeholder: "N", summary: "events per module"}),
      seed: integer({default: 1, placeholder: "S", summary: "the training seed"}),
      backend,
      write: flag({summary: "store the metrics in DIR/model.json"})
    },
    async run({values: v}) {
      const {evaluateCommand} = await withTfjs(() => import("../ml.js"));
      const t = await evaluateCommand(v.model, {
        testModules: v.modules, eventsPerModule: v["events-per-module"], seed: v.seed, backend: v.backend, write: v.write
      });
      console.log(JSON.stringify(summaryOf(t), null, 2));
    }
  }),

  command({
    name: "train-trees",
    summary: "Gradient-boosted trees on feature-table columns.",
    description: `--features all: the 14 main parameters; four: pulse height, rise time, decay time,
      baseline slope. --data sim: simulated modules with held-out test modules (prints the held-out
      figures); or labelled feature tables. Writes DIR/trees.json.`,
    options: {
      data: list({required: true, placeholder: "sim|FEATURES.parquet[,…]", path: {io: "input", except: ["sim"]}, summary: "training data: simulated modules, or labelled feature tables"}),
      features: oneOf({values: TREE_FEATURE_SETS, default: "all", summary: "the feature columns"}),
      out: text({required: true, placeholder: "DIR", path: {io: "output", kind: {folder: true}}, summary: "the model directory to write"}),
      rounds: integer({min: 1, default: DEFAULT_GBDT_PARAMS.rounds, placeholder: "N", summary: "trees"}),
      depth: integer({min: 1, default: DEFAULT_GBDT_PARAMS.maxDepth, placeholder: "N", summary: "tree depth"}),
      lr: number({gt: 0, le: 1, default: DEFAULT_GBDT_PARAMS.learningRate, placeholder: "X", summary: "learning rate"}),
      seed: integer({default: 1, placeholder: "S", summary: "random seed"}),
      modules: integer({min: 1, default: 12, placeholder: "N", summary: "--data sim: training modules"}),
      "test-modules": integer({min: 1, default: 3, placeholder: "N", summary: "--data sim: held-out test modules"}),
      "events-per-module": integer({min: 10, default: 1000, placeholder: "N", summary: "--data sim: events per module"}),
      quiet
    },
    async run({values: v}) {
      const {trainTreesCommand} = await import("../trees.js");
      const {test} = trainTreesCommand({
        data: v.data.length === 1 && v.data[0] === "sim" ? "sim" : v.data,
        features: v.features,
        out: v.out,
        params: {rounds: v.rounds, maxDepth: v.depth, seed: v.seed, learningRate: v.lr},
        sim: {trainModules: v.modules, testModules: v["test-modules"], eventsPerModule: v["events-per-module"], seed: v.seed},
        log: v.quiet ? undefined : (line) => console.error(line)
      });
      if (test) console.log(JSON.stringify(test, null, 2));
      if (!v.quiet) console.error(`wrote ${v.out}`);
    }
  }),

  command({
    name: "classify-trees",
    summary: "Probability (≥ 0.5 = clean pulse) and the SHAP value of every feature per row of a feature table.",
    description: "SHAP values are in log-odds; the expected value is in the Parquet metadata.",
    positionals: [{name: "FEATURES.parquet", path: IN}],
    options: {
      model: text({default: DEFAULT_TREE_MODEL_DIRS.all, placeholder: "DIR", path: IN, summary: "the tree model directory"}),
      out: text({required: true, placeholder: "FILE.parquet", path: outFile("parquet"), summary: "the predictions to write"}),
      force,
      quiet
    },
    async run({values: v, positionals: [input], commandLine}) {
      const {classifyTreesCommand} = await import("../trees.js");
      const {rows, seconds} = classifyTreesCommand(input, v.model, v.out, commandLine);
      if (!v.quiet) console.error(`wrote ${v.out}: ${rows} probabilities with SHAP values in ${seconds.toFixed(1)} s`);
    }
  }),

  command({
    name: "evaluate-trees",
    summary: "IOR and IOS of a tree model on simulated clean pulses and pile-ups.",
    description: `The probes evaluate scores the networks on, on the model's held-out modules;
      features from the raw records.`,
    options: {
      model: text({default: DEFAULT_TREE_MODEL_DIRS.all, placeholder: "DIR", summary: "the tree model directory"}),
      modules: integer({min: 1, placeholder: "N", defaultText: "the model's test modules, else 10", summary: "held-out modules"}),
      seed: integer({min: 1, placeholder: "S", defaultText: "the model's, else 1", summary: "seed of the held-out modules"}),
      probes: integer({min: 1, default: 1000, placeholder: "N", summary: "clean pulses and pile-ups per module"}),
      write: flag({summary: "store the figures in DIR/trees.json (metrics.test)"})
    },
    async run({values: v}) {
      const {evaluateTreesCommand} = await import("../trees.js");
      const r = await evaluateTreesCommand(v.model, {testModules: v.modules, seed: v.seed, probes: v.probes, write: v.write});
      console.log(JSON.stringify(summaryOf(r), null, 2));
    }
  })
];
