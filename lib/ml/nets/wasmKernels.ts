// Training kernels for the TensorFlow.js wasm backend. tfjs 4.22's wasm backend has no
// Conv2DBackpropFilter (the weight gradient of every convolution), so it cannot train
// convolutional models at all. No npm package provides it; we add it
// here as im2col + the backend's own BatchMatMul (XNNPACK, SIMD), so the heavy part runs in
// wasm: dW[k, co] = Σ_n colsᵀ[k, n] · dy[n, co] with k = (kh·KW + kw)·CI + ci and n running
// over (batch, output row, output column).
import {backend_util, getKernel, registerKernel, unregisterKernel, type KernelConfig, type TensorInfo} from "@tensorflow/tfjs-core";

/** The parts of tfjs-backend-wasm's BackendWasm this kernel uses. */
interface WasmBackendLike {
  makeOutput(shape: number[], dtype: "float32"): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array;
  disposeData(dataId: object, force?: boolean): boolean;
}

type KernelFunc = (args: {inputs: {[k: string]: TensorInfo}; backend: unknown; attrs: Record<string, unknown>}) => TensorInfo;

/** tfjs-wasm's own BatchMatMul, captured before we wrap it. */
let wasmBatchMatMul: KernelFunc | null = null;

function plainMatMul(backend: unknown, a: TensorInfo, b: TensorInfo): TensorInfo {
  return wasmBatchMatMul!({inputs: {a, b}, backend, attrs: {transposeA: false, transposeB: false}});
}

/** A [batch…, rows, cols] tensor's last two axes swapped, as a new wasm tensor. */
function transposed(backend: WasmBackendLike, t: TensorInfo, rows: number, cols: number): TensorInfo {
  const batch = t.shape.slice(0, -2).reduce((p, q) => p * q, 1);
  const out = backend.makeOutput([...t.shape.slice(0, -2), cols, rows], "float32");
  const src = backend.typedArrayFromHeap(t);
  const dst = backend.typedArrayFromHeap(out);
  for (let b = 0, o = 0; b < batch; b++, o += rows * cols) {
    for (let r = 0; r < rows; r++) {
      const row = o + r * cols;
      for (let c = 0; c < cols; c++) dst[o + c * rows + r] = src[row + c];
    }
  }
  return out;
}

/**
 * BatchMatMul with transposed operands: tfjs-wasm runs these 10–20× slower than the plain
 * product (measured: [64,320]ᵀ·[64,200] 0.5 GMAC/s against 11–14 for the plain one), and every
 * dense layer's gradient needs them. The operand is transposed in JS (O(size), cheap next to
 * the product) and the plain kernel does the work.
 */
function batchMatMulWasm(args: {inputs: {a: TensorInfo; b: TensorInfo}; backend: unknown; attrs: Record<string, unknown>}): TensorInfo {
  const {transposeA, transposeB} = args.attrs as {transposeA: boolean; transposeB: boolean};
  if (!transposeA && !transposeB) return wasmBatchMatMul!(args);
  const backend = args.backend as WasmBackendLike;
  let {a, b} = args.inputs;
  const temps: TensorInfo[] = [];
  if (transposeA) temps.push((a = transposed(backend, a, a.shape.at(-2)!, a.shape.at(-1)!)));
  if (transposeB) temps.push((b = transposed(backend, b, b.shape.at(-2)!, b.shape.at(-1)!)));
  const out = wasmBatchMatMul!({inputs: {a, b}, backend: args.backend, attrs: {...args.attrs, transposeA: false, transposeB: false}});
  for (const t of temps) backend.disposeData(t.dataId, true);
  return out;
}

type Shape4 = [number, number, number, number];

/** The convolution geometry of a gradient kernel's attributes (NHWC only, as tfjs-layers uses). */
function conv2DInfo(kernel: string, attrs: Record<string, unknown>, xShape: Shape4, filterShape: Shape4): backend_util.Conv2DInfo {
  const {strides, pad, dataFormat, dimRoundingMode} = attrs as {
    strides: [number, number] | number; pad: "valid" | "same" | number; dataFormat: "NHWC" | "NCHW"; dimRoundingMode?: "floor" | "round" | "ceil";
  };
  if (dataFormat === "NCHW") throw new Error(`${kernel} (wasm): only NHWC is implemented`);
  return backend_util.computeConv2DInfo(xShape, filterShape, strides, 1, pad, dimRoundingMode, false, "channelsLast");
}

function conv2DBackpropFilterWasm(args: {inputs: {x: TensorInfo; dy: TensorInfo}; backend: unknown; attrs: Record<string, unknown>}): TensorInfo {
  const {inputs: {x, dy}, attrs} = args;
  const backend = args.backend as WasmBackendLike;
  const filterShape = attrs.filterShape as Shape4;
  const info = conv2DInfo("Conv2DBackpropFilter", attrs, x.shape as Shape4, filterShape);
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
  const dy2: TensorInfo = {dataId: dy.dataId, shape: [1, N, CO], dtype: "float32"};
  const out = plainMatMul(args.backend, cols, dy2);
  backend.disposeData(cols.dataId, true);
  // [1, K, CO] is the filter [KH, KW, CI, CO] in row-major order: same buffer, new shape.
  return {dataId: out.dataId, shape: [...filterShape], dtype: "float32"};
}

/**
 * Input gradient as matmul + col2im: dcols[n, k] = Σ_co dy[n, co]·W[k, co] (the backend's
 * BatchMatMul), then each column entry added back to the input sample it came from. Replaces tfjs-wasm's own Conv2DBackpropInput, a direct loop nest that was the slowest
 * kernel of a CNN training step (~4× slower than this in our profile).
 */
