// Provenance of derived files: what a table was made from, so that a reader can always tell
// how a number was made and loaders can reuse an output only when its lineage matches.

import {createHash} from "node:crypto";
import {closeSync, openSync, readFileSync, readSync, statSync} from "node:fs";
import {resolve} from "node:path";

export const PULSEBOOK_VERSION: string = JSON.parse(
  readFileSync(new URL("../package.json", import.meta.url), "utf8")
).version;

/** Version of the feature-table format (bump when a column's meaning changes). */
export const FEATURES_FORMAT_VERSION = "1";

const HEAD_BYTES = 1 << 20;

/**
 * Identity of an input file: path, size, modification time and the SHA-256 of its first MiB
 * (a full hash of a 2 GB file would cost more than computing its features).
 */
export function fileIdentity(path: string): {path: string; size_bytes: number; mtime: string; sha256_first_MiB: string} {
  const st = statSync(path);
  const fd = openSync(path, "r");
  try {
    const head = Buffer.alloc(Math.min(HEAD_BYTES, st.size));
    readSync(fd, head, 0, head.length, 0);
    return {
      path: resolve(path),
      size_bytes: st.size,
      mtime: st.mtime.toISOString(),
      sha256_first_MiB: createHash("sha256").update(head).digest("hex")
    };
  } finally {
    closeSync(fd);
  }
}
