// The one reader of a user's file on the Node side: file-system errors become DataFileErrors
// that name the file and say the problem in words, never an ENOENT stack trace.
import {readFileSync, realpathSync, statSync} from "node:fs";
import {isAbsolute, join, relative} from "node:path";
import {DataFileError} from "../../lib/io/errors.js";
import {checkBudget} from "../../lib/io/memoryBudget.js";
import "./memoryBudget.js"; // PULSEBOOK_MEMORY_BUDGET applied before the first read

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

/**
 * `name`, a file a model document in `dir` names (checked by lib/ml/fileFormat.ts
 * modelFileNameProblem), as a path that stays in `dir`: a symbolic link leading out of the
 * folder, or anything but a regular file, is a DataFileError naming the path.
 */
export function fileInFolder(dir: string, name: string, what: string): string {
  const path = join(dir, name);
  let real: string, realDir: string;
  try {
    realDir = realpathSync(dir);
    real = realpathSync(path);
  } catch (e) {
    throw new DataFileError(path, `${what}: ${fileProblem(e)}`);
  }
  if (relative(realDir, real).startsWith("..") || isAbsolute(relative(realDir, real))) {
    throw new DataFileError(path, `${what}: a link to ${real}, outside the model folder ${realDir}; a model's files must lie in its folder`);
  }
  if (!statSync(real).isFile()) throw new DataFileError(path, `${what}: is not a regular file`);
  return path;
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

/**
 * The bytes of a file, or a DataFileError naming it (`what` says what was expected, e.g. "model
 * file"). A file larger than `maxBytes` (default: the memory budget) is refused before reading.
 */
export function readBytes(path: string, what?: string, maxBytes?: number): Uint8Array {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (e) {
    throw new DataFileError(path, what ? `${what}: ${fileProblem(e)}` : fileProblem(e), undefined, {cause: e});
  }
  if (maxBytes !== undefined && size > maxBytes) {
    throw new DataFileError(path, `${what ? `${what}: ` : ""}${size} B is more than the ${maxBytes} B such a file can be (not the expected file, or damaged)`);
  }
  checkBudget(path, `reading ${what ?? "the file"} whole`, size);
  try {
    const b = readFileSync(path);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch (e) {
    throw new DataFileError(path, what ? `${what}: ${fileProblem(e)}` : fileProblem(e), undefined, {cause: e});
  }
}

/** The UTF-8 text of a file, or a DataFileError naming it. */
export function readText(path: string, what?: string, maxBytes?: number): string {
  return new TextDecoder().decode(readBytes(path, what, maxBytes));
}

/** A JSON file parsed, or a DataFileError naming it (missing, unreadable or not JSON, with the parser's words). */
export function readJson(path: string, what?: string, maxBytes?: number): unknown {
  const text = readText(path, what, maxBytes);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new DataFileError(path, `${what ? `${what}: ` : ""}not valid JSON (${(e as Error).message})`);
  }
}
