#!/usr/bin/env node
// A tiny static server for the built site (dist/), bound to 127.0.0.1 only. Framework's links
// have no `.html` (`/tutorials/01-first-look`), so `/page` is served from `page.html` and
// `/dir/` from `dir/index.html`, as Framework's own preview and most static hosts do.
// Answers single HTTP Range requests (206 Partial Content), as static hosts do: the pages read
// the record store one event at a time. `log` receives every request (status, range, bytes
// sent), so that tests can see partial reads and no whole-file fetch.
// Used by the browser tests; also handy to read a build: `node scripts/serve-dist.mjs [dir] [--port N]`.

import {createReadStream, realpathSync} from "node:fs";
import {stat} from "node:fs/promises";
import {createServer} from "node:http";
import {extname, join, resolve, sep} from "node:path";
import {fileURLToPath} from "node:url";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".csv": "text/csv; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".parquet": "application/vnd.apache.parquet",
  ".arrow": "application/vnd.apache.arrow.file",
  ".h5": "application/x-hdf5"
};

async function isFile(path) {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** The file under `root` that serves `pathname`, or undefined. Never leaves `root`. */
export async function resolveDistPath(root, pathname) {
  let decoded;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (decoded.includes("\0")) return undefined;
  const path = resolve(root, "." + decoded);
  if (path !== root && !path.startsWith(root + sep)) return undefined;
  const candidates = decoded.endsWith("/") ? [join(path, "index.html")] : [path, `${path}.html`, join(path, "index.html")];
  for (const candidate of candidates) if (await isFile(candidate)) return candidate;
  return undefined;
}

/**
 * The byte range [start, end] (inclusive) a `Range` header asks of a file of `size` bytes:
 * undefined when there is no header or it is not a single byte range (then the whole file is
 * sent), null when it cannot be satisfied (416).
 */
export function parseRange(header, size) {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? "");
  if (!m || (m[1] === "" && m[2] === "")) return undefined;
  let start, end;
  if (m[1] === "") {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  return start > end || start >= size ? null : {start, end};
}

/**
 * Serves `dir` on 127.0.0.1 (`port` 0 picks a free one). Resolves to {url, port, close()} once
 * listening; `url` ends with "/". `files` serves extra files at given paths (benchmarks);
 * `log` is called for every request.
 */
export async function serveDist(dir, {port = 0, host = "127.0.0.1", files = {}, log} = {}) {
  const root = resolve(dir);
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const get = req.method === "GET" || req.method === "HEAD";
    const file = get ? (files[url.pathname] ?? (await resolveDistPath(root, url.pathname))) : undefined;
    const entry = {method: req.method, path: url.pathname, range: req.headers.range, status: 0, bytes: 0};
    res.on("finish", () => log?.(entry));
    if (!file) {
      entry.status = get ? 404 : 405;
      const notFound = await isFile(join(root, "404.html")) ? join(root, "404.html") : undefined;
      res.writeHead(req.method === "GET" || req.method === "HEAD" ? 404 : 405, {"content-type": "text/html; charset=utf-8"});
      if (notFound && req.method === "GET") createReadStream(notFound).pipe(res);
      else res.end("not found\n");
      return;
    }
    const {size} = await stat(file);
    const type = TYPES[extname(file).toLowerCase()] ?? "application/octet-stream";
    const range = parseRange(req.headers.range, size);
    if (range === null) {
      entry.status = 416;
      res.writeHead(416, {"content-range": `bytes */${size}`, "accept-ranges": "bytes"});
      res.end();
      return;
    }
    const {start, end} = range ?? {start: 0, end: size - 1};
    entry.status = range ? 206 : 200;
    entry.bytes = size === 0 ? 0 : end - start + 1;
    res.writeHead(entry.status, {
      "content-type": type,
      "content-length": entry.bytes,
      "accept-ranges": "bytes",
      ...(range ? {"content-range": `bytes ${start}-${end}/${size}`} : {}),
      "cache-control": "no-store"
    });
    if (req.method === "HEAD" || entry.bytes === 0) res.end();
    else createReadStream(file, {start, end}).pipe(res);
  });
  await new Promise((resolvePromise, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolvePromise(undefined));
  });
  const address = server.address();
  const actualPort = typeof address === "object" && address ? address.port : port;
  return {
    url: `http://${host}:${actualPort}/`,
    port: actualPort,
    close: () => new Promise((resolveClose) => {
      server.closeAllConnections?.();
      server.close(() => resolveClose(undefined));
    })
  };
}

if (process.argv[1] && realpathSync(resolve(process.argv[1])) === realpathSync(fileURLToPath(import.meta.url))) {
  const args = process.argv.slice(2);
  const portIndex = args.indexOf("--port");
  const port = portIndex >= 0 ? Number(args[portIndex + 1]) : 0;
  const dir = args.find((a, i) => !a.startsWith("--") && i !== portIndex + 1) ?? "dist";
  const {url} = await serveDist(dir, {port});
  console.log(`serving ${resolve(dir)} at ${url}`);
}
