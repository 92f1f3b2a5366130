// Training kernels the TensorFlow.js wasm backend lacks. tfjs 4.22's wasm backend has no
// Conv2DBackpropFilter (the weight gradient of every convolution), so it cannot train
// convolutional models at all (design/ML-BACKENDS.md). No npm package provides it; we add it
// here as im2col + the backend's own BatchMatMul (XNNPACK, SIMD), so the heavy part runs in
// wasm: dW[k, co] = Σ_n colsᵀ[k, n] · dy[n, co] with k = (kh·KW + kw)·CI + ci and n running
// over (batch, output row, output column).
import {backend_util, getKernel, registerKernel, type KernelConfig, type TensorInfo} from "@tensorflow/tfjs-core";

/** The parts of tfjs-backend-wasm's BackendWasm this kernel uses. */
interface WasmBackendLike {
  makeOutput(shape: number[], dtype: "float32"): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array;
  disposeData(dataId: object, force?: boolean): boolean;
}

function conv2DBackpropFilterWasm(args: {inputs: {x: TensorInfo; dy: TensorInfo}; backend: unknown; attrs: Record<string, unknown>}): TensorInfo {
  const {inputs: {x, dy}, attrs} = args;
  const backend = args.backend as WasmBackendLike;
  const {strides, pad, dataFormat, dimRoundingMode, filterShape} = attrs as {
    strides: [number, number] | number; pad: "valid" | "same" | number; dataFormat: "NHWC" | "NCHW";
    dimRoundingMode?: "floor" | "round" | "ceil"; filterShape: [number, number, number, number];
  };
  if (dataFormat === "NCHW") throw new Error("Conv2DBackpropFilter (wasm): only NHWC is implemented");
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode, false, "channelsLast"
  );
  const {batchSize: B, inHeight: H, inWidth: W, inChannels: CI, outHeight: OH, outWidth: OW, outChannels: CO,
    filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw} = info;
  const top = info.padInfo.top, left = info.padInfo.left;
  const N = B * OH * OW;
  const K = KH * KW * CI;
  const cols = backend.makeOutput([1, K, N], "float32");
  const xs = backend.typedArrayFromHeap(x);
  const c = backend.typedArrayFromHeap(cols);
  // colsᵀ row by row: contiguous writes; padding reads as 0.
  for (let kh = 0; kh < KH; kh++) {
    for (let kw = 0; kw < KW; kw++) {
      for (let ci = 0; ci < CI; ci++) {
        let o = ((kh * KW + kw) * CI + ci) * N;
        for (let b = 0; b < B; b++) {
          for (let oh = 0; oh < OH; oh++) {
            const ih = oh * sh + kh - top;
            if (ih < 0 || ih >= H) {
              c.fill(0, o, o + OW);
              o += OW;
              continue;
            }
            const row = (b * H + ih) * W;
            for (let ow = 0; ow < OW; ow++, o++) {
              const iw = ow * sw + kw - left;
              c[o] = iw >= 0 && iw < W ? xs[(row + iw) * CI + ci] : 0;
            }
          }
        }
      }
    }
  }
  const matMul = getKernel("BatchMatMul", "wasm");
  if (!matMul) throw new Error("Conv2DBackpropFilter (wasm): BatchMatMul kernel not registered");
  const dy2: TensorInfo = {dataId: dy.dataId, shape: [1, N, CO], dtype: "float32"};
  const out = matMul.kernelFunc({inputs: {a: cols, b: dy2}, backend: args.backend as never, attrs: {transposeA: false, transposeB: false}}) as TensorInfo;
  backend.disposeData(cols.dataId, true);
  // [1, K, CO] is the filter [KH, KW, CI, CO] in row-major order: same buffer, new shape.
  return {dataId: out.dataId, shape: [...filterShape], dtype: "float32"};
}

let registered = false;

/** Registers the missing training kernels for the wasm backend (idempotent). */
export function registerWasmTrainingKernels(): void {
  if (registered || getKernel("Conv2DBackpropFilter", "wasm")) {
    registered = true;
    return;
  }
  registerKernel({kernelName: "Conv2DBackpropFilter", backendName: "wasm", kernelFunc: conv2DBackpropFilterWasm as never} as KernelConfig);
  registered = true;
}
