import { describe, expect, it } from "vitest";
import { bundlePath, pinImportMeta } from "../bench-bundle.js";
import { combinedTable, parseVerdictLines, type RunInfo, ratioSpan, spanOf, type VerdictRecord, verdictRecord } from "../bench-table.js";

const row = {
  name: "label 512²",
  peerName: "skimage",
  ours: [10, 12, 11],
  peer: [20, 20, 40],
  oursCpu: [9, 30, 10],
  peerCpu: [10, 20, 20],
  goal: 1,
};

const info: RunInfo = {
  date: "2026-12-07T14:00:00Z",
  cpuModel: "Test CPU",
  cores: 2,
  loadStart: [1.5, 2, 3],
  loadEnd: [4.25, 3, 3],
  node: "v22.0.0",
  command: "pnpm bench imaging --out t.md",
  library: "dist",
  ran: ["packages/imaging/bench/segment.bench.ts", "packages/imaging/bench/czi.bench.ts", "packages/seq/bench/mex.bench.ts"],
  failed: ["packages/seq/bench/mex.bench.ts"],
};

describe("bench verdict rows", () => {
  it("spans and ratios are ours/peer: ratio of the medians, min–max over rounds paired by index", () => {
    expect(spanOf([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3 });
    expect(spanOf([4, 1, 2, 3])).toEqual({ median: 2.5, min: 1, max: 4 });
    // per-round ratios 10/20, 12/20, 11/40; medians 11/20
    expect(ratioSpan(row.ours, row.peer)).toEqual({ median: 11 / 20, min: 11 / 40, max: 12 / 20 });
    expect(ratioSpan(row.ours, [])).toBeUndefined();
  });

  it("judges by wall time on an idle machine and by CPU time on a loaded one", () => {
    const idle = verdictRecord(row, "packages/imaging/bench/segment.bench.ts", 0.5, false);
    expect(idle.judgedBy).toBe("wall");
    expect(idle.verdict).toBe("meets"); // 0.55x wall
    const slowCpu = { ...row, oursCpu: [30, 30, 30] }; // 1.5x CPU, still 0.55x wall
    expect(verdictRecord(slowCpu, "b", 0.5, false).verdict).toBe("meets");
    const loaded = verdictRecord(slowCpu, "b", 7, true);
    expect(loaded.judgedBy).toBe("cpu");
    expect(loaded.verdict).toBe("misses");
    expect(loaded.ratioCpu?.median).toBeCloseTo(1.5);
    expect(loaded.load).toBe(7);
  });

  it("meets the goal at exactly the goal, and says no peer without peer samples", () => {
    const even = { ...row, peer: row.ours, peerCpu: row.oursCpu };
    expect(verdictRecord(even, "b", 0, false).verdict).toBe("meets");
    // judged as printed: 1.004x shows as 1.00x and meets 1.0; 1.006x shows as 1.01x and misses
    expect(verdictRecord({ ...row, ours: [10.04], peer: [10] }, "b", 0, false).verdict).toBe("meets");
    expect(verdictRecord({ ...row, ours: [10.06], peer: [10] }, "b", 0, false).verdict).toBe("misses");
    const lone = verdictRecord({ ...row, peer: [], peerCpu: [] }, "b", 0, false);
    expect(lone.verdict).toBe("no peer");
    expect(lone.peerWall).toBeUndefined();
    expect(lone.ratioWall).toBeUndefined();
  });

  it("round-trips through JSON lines and names a malformed line", () => {
    const recs = [verdictRecord(row, "a", 1, false), verdictRecord({ ...row, peer: [], peerCpu: [] }, "b", 1, false)];
    const text = `${recs.map((r) => JSON.stringify(r)).join("\n")}\n\n`;
    expect(parseVerdictLines(text)).toEqual(JSON.parse(JSON.stringify(recs)));
    expect(() => parseVerdictLines(`${JSON.stringify(recs[0])}\n{oops`)).toThrow(/line 2/);
  });
});

describe("combinedTable", () => {
  const recs: VerdictRecord[] = [
    verdictRecord(row, "packages/imaging/bench/segment.bench.ts", 3, true),
    verdictRecord({ ...row, name: "a | b", peer: [], peerCpu: [] }, "packages/imaging/bench/segment.bench.ts", 3, true),
  ];
  const md = combinedTable(recs, info);
  const lines = md.split("\n");

  it("heads the table with the command, date, machine, load at start and end, Node and library", () => {
    expect(lines[0]).toBe("### `pnpm bench imaging --out t.md`, 2026-12-07T14:00:00Z");
    expect(md).toContain("Test CPU, 2 cores");
    expect(md).toContain("1.50 / 2.00 / 3.00 at the start, 4.25 / 3.00 / 3.00 at the end");
    expect(md).toContain("Node v22.0.0");
    expect(md).toContain("built `dist/` in plain Node");
  });

  it("has one row per verdict record, every row with the header's column count", () => {
    const table = lines.filter((l) => l.startsWith("|"));
    expect(table).toHaveLength(2 + recs.length);
    const cols = (l: string) => l.replace(/\\\|/g, "").split("|").length;
    for (const l of table) expect(cols(l)).toBe(cols(table[0] as string));
    expect(table[2]).toBe(
      "| imaging/bench/segment.bench.ts | label 512² | skimage | 0.50x (0.50–1.50) | 0.55x (0.28–0.60) | 10.0 (9.0–30.0) | 20.0 (10.0–20.0) | <= 1.00x | meets (cpu, load 3.00) |",
    );
    expect(table[3]).toContain("| a \\| b |");
    expect(table[3]).toContain("| no peer |");
  });

  it("counts verdicts and names benches that failed or wrote no row", () => {
    expect(md).toContain("2 rows: 1 meet their goal, 0 miss it, 1 without a peer.");
    expect(md).toContain("Ran without verdict rows (figures in their own output only): packages/imaging/bench/czi.bench.ts.");
    expect(md).toContain("Failed: packages/seq/bench/mex.bench.ts.");
  });

  it("says so when no bench wrote a row", () => {
    expect(combinedTable([], { ...info, failed: [] })).toContain("(no bench wrote a verdict row)");
  });
});

describe("pinImportMeta", () => {
  it("replaces import.meta.url, dirname and filename by the inlined file's own values", () => {
    const code = "const a = new URL('x', import.meta.url); const b = import.meta.dirname + import.meta.filename; import.meta.resolve('y');";
    const out = pinImportMeta(code, "/r/packages/imaging/bench/mosaic.ts");
    expect(out).toContain("new URL('x', \"file:///r/packages/imaging/bench/mosaic.ts\")");
    expect(out).toContain('"/r/packages/imaging/bench" + "/r/packages/imaging/bench/mosaic.ts"');
    expect(out).toContain("import.meta.resolve('y')");
  });
});

describe("bundlePath", () => {
  it("puts every bundle of a package under its bench/dist, never in a source tree", () => {
    expect(bundlePath("/r/packages/imaging/bench/czi.bench.ts")).toBe("/r/packages/imaging/bench/dist/czi.bench.mjs");
    expect(bundlePath("/r/packages/seq/src/geneformer/model/__tests__/memory-probe.ts")).toBe(
      "/r/packages/seq/bench/dist/helpers/memory-probe.mjs",
    );
    expect(bundlePath("/r/scripts/x.ts")).toBe("/r/scripts/dist/x.mjs");
  });
});
