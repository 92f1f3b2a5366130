#!/usr/bin/env node
// Screenshots of every page of the built site, for docs/screenshots/: one PNG per page, 1000 px
// wide, the top of the page as a reader first sees it, taken in headless Chromium with every
// request outside 127.0.0.1 blocked.
//
//   node scripts/screenshots.mjs [--build] [--dist DIR] [--out DIR] [--height PX]
//
// Builds the site first (`npm run build`) with --build or when DIR has no index.html; serves it
// with scripts/serve-dist.mjs; waits on each page until no cell is loading and the network is
// quiet. The pages are the site's HTML files (dist/**/*.html but Framework's own _* folders).
// Chromium: $PULSEBOOK_CHROMIUM or /usr/bin/chromium (scripts/ensure-chromium.mjs installs it).

import {execFileSync} from "node:child_process";
import {existsSync, mkdirSync, readdirSync, statSync, writeFileSync} from "node:fs";
import {join, relative, resolve} from "node:path";
import {fileURLToPath} from "node:url";
import {chromium} from "playwright-core";
import {serveDist} from "./serve-dist.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const dist = resolve(option("--dist", join(ROOT, "dist")));
const out = resolve(option("--out", join(ROOT, "docs", "screenshots")));
const height = Number(option("--height", "900"));
const WIDTH = 1000;
// A PNG above this is reported: the folder is committed and should stay small.
const MAX_BYTES = 300 * 1024;

if (args.includes("--build") || !existsSync(join(dist, "index.html"))) {
  console.error("building the site (npm run build)…");
  execFileSync("npm", ["run", "build"], {cwd: ROOT, stdio: "inherit", env: {...process.env, PULSEBOOK_DIST: dist}});
}

/** The site's pages as URL paths: "/", "/tutorials/01-first-look", … */
function pages(dir, base = dir) {
  const found = [];
  for (const entry of readdirSync(dir, {withFileTypes: true})) {
    if (entry.name.startsWith("_") || entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...pages(path, base));
    else if (entry.name.endsWith(".html") && entry.name !== "404.html") {
      const url = "/" + relative(base, path).replace(/\\/g, "/").replace(/\.html$/, "");
      found.push(url === "/index" ? "/" : url.replace(/\/index$/, "/"));
    }
  }
  return found.sort();
}

const fileName = (path) => (path === "/" ? "index" : path.replace(/^\/|\/$/g, "").replace(/\//g, "--")) + ".png";

const server = await serveDist(dist);
const context = await chromium.launchPersistentContext("", {
  executablePath: process.env.PULSEBOOK_CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update"],
  viewport: {width: WIDTH, height},
  deviceScaleFactor: 1
});
await context.route("**/*", (route) => {
  const url = new URL(route.request().url());
  return url.protocol === "http:" && url.hostname === "127.0.0.1" ? route.continue() : route.abort("blockedbyclient");
});
mkdirSync(out, {recursive: true});
const page = context.pages()[0] ?? (await context.newPage());
const written = [];
let failed = 0;
try {
  for (const path of pages(dist)) {
    const t0 = Date.now();
    try {
      await page.goto(new URL(`.${path}`, server.url).href, {waitUntil: "load"});
      await page.waitForSelector("#observablehq-main h1", {timeout: 60_000});
      await page.waitForLoadState("networkidle", {timeout: 120_000});
      await page.waitForFunction(() => document.querySelectorAll("observablehq-loading").length === 0, null, {timeout: 120_000});
      // Fonts and the last frame of figures drawn after the data came.
      await page.evaluate(() => document.fonts.ready.then(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))));
      const file = join(out, fileName(path));
      writeFileSync(file, await page.screenshot({type: "png"}));
      const bytes = statSync(file).size;
      written.push({path, file: relative(out, file), bytes});
      console.error(`${path} → ${relative(ROOT, file)} (${(bytes / 1024).toFixed(0)} KB, ${((Date.now() - t0) / 1000).toFixed(1)} s)${bytes > MAX_BYTES ? " — larger than 300 KB" : ""}`);
    } catch (e) {
      failed++;
      console.error(`${path}: ${e instanceof Error ? e.message.split("\n")[0] : e}`);
    }
  }
} finally {
  await context.close();
  await server.close();
}
writeFileSync(join(out, "README.md"), [
  "# Screenshots of the site",
  "",
  `The top of every page (${WIDTH} px wide), made by \`node scripts/screenshots.mjs\` from the built site.`,
  "",
  ...written.map(({path, file}) => `- \`${path}\`: [${file}](${file})`),
  ""
].join("\n"));
if (failed) {
  console.error(`${failed} page(s) failed`);
  process.exit(1);
}
