// Observable Framework configuration for the Pulsebook notebooks.
// Everything is served from this repository: no Google Fonts, no DuckDB extensions from the
// network, no footer link. `npm:` imports come from the cache that
// scripts/prefill-npm-cache.mjs fills from node_modules
// before every build and preview.
import {readdirSync, readFileSync} from "node:fs";

function tutorials(): {name: string; path: string}[] {
  const dir = new URL("./src/tutorials/", import.meta.url);
  return readdirSync(dir)
    .filter((f) => /^\d\d-.*\.md$/.test(f))
    .sort()
    .map((f) => {
      const title = /^---\n[\s\S]*?^title:\s*(.+)$/m.exec(readFileSync(new URL(f, dir), "utf8"))?.[1]?.trim();
      return {name: title ?? f.replace(/\.md$/, ""), path: `/tutorials/${f.replace(/\.md$/, "")}`};
    });
}

/** Every report in src/reports, by front-matter title. */
function reports(): {name: string; path: string}[] {
  const dir = new URL("./src/reports/", import.meta.url);
  return readdirSync(dir)
    .filter((f) => f.endsWith(".md"))
    .sort()
    .map((f) => {
      const title = /^---\n[\s\S]*?^title:\s*(.+)$/m.exec(readFileSync(new URL(f, dir), "utf8"))?.[1]?.trim();
      return {name: title ?? f.replace(/\.md$/, ""), path: `/reports/${f.replace(/\.md$/, "")}`};
    });
}

export default {
  title: "Pulsebook",
  root: "src",
  // The tests build a second copy elsewhere (offline build check) without touching dist/.
  output: process.env.PULSEBOOK_DIST || "dist",
  // The default stylesheet list links fonts.googleapis.com; keep only Framework's own CSS.
  globalStylesheets: [],
  // Default config downloads the json and parquet extensions at build time; the pages decode
  // Parquet with parquet-wasm and register Arrow tables with DuckDB instead.
  duckdb: {extensions: {json: null, parquet: null}},
  footer: "",
  // Served from src/ like any page file (Framework resolves local files in head); without it
  // every page load asks for /favicon.ico and gets a 404.
  // The figure download menu (SVG, PNG, CSV) on every page, src/components/figureMenu.ts.
  head: '<link rel="icon" href="/favicon.svg" type="image/svg+xml"><script type="module" src="/components/figureMenu.js"></script>',
  search: false,
  // TypeScript data loaders run as the CLI does through tsx (bin/pulsebook.mjs with PULSEBOOK_TSX=1):
  // tsx for our sources, installed packages loaded as they are (data-loaders/hooks/dependenciesAsIs.mjs). Framework's default, the
  // `tsx` command, sends h5wasm's and DuckDB's large modules through tsx's rewriting: about 6 CPU-s
  // and 450 MB per loader before any work (measured on src/data/runs.json.ts: 9 → 2.6 CPU-s).
  interpreters: {".ts": [process.execPath, "--import", "tsx", "--import", "./data-loaders/hooks/registerDependenciesAsIs.mjs"]},
  pages: [
    {name: "Overview", path: "/"},
    {
      name: "Tutorials",
      open: true,
      // Every tutorial in src/tutorials, in file-name order, named by its front-matter title.
      pages: tutorials()
    },
    {name: "Reports", open: true, pages: reports()},
    {
      name: "Tools",
      open: true,
      pages: [
        {name: "Labeling", path: "/tools/labeling"},
        {name: "Label agreement", path: "/tools/agreement"},
        {name: "Cuts", path: "/tools/cuts"},
        {name: "Data manifold", path: "/tools/manifold"}
      ]
    }
  ]
};
