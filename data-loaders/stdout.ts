// Framework data loaders hand their output over on stdout.

import {createReadStream} from "node:fs";
import {pipeline} from "node:stream/promises";

/** Streams a file to stdout (without loading it whole). */
export async function fileToStdout(path: string): Promise<void> {
  await pipeline(createReadStream(path), process.stdout, {end: false});
}
