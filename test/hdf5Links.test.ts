// HDF5 files that are valid but unusual: a user block before the superblock (512 B and 8 KiB:
// read like the plain file), and external links to other files (refused, naming the link and
// how to make a self-contained copy; h5wasm would follow them silently).

import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import h5wasm from "h5wasm/node";
import {writeSimulation} from "../data-loaders/simulate.js";
import {openCaitFile} from "../data-loaders/io/node.js";
import {lookup3, withUserBlock} from "./support/hdf5UserBlock.js";
import {runMain} from "./support/cli.js";

let dir: string;
let plain: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pulsebook-h5links-"));
  plain = join(dir, "plain.h5");
  await writeSimulation(plain, {events: 6, seed: 3, testpulses: 2, noise: 2});
});
afterAll(() => rmSync(dir, {recursive: true, force: true}));

describe("user block", () => {
  it("lookup3 reproduces the superblock checksum HDF5 wrote", () => {
    const bytes = readFileSync(plain);
    expect(lookup3(bytes.subarray(0, 44))).toBe(bytes.readUInt32LE(44));
    // Published test vector of lookup3's hashlittle.
    expect(lookup3(new TextEncoder().encode("Four score and seven years ago"))).toBe(0x17770551);
  });

  for (const size of [512, 8192]) {
    it(`a ${size}-byte user block: opened, and its records are those of the plain file`, async () => {
      const path = join(dir, `ub${size}.h5`);
      writeFileSync(path, withUserBlock(readFileSync(plain), size));
      const [a, b] = [await openCaitFile(plain), await openCaitFile(path)];
      try {
        expect(b.dataset.groups).toEqual(a.dataset.groups);
        expect(b.dataset.groups.events).toBe(6);
        expect(Array.from(b.readChunk("events", 0, 6).samples)).toEqual(Array.from(a.readChunk("events", 0, 6).samples));
      } finally {
        a.close();
        b.close();
      }
      const out = join(dir, `ub${size}.parquet`);
      const r = await runMain(["features", path, "--out", out, "--quiet"]);
      expect(r.err).toBe("");
      expect(r.code).toBe(0);
      expect(existsSync(out)).toBe(true);
    });
  }

  it("a user-block file cut short is still refused as truncated, with both sizes", async () => {
    const whole = withUserBlock(readFileSync(plain), 512);
    const path = join(dir, "ub-cut.h5");
    writeFileSync(path, whole.subarray(0, whole.length - 100));
    await expect(openCaitFile(path)).rejects.toThrow(`${path}: truncated HDF5 file: ${whole.length - 100} bytes on disk, the file declares ${whole.length}`);
  });

  it("20 kB with no signature at 0, 512, 1024, … is 'not an HDF5 file'", async () => {
    const path = join(dir, "junk.h5");
    writeFileSync(path, new Uint8Array(20000).fill(7));
    await expect(openCaitFile(path)).rejects.toThrow(`${path}: not an HDF5 file (no HDF5 signature found)`);
  });
});

describe("external links", () => {
  let linked: string;
  beforeAll(async () => {
    await h5wasm.ready;
    linked = join(dir, "linked.h5");
    const file = new h5wasm.File(linked, "w");
    try {
      // The whole events group lives in the plain file; the file itself holds only the link.
      file.create_external_link(plain, "/events", "events");
    } finally {
      file.close();
    }
  });

  it("openCaitFile refuses the link, naming it, its target and how to flatten", async () => {
    await expect(openCaitFile(linked)).rejects.toThrow(`${linked} [/events]: external link /events → ${plain}:/events: links to other files are not followed`);
    await expect(openCaitFile(linked)).rejects.toThrow(/h5copy -f ext -i IN\.h5 -o FLAT\.h5 -s \/events -d \/events/);
  });

  it("features exits 1 with the message and writes nothing; a dangling external link is refused the same way", async () => {
    const out = join(dir, "linked.parquet");
    const r = await runMain(["features", linked, "--out", out, "--quiet"]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/external link \/events → .*plain\.h5:\/events/);
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(existsSync(out)).toBe(false);

    const dangling = join(dir, "dangling-ext.h5");
    const file = new h5wasm.File(dangling, "w");
    file.create_group("noise");
    file.create_external_link(join(dir, "nowhere.h5"), "/events", "events");
    file.close();
    await expect(openCaitFile(dangling)).rejects.toThrow(/external link \/events → .*nowhere\.h5:\/events/);
  });
});
