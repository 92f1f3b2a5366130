// Content hashes for lineage and provenance, the same in Node and in the page: SHA-256 from
// @noble/hashes (audited, synchronous, no WebCrypto promise in the way of pure functions), and
// a canonical JSON so that equal settings hash equal whatever their key order.
import {sha256} from "@noble/hashes/sha256";
import {bytesToHex, utf8ToBytes} from "@noble/hashes/utils";

/** SHA-256 of bytes or of a string's UTF-8, as 64 lowercase hex digits. */
export function sha256Hex(data: Uint8Array | string): string {
  return bytesToHex(sha256(typeof data === "string" ? utf8ToBytes(data) : data));
}

/**
 * JSON with object keys sorted at every depth and `undefined` members left out; non-finite
 * numbers are written as strings ("NaN", "Infinity") so that they still hash distinctly.
 */
export function stableJson(v: unknown): string {
  if (typeof v === "number") return Number.isFinite(v) ? JSON.stringify(v) : JSON.stringify(String(v));
  if (Array.isArray(v)) return `[${v.map(stableJson).join(",")}]`;
  if (v && typeof v === "object") {
    const o = v as {[key: string]: unknown};
    return `{${Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`).join(",")}}`;
  }
  return JSON.stringify(v ?? null);
}

/** sha256Hex of stableJson(value): the identity of a settings object. */
export function hashJson(value: unknown): string {
  return sha256Hex(stableJson(value));
}
