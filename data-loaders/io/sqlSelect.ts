// SQL over a feature table in Node, with the engine the pages use (DuckDB-wasm), so a cut
// written on a page selects the same rows in a script or test.
//
// DuckDB's Node *blocking* build runs the wasm in this thread: no workers, no network, no
// extensions. Parquet is decoded by parquet-wasm (data-loaders/io/parquet.ts) and handed to DuckDB as an
// Arrow IPC stream, so nothing DuckDB would download (its parquet extension) is ever needed.
// The table is always registered as `features`.
//
// Predicates come from files (cut files, processing configs), so they are checked first
// (lib/io/sqlPredicate.ts: one expression, allow-listed functions, known columns), and the
// engine itself is locked down as defence in depth: no file or network access, no extension
// loading or installing (read_csv('http://…') would otherwise try to fetch one and hang).

import {createRequire} from "node:module";
import * as arrow from "apache-arrow";
import * as duckdb from "@duckdb/duckdb-wasm/blocking";
import {readParquet} from "./parquet.js";
import {checkPredicate} from "../../lib/io/sqlPredicate.js";

const require = createRequire(import.meta.url);

// Global settings, then locked so that no later statement can turn them back on.
const LOCKDOWN = [
  "SET enable_external_access = false",
  "SET autoload_known_extensions = false",
  "SET autoinstall_known_extensions = false",
  "SET lock_configuration = true"
];

let dbCount = 0;
let dbPromise: Promise<duckdb.DuckDBBindings> | undefined;

/** The process-wide DuckDB instance (about 1 s to instantiate, once). */
function database(): Promise<duckdb.DuckDBBindings> {
  return (dbPromise ??= (async () => {
    const file = (name: string) => require.resolve(`@duckdb/duckdb-wasm/dist/${name}`);
    const bundles: duckdb.DuckDBBundles = {
      mvp: {mainModule: file("duckdb-mvp.wasm"), mainWorker: file("duckdb-node-mvp.worker.cjs")},
      eh: {mainModule: file("duckdb-eh.wasm"), mainWorker: file("duckdb-node-eh.worker.cjs")}
    };
    const db = await duckdb.createDuckDB(bundles, new duckdb.VoidLogger(), duckdb.NODE_RUNTIME);
    await db.instantiate();
    const conn = db.connect();
    try {
      for (const setting of LOCKDOWN) conn.query(setting);
    } finally {
      conn.close();
    }
    return db;
  })());
}

/** A feature table as Arrow, or Parquet bytes (decoded with parquet-wasm). */
export type FeatureSource = arrow.Table | Uint8Array;

function toArrow(source: FeatureSource): arrow.Table {
  return source instanceof Uint8Array ? readParquet(source, "features.parquet") : source;
}

/** DuckDB's message in words: the first line, without a class like "Binder Error:", columns by name. */
export function duckdbProblem(message: string): string {
  const first = message.split("\n")[0].trim();
  const column = /Referenced column "([^"]+)" not found/.exec(first);
  if (column) return `no column "${column[1]}" in the feature table`;
  const fn = /(?:Scalar|Table) Function with name "?(\w+)"? does not exist/i.exec(first);
  if (fn) return `no function ${fn[1]}`;
  // DuckDB's classes of a bad query say nothing to a user; others (Permission Error …) are kept.
  const m = /^(?:Binder|Parser|Catalog|Conversion|Invalid Input) Error: (.*)$/.exec(first);
  return m ? m[1] : first;
}

/** A query DuckDB refused or failed; `problem` is DuckDB's message in words, the original is the cause. */
export class SqlError extends Error {
  constructor(readonly what: string, readonly problem: string, cause: unknown) {
    super(`${what} failed: ${problem}`, {cause});
    this.name = "SqlError";
  }
}

/** One registered feature table; run any number of queries, then `close()`. */
export interface FeatureDb {
  /** Runs `sql` (the table is `features`); throws an Error naming the SQL and DuckDB's message. */
  query(sql: string): arrow.Table;
  /** Sorted distinct `event` values of rows matching `where` (optionally one channel). */
  selectEvents(where: string, options?: {channel?: number}): Int32Array;
  close(): void;
}

/** SELECT for `selectEvents`: distinct events matching a predicate, optionally on one channel. */
export function selectEventsSql(where: string, channel?: number): string {
  if (channel !== undefined && !Number.isInteger(channel)) throw new RangeError(`channel must be an integer, got ${channel}`);
  const onChannel = channel === undefined ? "" : ` AND channel = ${channel}`;
  // The predicate is parenthesised so that an OR in it cannot escape the channel condition.
  return `SELECT DISTINCT event FROM features WHERE (${where})${onChannel} ORDER BY event`;
}

