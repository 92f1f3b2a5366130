// Observable Framework configuration for the Pulsebook notebooks.
// Everything is served from this repository: no Google Fonts, no DuckDB extensions from the
// network, no footer link. `npm:` imports come from the cache that
// scripts/prefill-npm-cache.mjs fills from node_modules
// before every build and preview.
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
  search: false,
  pages: [
    {name: "Overview", path: "/"},
    {
      name: "Tutorials",
      open: true,
      pages: [
        {name: "1 · First look at the data", path: "/tutorials/01-first-look"},
        {name: "2 · Standard event and pulse fit", path: "/tutorials/02-standard-event"},
        {name: "3 · Noise and the optimum filter", path: "/tutorials/03-optimum-filter"},
        {name: "4 · Triggering a stream", path: "/tutorials/04-trigger"},
        {name: "5 · Energy calibration", path: "/tutorials/05-calibration"}
      ]
    }
  ]
};
