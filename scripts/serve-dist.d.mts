// Types for serve-dist.mjs (imported by the browser tests).
export interface DistServer {
  url: string;
  port: number;
  close(): Promise<void>;
}
export function resolveDistPath(root: string, pathname: string): Promise<string | undefined>;
/** One answered request, as `onRequest` sees it (HEAD and 416 answers carry 0 bytes). */
export interface ServedRequest {
  method: string | undefined;
  path: string;
  status: number;
  range: string | undefined;
  bytes: number;
}
export function serveDist(dir: string, options?: {port?: number; host?: string; onRequest?: (request: ServedRequest) => void}): Promise<DistServer>;
/** The byte interval of a one-range `Range` header: undefined for none (or several), null if unsatisfiable. */
export function byteRange(header: string | undefined, size: number): [number, number] | null | undefined;
