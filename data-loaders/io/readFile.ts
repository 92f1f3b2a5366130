// The one reader of a user's file on the Node side: file-system errors become DataFileErrors
// that name the file and say the problem in words, never an ENOENT stack trace.
import {readFileSync, statSync} from "node:fs";
import {DataFileError} from "../../lib/io/errors.js";

const PROBLEMS: {[code: string]: string} = {
  ENOENT: "file not found",
  EISDIR: "is a folder, not a file",
  ENOTDIR: "a part of the path is not a folder",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EMFILE: "too many open files",
  EIO: "input/output error",
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  EROFS: "the file system is read-only",
  EEXIST: "already exists",
  ENOTEMPTY: "is a folder that is not empty",
  ENAMETOOLONG: "the name is too long",
  ELOOP: "too many symbolic links (a link loop?)",
  EFBIG: "the file would be too large",
  EXDEV: "cannot move across file systems",
  EBUSY: "is busy (in use)"
};

/** Words for a file-system error (the code is kept in brackets for searching). */
export function fileProblem(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code && PROBLEMS[code]) return `${PROBLEMS[code]} (${code})`;
  return `cannot read file (${code ?? (e as Error)?.message ?? String(e)})`;
}

/** Size of a regular file; DataFileError when it is missing, a folder or unreadable. */
export function fileSize(path: string): number {
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new DataFileError(path, PROBLEMS.EISDIR);
    if (!st.isFile()) throw new DataFileError(path, "is not a regular file");
    return st.size;
  } catch (e) {
    if (e instanceof DataFileError) throw e;
    throw new DataFileError(path, fileProblem(e), undefined, {cause: e});
  }
}

/** The bytes of a file, or a DataFileError naming it (`what` says what was expected, e.g. "model file"). */
export function readBytes(path: string, what?: string): Uint8Array {
  try {
    const b = readFileSync(path);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch (e) {
    throw new DataFileError(path, what ? `${what}: ${fileProblem(e)}` : fileProblem(e), undefined, {cause: e});
  }
}

/** The UTF-8 text of a file, or a DataFileError naming it. */
export function readText(path: string, what?: string): string {
  return new TextDecoder().decode(readBytes(path, what));
}

/** A JSON file parsed, or a DataFileError naming it (missing, unreadable or not JSON, with the parser's words). */
export function readJson(path: string, what?: string): unknown {
  const text = readText(path, what);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new DataFileError(path, `${what ? `${what}: ` : ""}not valid JSON (${(e as Error).message})`);
  }
}
