// Opening cait-layout HDF5 in the browser: the bytes go into h5wasm's in-memory file system.
// The page passes its own h5wasm import (`import h5wasm from "npm:h5wasm"`), which lib code
// cannot name.

import {openH5, type CaitFile, type H5Module} from "./caitFile.js";
import {bytesReader, checkHdf5Header} from "./hdf5Signature.js";
import {checkHdf5Reads, type Hdf5Module} from "./hdf5Errors.js";

export type {CaitFile} from "./caitFile.js";

export interface BrowserH5Module extends H5Module {
  ready: Promise<{FS: {writeFile(path: string, data: Uint8Array): void; unlink(path: string): void}}>;
}

let opened = 0;

export async function openCaitBuffer(h5wasm: BrowserH5Module, buffer: ArrayBuffer, name: string): Promise<CaitFile> {
  const bytes = new Uint8Array(buffer);
  checkHdf5Header(bytesReader(bytes), bytes.length, name);
  const module = await h5wasm.ready;
  checkHdf5Reads(module as unknown as Hdf5Module);
  const {FS} = module;
  const path = `/pulsebook-${++opened}.h5`;
  FS.writeFile(path, bytes);
  // The copy in wasm memory is as large as the file: free it when the file is closed (pages
  // that open the user's files one after another, e.g. the training page, would otherwise grow).
  let file: CaitFile;
  try {
    file = openH5(h5wasm, path, name, bytes.length);
  } catch (e) {
    FS.unlink(path);
    throw e;
  }
  const close = file.close.bind(file);
  file.close = () => {
    close();
    FS.unlink(path);
  };
  return file;
}
