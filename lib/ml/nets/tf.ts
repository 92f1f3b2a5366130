// The one place TensorFlow.js is imported: core with its gradients and chained tensor methods
// registered (layers and training need both, as the union package @tensorflow/tfjs does), and
// layers. Backends are imported lazily by backend.ts. In Node the ESM build is loaded through
// data-loaders/tfjs/tfjsEsmHooks.mjs; in the page Framework bundles the same build from node_modules.
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import "@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops";
import * as tfl from "@tensorflow/tfjs-layers";

export {tf, tfl};
