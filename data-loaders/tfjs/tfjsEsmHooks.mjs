// Node module hooks that load TensorFlow.js from its ES2017 ESM build (the packages' `module`
// field, `dist/index.js`, the same code bundlers give the page) instead of their CommonJS
// `main` (an ES5 bundle, ~3× slower to train with). That build uses
// extensionless relative imports and Node-style `require`/`__dirname`, which Node's ESM loader
// does not accept; these hooks supply both. Registered by `registerTfjsEsm.mjs`.
import {existsSync, statSync} from "node:fs";
import {fileURLToPath} from "node:url";

const TFJS = /\/node_modules\/@tensorflow\/[^/]+\/dist\//;
const PACKAGES = new Set(["tfjs-core", "tfjs-layers", "tfjs-backend-cpu", "tfjs-backend-wasm", "tfjs-backend-webgpu"]);

export async function resolve(specifier, context, next) {
  const bare = /^@tensorflow\/([^/]+)(\/.*)?$/.exec(specifier);
  if (bare && PACKAGES.has(bare[1])) {
    const sub = bare[2] ?? "/dist/index";
    const full = `@tensorflow/${bare[1]}${sub}${sub.endsWith(".js") ? "" : ".js"}`;
    return next(full, context);
  }
  if (context.parentURL && TFJS.test(context.parentURL) && /^\.\.?\//.test(specifier) && !/\.(m?js|json|wasm)$/.test(specifier)) {
    const url = new URL(specifier, context.parentURL);
    const path = fileURLToPath(url);
    const target = existsSync(path + ".js") ? specifier + ".js" : existsSync(path) && statSync(path).isDirectory() ? specifier + "/index.js" : specifier;
    return next(target, context);
  }
  return next(specifier, context);
}

const PREAMBLE =
  'import {createRequire as __pbRequire} from "node:module"; const require = __pbRequire(import.meta.url); ' +
  "const __filename = new URL(import.meta.url).pathname; const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));\n";

export async function load(url, context, next) {
  if (!TFJS.test(url) || !url.endsWith(".js") || /\.(node|es2017|min)\.js$|\/tf-[^/]*\.js$/.test(url)) return next(url, context);
  const res = await next(url, {...context, format: "module"});
  let source = String(res.source);
  // CommonJS dependencies imported as namespaces: Node's namespace only sees what it can detect
  // statically (seedrandom's `alea`, long's methods are missed); bundlers pass module.exports.
  source = source.replace(/import \* as (\w+) from '(seedrandom|long)';/g, "import $1 from '$2';");
  if (/\brequire\(|__dirname|__filename/.test(source)) source = PREAMBLE + source;
  return {...res, format: "module", source};
}
