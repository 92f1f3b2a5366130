// Types for serve-dist.mjs (imported by the browser tests).
export interface DistServer {
  url: string;
  port: number;
  close(): Promise<void>;
}
export function resolveDistPath(root: string, pathname: string): Promise<string | undefined>;
/** One request the server answered: status 206 for a partial read, `bytes` sent. */
export interface ServedRequest {
  method: string | undefined;
  path: string;
  range: string | undefined;
  status: number;
  bytes: number;
}
export function parseRange(header: string | undefined, size: number): {start: number; end: number} | null | undefined;
export function serveDist(dir: string, options?: {port?: number; host?: string; files?: {[path: string]: string}; log?: (request: ServedRequest) => void}): Promise<DistServer>;
