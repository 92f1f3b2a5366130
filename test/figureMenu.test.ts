// The CSV a figure's download menu writes (src/components/figureMenu.ts): every column that
// occurs, in order of appearance, quoted where needed, dates as ISO 8601. The menu itself is
// tested in Chromium (test/pages.test.ts, test/anomaly-page.test.ts).
import {describe, expect, it} from "vitest";
import * as arrow from "apache-arrow";
import * as parquet from "parquet-wasm";
import {figureCsv} from "../src/components/figureMenu.js";
import {rowsToParquet} from "../lib/io/rowsParquet.js";

describe("figure data as CSV", () => {
  it("writes the declared rows with the union of their columns", () => {
    const csv = figureCsv([
      {R: 0, Z: -0.25, mass: "10 GeV (3 WIMPs)"},
      {R: 1, Z: 1.5e-7, note: 'a "quoted", value'},
      {R: 3, Z: NaN, when: new Date(Date.UTC(2026, 11, 5, 8, 0, 0))}
    ]);
    expect(csv.split("\n")).toEqual([
      "R,Z,mass,note,when",
      "0,-0.25,10 GeV (3 WIMPs),,",
      '1,1.5e-7,,"a ""quoted"", value",',
      "3,NaN,,,2026-12-05T08:00:00.000Z"
    ]);
  });
});

describe("figure data as Parquet (lib/io/rowsParquet.ts)", () => {
  it("writes typed columns that read back to the declared rows", () => {
    const when = new Date(Date.UTC(2026, 11, 5, 8, 0, 0));
    const rows = [
      {R: 0, Z: -0.25, mass: "10 GeV", passed: true},
      {R: 1, Z: 1.5e-7, note: "mixed", passed: false, when},
      {R: 3, Z: NaN, mass: 7}
    ];
    const bytes = rowsToParquet({arrow, parquet}, rows, {"pulsebook.figure": "anomaly-search-figure-3"});
    const table = arrow.tableFromIPC(parquet.readParquet(bytes).intoIPCStream());
    expect(table.schema.fields.map((f) => [f.name, String(f.type)])).toEqual([
      ["R", "Float64"], ["Z", "Float64"], ["mass", "Utf8"], ["passed", "Bool"], ["note", "Utf8"], ["when", "Timestamp<MILLISECOND, UTC>"]
    ]);
    expect(table.numRows).toBe(3);
    expect(Array.from(table.getChild("Z")!.toArray() as Float64Array)).toEqual([-0.25, 1.5e-7, NaN]);
    // A column of mixed kinds is text; a missing value is null.
    expect(table.getChild("mass")!.toArray()).toEqual(["10 GeV", null, "7"]);
    expect([0, 1, 2].map((i) => table.getChild("passed")!.get(i))).toEqual([true, false, null]);
    expect(Number(table.getChild("when")!.get(1))).toBe(when.getTime());
    expect(table.schema.metadata.get("pulsebook.figure")).toBe("anomaly-search-figure-3");
  });

  it("refuses rows without columns, naming the problem", () => {
    expect(() => rowsToParquet({arrow, parquet}, [{}, {}])).toThrow(/at least one column/);
  });
});