/** Registers `source` as table `features` in a fresh connection. */
export async function openFeatureDb(source: FeatureSource): Promise<FeatureDb> {
  const table = toArrow(source);
  return openDb((conn, schema) => {
    // Through IPC rather than insertArrowTable: our apache-arrow instance is not DuckDB's, and
    // the IPC bytes are the one format both sides agree on.
    conn.insertArrowFromIPCStream(arrow.tableToIPC(table, "stream"), {schema, name: "features", create: true});
    return table.schema.fields.map((f) => f.name);
  });
}

/** One table of a partitioned dataset with the values of its partition columns (Hive's `key=value`). */
export interface PartTable {
  table: arrow.Table;
  partition: {[key: string]: string | bigint};
}

/**
 * Registers the tables of a partitioned dataset as one table `features`: the rows of every
 * part in order, with its partition values as columns (a bigint is a BIGINT, as DuckDB's
 * hive_partitioning types them), restricted to rows satisfying `where` when given.
 */
export async function openDatasetDb(parts: readonly PartTable[], where?: string): Promise<FeatureDb> {
  if (parts.length === 0) throw new RangeError("a dataset needs at least one part");
  const literal = (v: string | bigint) => (typeof v === "bigint" ? `${v}::BIGINT` : `'${v.replaceAll("'", "''")}'`);
  const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
  return openDb((conn, schema) => {
    const selects = parts.map(({table, partition}, k) => {
      conn.insertArrowFromIPCStream(arrow.tableToIPC(table, "stream"), {schema, name: `part_${k}`, create: true});
      const values = Object.entries(partition).map(([key, v]) => `${literal(v)} AS ${quote(key)}`);
      return `SELECT *${values.map((v) => `, ${v}`).join("")} FROM part_${k}`;
    });
    const all = selects.join(" UNION ALL BY NAME ");
    try {
      conn.query(`CREATE VIEW features AS ${where === undefined ? all : `SELECT * FROM (${all}) WHERE (${where})`}`);
    } catch (e) {
      throw new SqlError(where === undefined ? "joining the parts" : `SQL predicate "${where}"`, duckdbProblem(String((e as Error).message ?? e)), e);
    }
    return [...new Set([...parts[0].table.schema.fields.map((f) => f.name), ...Object.keys(parts[0].partition)])];
  });
}

/** A fresh connection whose own schema holds what `register` puts there (returning its columns). */
async function openDb(register: (conn: ReturnType<duckdb.DuckDBBindings["connect"]>, schema: string) => string[]): Promise<FeatureDb> {
  const db = await database();
  const conn = db.connect();
  // Each FeatureDb gets its own schema, found first through the connection's search_path, so
  // that several can be open at once and every query still just says `features`.
  const schema = `pulsebook_features_${++dbCount}`;
  conn.query(`CREATE SCHEMA ${schema}`);
  conn.query(`SET search_path = '${schema}'`);
  let columns: string[];
  try {
    columns = register(conn, schema);
  } catch (e) {
    try { conn.query(`DROP SCHEMA ${schema} CASCADE`); } finally { conn.close(); }
    throw e;
  }
  let open = true;
  const run = (sql: string, what: string): arrow.Table => {
    if (!open) throw new Error("feature database is closed");
    try {
      return conn.query(sql) as unknown as arrow.Table;
    } catch (e) {
      throw new SqlError(what, duckdbProblem(String((e as Error).message ?? e)), e);
    }
  };
  return {
    query: (sql) => run(sql, `SQL "${sql}"`),
    selectEvents(where, options = {}) {
      try {
        checkPredicate(where, columns);
      } catch (e) {
        throw new Error(`SQL predicate "${where}": ${(e as Error).message}`);
      }
      const result = run(selectEventsSql(where, options.channel), `SQL predicate "${where}"`);
      const column = result.getChild("event");
      const out = new Int32Array(result.numRows);
      if (column) for (let i = 0; i < out.length; i++) out[i] = Number(column.get(i));
      return out;
    },
    close() {
      if (!open) return;
      open = false;
      try { conn.query(`DROP SCHEMA ${schema} CASCADE`); } finally { conn.close(); }
    }
  };
}

/** Runs one SQL statement over `source` (registered as `features`). */
export async function querySql(source: FeatureSource, sql: string): Promise<arrow.Table> {
  const db = await openFeatureDb(source);
  try {
    return db.query(sql);
  } finally {
    db.close();
  }
}

/**
 * Event indices (sorted, distinct) of the rows of `source` satisfying the SQL predicate
 * `where`, e.g. `label = 1 AND pulse_height_V BETWEEN 0.2 AND 1`, optionally on one channel.
 */
export async function selectEvents(source: FeatureSource, where: string, options: {channel?: number} = {}): Promise<Int32Array> {
  const db = await openFeatureDb(source);
  try {
    return db.selectEvents(where, options);
  } finally {
    db.close();
  }
}
