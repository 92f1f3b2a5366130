// The labeling page's Parquet decoder, run in Web Workers (bundled by
// src/data/feature-decode-worker.js.ts) so that decoding a 400,000-row feature table never blocks
// the page: each worker reads the columns of one range of row groups (lib/io/featureQuery.ts,
// decodeNumericColumns) and hands them back as Float64Arrays, transferred, not copied — no Arrow
// object crosses. parquet-wasm's wasm is the page's own copy (its URL comes with every request),
// so the built site needs nothing from outside.
import * as arrow from "apache-arrow";
import initParquet, * as parquet from "parquet-wasm";
import {decodeNumericColumns} from "../lib/io/featureQuery.js";
import {serveJobs} from "./serve.js";

let ready: Promise<unknown> | undefined;
// Compiled once per worker; `init` lets the page start this before a table is even chosen.
const load = (wasm: string) => (ready ??= initParquet({module_or_path: wasm}));

/**
 * Decodes a small table of the feature tables' kind (int32 and float64 columns, Snappy, no
 * dictionary: data-loaders/io/parquet.ts) a few times, so that the browser has tiered the
 * decoder's wasm code up to optimised code before the first real table: the first decode in a
 * fresh worker runs baseline code, 3–5 times slower (measured in Node: 400 ms cold, 80 ms warm,
 * for 200,000 rows of four columns).
 */
async function warmUp(): Promise<void> {
  const n = 65_536;
  let seed = 1;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const columns = {event: Int32Array.from({length: n}, (_, i) => i >> 1), channel: Int32Array.from({length: n}, (_, i) => i & 1), x: Float64Array.from({length: n}, random), y: Float64Array.from({length: n}, random)};
  const props = new parquet.WriterPropertiesBuilder().setCompression(parquet.Compression.SNAPPY).setDictionaryEnabled(false).build();
  const bytes = parquet.writeParquet(parquet.Table.fromIPCStream(arrow.tableToIPC(arrow.makeTable(columns), "stream")), props);
  for (let k = 0; k < 3; ++k) await decodeNumericColumns({arrow, parquet}, new Blob([bytes as Uint8Array<ArrayBuffer>]), Object.keys(columns), undefined, "warm-up");
}

serveJobs({
  init: async ({wasm}: {wasm: string}) => (await load(wasm), await warmUp(), true),
  numeric: async ({wasm, source, names, rowGroups, name}: {wasm: string; source: string | Blob; names: string[]; rowGroups?: number[]; name: string}) => {
    await load(wasm);
    return decodeNumericColumns({arrow, parquet}, source, names, rowGroups, name);
  }
});