function conv2DBackpropInputWasm(args: {inputs: {dy: TensorInfo; filter: TensorInfo}; backend: unknown; attrs: Record<string, unknown>}): TensorInfo {
  const {inputs: {dy, filter}, attrs} = args;
  const backend = args.backend as WasmBackendLike;
  const info = conv2DInfo("Conv2DBackpropInput", attrs, attrs.inputShape as Shape4, filter.shape as Shape4);
  const {batchSize: B, inHeight: H, inWidth: W, inChannels: CI, outHeight: OH, outWidth: OW, outChannels: CO,
    filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw} = info;
  const top = info.padInfo.top, left = info.padInfo.left;
  const N = B * OH * OW;
  const K = KH * KW * CI;
  // dcolsᵀ[k, n] = W[k, :]·dy[n, :]: the [K, CO]·[CO, N] product is several times faster in
  // XNNPACK than [N, CO]·[CO, K] for these long-and-thin shapes.
  const dyT = transposed(backend, {dataId: dy.dataId, shape: [1, N, CO], dtype: "float32"}, N, CO);
  const dcols = plainMatMul(args.backend, {dataId: filter.dataId, shape: [1, K, CO], dtype: "float32"}, dyT);
  backend.disposeData(dyT.dataId, true);
  const out = backend.makeOutput([B, H, W, CI], "float32");
  const dx = backend.typedArrayFromHeap(out);
  dx.fill(0);
  const d = backend.typedArrayFromHeap(dcols);
  for (let b = 0; b < B; b++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        const n = (b * OH + oh) * OW + ow;
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * sh + kh - top;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < KW; kw++) {
            const iw = ow * sw + kw - left;
            if (iw < 0 || iw >= W) continue;
            const src = (kh * KW + kw) * CI * N + n;
            const dst = ((b * H + ih) * W + iw) * CI;
            for (let ci = 0; ci < CI; ci++) dx[dst + ci] += d[src + ci * N];
          }
        }
      }
    }
  }
  backend.disposeData(dcols.dataId, true);
  return out;
}

/**
 * Max-pooling gradient: each output's gradient goes to the first maximum of its window (as
 * tfjs-cpu does). tfjs-wasm's version took longer than the three convolutions of the CNN
 * together (2–3 ms a layer for batch 64); one pass in JS over the windows takes a fraction.
 */
function maxPoolGradWasm(args: {inputs: {dy: TensorInfo; input: TensorInfo}; backend: unknown; attrs: Record<string, unknown>}): TensorInfo {
  const {inputs: {dy, input}, attrs} = args;
  const backend = args.backend as WasmBackendLike;
  const {filterSize, strides, pad, dimRoundingMode} = attrs as {
    filterSize: [number, number] | number; strides: [number, number] | number; pad: "valid" | "same" | number; dimRoundingMode?: "floor" | "round" | "ceil";
  };
  const info = backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const {batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, strideHeight: sh, strideWidth: sw,
    effectiveFilterHeight: FH, effectiveFilterWidth: FW} = info;
  const top = info.padInfo.top, left = info.padInfo.left;
  const out = backend.makeOutput([B, H, W, C], "float32");
  const dx = backend.typedArrayFromHeap(out);
  dx.fill(0);
  const x = backend.typedArrayFromHeap(input);
  const g = backend.typedArrayFromHeap(dy);
  for (let b = 0; b < B; b++) {
    for (let oh = 0; oh < OH; oh++) {
      const h0 = Math.max(0, oh * sh - top), h1 = Math.min(H, oh * sh - top + FH);
      for (let ow = 0; ow < OW; ow++) {
        const w0 = Math.max(0, ow * sw - left), w1 = Math.min(W, ow * sw - left + FW);
        const go = ((b * OH + oh) * OW + ow) * C;
        for (let c = 0; c < C; c++) {
          let best = -Infinity, at = -1;
          for (let h = h0; h < h1; h++) {
            for (let w = w0, i = ((b * H + h) * W + w0) * C + c; w < w1; w++, i += C) {
              if (x[i] > best) { best = x[i]; at = i; }
            }
          }
          if (at >= 0) dx[at] += g[go + c];
        }
      }
    }
  }
  return out;
}

let registered = false;

/**
 * Registers the missing Conv2DBackpropFilter, our faster Conv2DBackpropInput and the
 * transpose-aware BatchMatMul for the wasm backend (idempotent; run it before the backend's
 * first use so that the wrapped kernel's setup runs at backend initialisation).
 */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  const matMul = getKernel("BatchMatMul", "wasm");
  if (!matMul) throw new Error("tfjs-backend-wasm is not loaded: its BatchMatMul kernel is missing");
  wasmBatchMatMul = matMul.kernelFunc as unknown as KernelFunc;
  unregisterKernel("BatchMatMul", "wasm");
  registerKernel({kernelName: "BatchMatMul", backendName: "wasm", setupFunc: matMul.setupFunc, kernelFunc: batchMatMulWasm as never} as KernelConfig);
  if (!getKernel("Conv2DBackpropFilter", "wasm")) {
    registerKernel({kernelName: "Conv2DBackpropFilter", backendName: "wasm", kernelFunc: conv2DBackpropFilterWasm as never} as KernelConfig);
  }
  if (getKernel("Conv2DBackpropInput", "wasm")) unregisterKernel("Conv2DBackpropInput", "wasm");
  if (getKernel("MaxPoolGrad", "wasm")) unregisterKernel("MaxPoolGrad", "wasm");
  registerKernel({kernelName: "MaxPoolGrad", backendName: "wasm", kernelFunc: maxPoolGradWasm as never} as KernelConfig);
  registerKernel({kernelName: "Conv2DBackpropInput", backendName: "wasm", kernelFunc: conv2DBackpropInputWasm as never} as KernelConfig);
  registered = true;
}
