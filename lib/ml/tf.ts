// The one place TensorFlow.js is imported: core with its gradients and chained tensor methods
// (tfjs-layers uses both), and layers. Backends are imported lazily by backend.ts.
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import "@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops";
import * as tfl from "@tensorflow/tfjs-layers";

export {tf, tfl};
