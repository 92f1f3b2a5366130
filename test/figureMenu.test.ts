// The CSV a figure's download menu writes (src/components/figureMenu.ts): every column that
// occurs, in order of appearance, quoted where needed, dates as ISO 8601. The menu itself is
// tested in Chromium (test/pages.test.ts, test/anomaly-page.test.ts).
import {describe, expect, it} from "vitest";
import {figureCsv} from "../src/components/figureMenu.js";

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
