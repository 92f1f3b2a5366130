// Traces from any HDF5 file, by path: one dataset (events × channels × samples in some order,
// --layout), or a group of per-event datasets `event_0`, `event_1`, … (the pytesdaq layout:
// group `adc1`, each event channel × sample). Read as hyperslabs of a chunk of events (h5wasm's
// Node build reads from disk), so memory is one chunk. A `sample_rate` or `sample_frequency`
// attribute on the dataset or its group is taken as the sample rate (pytesdaq writes
// `sample_rate` on `adcN`).
import type {Dataset as H5Dataset, File as H5File, Group as H5Group} from "h5wasm";
import {DataFileError} from "../../lib/io/errors.js";
import {Hdf5Error, hdf5FailureText, quietly} from "../../lib/io/hdf5Errors.js";
import {maxEventBytes, openHdf5File} from "../../lib/io/caitFile.js";
import {formatBytes, RAISE_BUDGET} from "../../lib/io/memoryBudget.js";
import {DEFAULT_LAYOUT, parseLayout, scatterBlock, traceShape, type Axis, type TraceShape} from "../../lib/io/traceLayout.js";
import {checkHeader, h5} from "../io/node.js";
import type {TraceSource} from "./traceSource.js";

const INTEGER = 0, FLOAT = 1; // h5wasm metadata.type
const EVENT_NAME = /^event_(\d+)$/;

const isDataset = (o: unknown): o is H5Dataset => !!o && typeof o === "object" && "shape" in o && "dtype" in o;
const isGroup = (o: unknown): o is H5Group => !!o && typeof o === "object" && "keys" in o && !("shape" in o);

function scalarAttr(obj: H5Dataset | H5Group, names: readonly string[]): number | undefined {
  for (const name of names) {
    const v = quietly(() => obj.attrs[name]?.value);
    const x = typeof v === "number" || typeof v === "bigint" ? Number(v) : ArrayBuffer.isView(v) && (v as unknown as ArrayLike<number>).length === 1 ? Number((v as unknown as ArrayLike<number | bigint>)[0]) : undefined;
    if (x !== undefined) return x;
  }
  return undefined;
}

function checkNumeric(ds: H5Dataset, file: string, path: string): void {
  const m = ds.metadata;
  if (m.type !== INTEGER && m.type !== FLOAT) throw new DataFileError(file, `dtype ${ds.dtype} is not numeric: traces must be integers or floats`, path);
}

/** Values of a typed array (int64 ones as BigInt) as numbers, by index. */
function valueOf(a: unknown): (k: number) => number {
  if (a instanceof BigInt64Array || a instanceof BigUint64Array) return (k) => Number(a[k]);
  const arr = a as ArrayLike<number>;
  return (k) => arr[k];
}

function describeTop(h: H5File): string {
  const keys = quietly(() => h.keys());
  return keys.length ? keys.map((k) => `/${k}`).join(", ") : "nothing";
}

export async function openHdf5(path: string, options: {dataset?: string; layout?: string}): Promise<TraceSource> {
  checkHeader(path);
  const module = await h5();
  const file = openHdf5File(module, path, path);
  try {
    if (options.dataset === undefined) throw new DataFileError(path, `name the traces with --dataset PATH (a dataset, or a group of event_N datasets); the file holds ${describeTop(file)}`);
    const where = options.dataset.replace(/^\/+/, "") || "/";
    let obj: unknown;
    try {
      obj = where === "/" ? file : quietly(() => file.get(where));
    } catch (e) {
      throw new DataFileError(path, `HDF5 cannot read it: ${hdf5FailureText(e)} (truncated or corrupt file)`, options.dataset);
    }
    if (!obj) throw new DataFileError(path, `nothing at ${options.dataset} (the file holds ${describeTop(file)})`, options.dataset);
    const source = isDataset(obj) ? fromDataset(file, obj, path, options.dataset, options.layout)
      : isGroup(obj) ? fromEventGroup(file, obj, path, options.dataset, options.layout)
      : undefined;
    if (!source) throw new DataFileError(path, "is neither a dataset nor a group", options.dataset);
    return source;
  } catch (e) {
    file.close();
    throw e;
  }
}

function sampleRate(ds: H5Dataset | undefined, group: H5Group | undefined): number | undefined {
  const names = ["sample_rate", "sample_frequency"];
  return (ds && scalarAttr(ds, names)) ?? (group && scalarAttr(group, names)) ?? undefined;
}

function parentOf(file: H5File, path: string): H5Group | undefined {
  const parent = path.replace(/^\/+/, "").split("/").slice(0, -1).join("/");
  const g = parent === "" ? file : quietly(() => file.get(parent));
  return isGroup(g) ? g : undefined;
}

