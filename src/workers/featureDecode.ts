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

serveJobs({
  init: async ({wasm}: {wasm: string}) => (await load(wasm), true),
  numeric: async ({wasm, source, names, rowGroups, name}: {wasm: string; source: string | Blob; names: string[]; rowGroups?: number[]; name: string}) => {
    await load(wasm);
    return decodeNumericColumns({arrow, parquet}, source, names, rowGroups, name);
  }
});
