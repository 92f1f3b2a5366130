// Provenance of derived files — the one writer. Every derived file (Parquet table, JSON
// summary, HDF5 file, model manifest, stored stage output) carries one stamp: which Pulsebook
// made it (the package version plus the git commit), its lineage hash, the source-derived
// versions of the stages that made it, their parameters, the identities of its inputs and
// when it was made. Lineage (lib/pipeline) decides reuse; the stamp lets a reader tell how a
// number was made.

import {execFileSync} from "node:child_process";
import {createHash} from "node:crypto";
import {closeSync, openSync, readFileSync, readSync, statSync} from "node:fs";
import {resolve} from "node:path";
import {fileURLToPath} from "node:url";
import {stableJson} from "../lib/hash.js";
import {sourceVersion} from "./pipeline/sourceVersion.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const PACKAGE_VERSION: string = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version;

/** Runs git with `args` in the repository; throws when git is absent or this is no repository. */
export type GitRunner = (args: string[]) => string;

const runGit: GitRunner = (args) => execFileSync("git", args, {cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 10_000});

/**
 * The package version with the commit it was built from: `0.1.0+g1a2b3c4`, `-dirty` when
 * tracked files have uncommitted changes; the bare package version when git is absent or the
 * source is not a repository (an unpacked release).
 */
export function pulsebookVersion(git: GitRunner = runGit, packageVersion = PACKAGE_VERSION): string {
  try {
    const head = git(["rev-parse", "--short=7", "HEAD"]).trim();
    if (!/^[0-9a-f]{7,}$/.test(head)) return packageVersion;
    const dirty = git(["status", "--porcelain", "--untracked-files=no"]).trim() !== "";
    return `${packageVersion}+g${head}${dirty ? "-dirty" : ""}`;
  } catch {
    return packageVersion;
  }
}

export const PULSEBOOK_VERSION: string = pulsebookVersion();

/**
 * Source-derived version of the module at `url` (its source and what it imports inside lib/
 * and data-loaders/): the format version of the files it writes, never set by hand.
 */
export function moduleVersion(url: string): string {
  return sourceVersion(url, {within: ["lib", "data-loaders"]});
}

const HEAD_BYTES = 1 << 20;

export interface FileIdentity {path: string; size_bytes: number; mtime: string; sha256_first_MiB: string}

/**
 * Identity of an input file: path, size, modification time and the SHA-256 of its first MiB
 * (a full hash of a 2 GB file would cost more than computing its features).
 */
export function fileIdentity(path: string): FileIdentity {
  const st = statSync(path);
  const fd = openSync(path, "r");
  try {
    const head = new Uint8Array(Math.min(HEAD_BYTES, st.size));
    readSync(fd, head, 0, head.length, 0);
    // Node's SHA-256 (the same digest as lib/hash.ts's): the JavaScript one took 0.1 s per MiB.
    return {path: resolve(path), size_bytes: st.size, mtime: st.mtime.toISOString(), sha256_first_MiB: createHash("sha256").update(head).digest("hex")};
  } finally {
    closeSync(fd);
  }
}

/** How a derived file was made. */
export interface ProvenanceStamp {
  pulsebook_version: string;
  /** Lineage hash of the output (lib/pipeline/lineage.ts); null for outputs outside a chain. */
  lineage: string | null;
  /** Source-derived version of every stage (or module) that made it. */
  stages: {[stage: string]: string};
  parameters: unknown;
  /** Identities of the input files (or the lineages of input outputs). */
  inputs: unknown;
  /** The command line or loader that asked for it. */
  command?: string;
  created: string;
}

/** A stamp for an output made now by this Pulsebook. */
export function provenanceStamp(fields: {lineage?: string | null; stages?: {[stage: string]: string}; parameters?: unknown; inputs?: unknown; command?: string}): ProvenanceStamp {
  return {
    pulsebook_version: PULSEBOOK_VERSION,
    lineage: fields.lineage ?? null,
    stages: fields.stages ?? {},
    parameters: fields.parameters ?? null,
    inputs: fields.inputs ?? null,
    command: fields.command,
    created: new Date().toISOString()
  };
}

/**
 * Parquet key-value metadata of a stamped table: the whole stamp under `pulsebook.provenance`,
 * and the keys readers already know (`pulsebook.version`, `pulsebook.command`,
 * `pulsebook.input`, `pulsebook.lineage`) next to the table's own (`extra`).
 */
export function parquetProvenance(stamp: ProvenanceStamp, extra: {[key: string]: string} = {}): {[key: string]: string} {
  return {
    "pulsebook.version": stamp.pulsebook_version,
    ...(stamp.command ? {"pulsebook.command": stamp.command} : {}),
    ...(stamp.lineage ? {"pulsebook.lineage": stamp.lineage} : {}),
    "pulsebook.stages": stableJson(stamp.stages),
    ...extra,
    "pulsebook.provenance": stableJson(stamp)
  };
}

/** A JSON document with its stamp under `provenance` (summaries, reports, manifests). */
export function jsonWithProvenance<T extends object>(value: T, stamp: ProvenanceStamp): T & {provenance: ProvenanceStamp} {
  return {...value, provenance: stamp};
}

/** HDF5 attributes of a stamped file: the stamp as one JSON string attribute. */
export function hdf5Provenance(stamp: ProvenanceStamp): {pulsebook_provenance: string} {
  return {pulsebook_provenance: stableJson(stamp)};
}
