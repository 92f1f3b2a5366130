// The `.db` of a CRESST stream run: an SQLite file with tables DAQINFO (MOD, TRIGGERDELAY,
// SAMPLESDIV) and FILELIST (CH, FILENAME, TYPE, LABEL, CREATED). Read with sql.js (SQLite
// compiled to wasm: the reference implementation of the format, no native build, works offline).

import initSqlJs, {type SqlJsStatic} from "sql.js";
import {DataFileError} from "./errors.js";

export interface CsmplDb {
  /** DAQINFO: samples (at SAMPLESDIV × the stream rate) between stream start and the first dig stamp. */
  triggerDelay: number;
  samplesDiv: number;
  files: {channel: number; fileName: string; type: number; label: string; created: string}[];
}

let sql: Promise<SqlJsStatic> | undefined;

/** Parses the bytes of a `.db` file. */
export async function parseCsmplDb(bytes: Uint8Array, file: string): Promise<CsmplDb> {
  const SQL = await (sql ??= initSqlJs());
  let db;
  try {
    db = new SQL.Database(bytes);
  } catch (e) {
    throw new DataFileError(file, `not an SQLite database (${(e as Error).message})`);
  }
  try {
    const query = (q: string, table: string) => {
      try {
        return db.exec(q)[0]?.values ?? [];
      } catch (e) {
        throw new DataFileError(file, `cannot read table ${table} (${(e as Error).message})`);
      }
    };
    const info = query("SELECT TRIGGERDELAY, SAMPLESDIV FROM DAQINFO", "DAQINFO");
    if (info.length === 0) throw new DataFileError(file, "table DAQINFO is empty");
    const [triggerDelay, samplesDiv] = info[0].map(Number);
    if (!Number.isFinite(triggerDelay) || !(samplesDiv > 0)) {
      throw new DataFileError(file, `DAQINFO has TRIGGERDELAY ${info[0][0]}, SAMPLESDIV ${info[0][1]}`);
    }
    const hasFileList = query("SELECT name FROM sqlite_master WHERE type='table' AND name='FILELIST'", "sqlite_master").length > 0;
    const files = hasFileList
      ? query("SELECT CH, FILENAME, TYPE, LABEL, CREATED FROM FILELIST", "FILELIST").map((r) => ({
          channel: Number(r[0]), fileName: String(r[1]), type: Number(r[2]), label: String(r[3]), created: String(r[4])
        }))
      : [];
    return {triggerDelay, samplesDiv, files};
  } finally {
    db.close();
  }
}
