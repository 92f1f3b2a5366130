// Framework resolves `npm:` imports of src/components modules to its self-hosted npm cache
// (scripts/prefill-npm-cache.mjs); for TypeScript they are the installed packages.
declare module "npm:apache-arrow" {
  export * from "apache-arrow";
}
declare module "npm:parquet-wasm" {
  export * from "parquet-wasm";
  export {default} from "parquet-wasm";
}
