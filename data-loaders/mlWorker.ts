// Worker thread: loads a serialized model once, then answers prediction requests on
// preprocessed records, or gradient requests for its share of a training mini-batch. One wasm backend per thread is how both cores are used: tfjs turns wasm
// threads off under Node.
import {parentPort} from "node:worker_threads";
import {selectBackend, type BackendName} from "../lib/ml/nets/backend.js";
import {deserializeModel, type ModelManifest} from "../lib/ml/nets/classifierFile.js";
import {predictRecords} from "../lib/ml/nets/models.js";
import {tf, type tfl} from "../lib/ml/nets/tf.js";
import {batchGradients} from "../lib/ml/nets/train.js";
import type {ClassWeights} from "../lib/ml/nets/loss.js";

type Request =
  | {kind: "init"; manifest: ModelManifest; weights: Uint8Array; backend: BackendName[]}
  | {kind: "predict"; id: number; x: Float32Array; samples: number}
  | {kind: "grads"; id: number; weights: Float32Array[]; x: Float32Array; y: Float32Array; samples: number; w: ClassWeights};

let model: tfl.LayersModel | null = null;
const port = parentPort!;
port.on("message", async (msg: Request) => {
  try {
    if (msg.kind === "init") {
      const backend = await selectBackend(msg.backend);
      model = await deserializeModel(msg.manifest, msg.weights);
      port.postMessage({kind: "ready", backend});
    } else if (msg.kind === "grads") {
      const vars = model!.trainableWeights.map((v) => (v as unknown as {read(): tf.Variable}).read());
      vars.forEach((v, k) => v.assign(tf.tensor(msg.weights[k], v.shape)));
      const g = await batchGradients(model!, msg.x, msg.y, msg.samples, msg.w);
      const grads = await Promise.all(g.grads.map(async (t) => (await t.data()) as Float32Array));
      tf.dispose(g.grads);
      port.postMessage({kind: "grads", id: msg.id, loss: g.loss, pred: g.pred, grads}, grads.map((a) => a.buffer as ArrayBuffer));
    } else {
      const prob = await predictRecords(model!, msg.x, msg.samples);
      port.postMessage({kind: "result", id: msg.id, prob}, [prob.buffer as ArrayBuffer]);
    }
  } catch (e) {
    port.postMessage({kind: "error", id: (msg as {id?: number}).id, message: (e as Error).message});
  }
});