function checkShape(shape: TraceShape, stored: readonly number[], layout: string, itemBytes: number, file: string, path: string): void {
  if (shape.nEvents === 0 || shape.nChannels === 0 || shape.recordLength === 0) {
    throw new DataFileError(file, `empty: shape (${stored.join(", ")}) as ${layout} gives ${shape.nEvents} events × ${shape.nChannels} channels × ${shape.recordLength} samples`, path);
  }
  if (shape.nChannels * shape.recordLength * itemBytes > maxEventBytes()) {
    throw new DataFileError(file, `${shape.nChannels} channels × ${shape.recordLength} samples per event is beyond what one event may hold (${formatBytes(maxEventBytes())}); wrong --layout? (or ${RAISE_BUDGET})`, path);
  }
}

function readFailed(e: unknown, file: string, path: string, start: number, count: number): never {
  if (e instanceof Hdf5Error) throw new DataFileError(file, `cannot read events [${start}, ${start + count}): ${e.problem} (corrupt data or a truncated file)`, path);
  throw e;
}

function fromDataset(file: H5File, ds: H5Dataset, path: string, name: string, layoutOption?: string): TraceSource {
  checkNumeric(ds, path, name);
  const stored = ds.shape ?? [];
  const layout = layoutOption ?? DEFAULT_LAYOUT[stored.length] ?? "";
  const axes = parseLayout(layout, stored.length, `${path} [${name}]`);
  const shape = traceShape(axes, stored);
  checkShape(shape, stored, layout, ds.metadata.size, path, name);
  const e = axes.indexOf("e" as Axis);
  const fs = sampleRate(ds, parentOf(file, name));
  return {
    file: path,
    format: "hdf5",
    description: {dataset: name, dtype: ds.dtype, shape: stored, layout},
    shape,
    layout,
    layoutAssumed: layoutOption === undefined && stored.length > 1,
    found: fs !== undefined ? {sampleFrequency_Hz: fs} : {},
    read(start, count, out) {
      const ranges = stored.map((n, i): [number, number] => (i === e ? [start, start + count] : [0, n]));
      let block: unknown;
      try {
        block = quietly(() => ds.slice(ranges));
      } catch (err) {
        readFailed(err, path, name, start, count);
      }
      scatterBlock(valueOf(block), axes, shape, start, count, out, `${path} [${name}]`);
    },
    close: () => file.close()
  };
}

function fromEventGroup(file: H5File, group: H5Group, path: string, name: string, layoutOption?: string): TraceSource {
  const events = quietly(() => group.keys())
    .map((k) => ({k, m: EVENT_NAME.exec(k)}))
    .filter((x) => x.m)
    .map(({k, m}) => ({k, n: Number(m![1])}))
    .sort((a, b) => a.n - b.n)
    .map((x) => x.k);
  if (events.length === 0) {
    throw new DataFileError(path, `group holds no event_N datasets (it holds: ${quietly(() => group.keys()).join(", ") || "nothing"}); name a dataset with --dataset PATH/NAME`, name);
  }
  const get = (k: string): H5Dataset => {
    const ds = quietly(() => group.get(k));
    if (!isDataset(ds)) throw new DataFileError(path, "is not a dataset", `${name}/${k}`);
    return ds;
  };
  const first = get(events[0]);
  checkNumeric(first, path, `${name}/${events[0]}`);
  const stored = first.shape ?? [];
  const layout = layoutOption ?? ({1: "s", 2: "cs"} as {[rank: number]: string})[stored.length] ?? "";
  const axes = parseLayout(layout, stored.length, `${path} [${name}/${events[0]}]`);
  if (axes.includes("e")) throw new DataFileError(path, `each event_N dataset is one event: its layout names channel and sample axes only (cs or sc), not ${layout}`, name);
  const one = traceShape(axes, stored);
  const shape: TraceShape = {...one, nEvents: events.length};
  checkShape(shape, stored, layout, first.metadata.size, path, `${name}/${events[0]}`);
  const fs = sampleRate(first, group);
  const L = shape.recordLength, C = shape.nChannels;
  const record = new Float32Array(C * L);
  return {
    file: path,
    format: "hdf5",
    description: {group: name, datasets: `${events[0]} … ${events.at(-1)} (${events.length})`, dtype: first.dtype, shape: stored, layout},
    shape,
    layout,
    layoutAssumed: layoutOption === undefined && stored.length > 1,
    found: fs !== undefined ? {sampleFrequency_Hz: fs} : {},
    read(start, count, out) {
      for (let i = 0; i < count; i++) {
        const k = events[start + i];
        const ds = get(k);
        const here = `${name}/${k}`;
        const s = ds.shape ?? [];
        if (s.length !== stored.length || s.some((n, j) => n !== stored[j])) {
          throw new DataFileError(path, `shape (${s.join(", ")}) differs from ${events[0]}'s (${stored.join(", ")}): every event must have the same channels and samples`, here);
        }
        checkNumeric(ds, path, here);
        let values: unknown;
        try {
          values = quietly(() => ds.value);
        } catch (err) {
          readFailed(err, path, here, start + i, 1);
        }
        scatterBlock(valueOf(values), axes, one, start + i, 1, record, `${path} [${here}]`);
        for (let c = 0; c < C; c++) out.set(record.subarray(c * L, (c + 1) * L), (c * count + i) * L);
      }
    },
    close: () => file.close()
  };
}
