// Types for serve-dist.mjs (imported by the browser tests).
export interface DistServer {
  url: string;
  port: number;
  close(): Promise<void>;
}
export function resolveDistPath(root: string, pathname: string): Promise<string | undefined>;
export function serveDist(dir: string, options?: {port?: number; host?: string}): Promise<DistServer>;
