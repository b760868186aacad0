import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { memorySource } from "@hyped/core";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { byteChunks, parseMatrixMarketChunks, readMatrixMarket, readMatrixMarketColumns } from "../index.js";

const tmp = mkdtempSync(join(tmpdir(), "hyped-mtx-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const enc = new TextEncoder();
/** Split bytes at the given cut points (sorted, deduplicated). */
function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let s = 0;
  for (const c of at) {
    out.push(bytes.subarray(s, c));
    s = c;
  }
  out.push(bytes.subarray(s));
  return out;
}

/** Dense column-major reference: value sums per (row, col), in float64. */
function denseOf(rows: number, cols: number, entries: Array<[number, number, number]>, symmetric = false) {
  const d = new Float64Array(rows * cols);
  for (const [i, j, v] of entries) {
    d[j * rows + i] = (d[j * rows + i] as number) + v;
    if (symmetric && i !== j) d[i * rows + j] = (d[i * rows + j] as number) + v;
  }
  return d;
}
function denseFromColumns(m: { rows: number; cols: number; indptr: Int32Array; indices: Int32Array; data: ArrayLike<number> }) {
  const d = new Float64Array(m.rows * m.cols);
  for (let c = 0; c < m.cols; c++)
    for (let k = m.indptr[c] as number; k < (m.indptr[c + 1] as number); k++) {
      const at = c * m.rows + (m.indices[k] as number);
      d[at] = (d[at] as number) + (m.data[k] as number);
    }
  return d;
}

const entryArb = (rows: number, cols: number) =>
  fc.tuple(
    fc.nat(rows - 1),
    fc.nat(cols - 1),
    fc.integer({ min: -50, max: 50 }).filter((v) => v !== 0),
  );
const matrixArb = fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 })).chain(([rows, cols]) =>
  fc.record({
    rows: fc.constant(rows),
    cols: fc.constant(cols),
    entries: fc.array(entryArb(rows, cols), { maxLength: 40 }),
    byColumn: fc.boolean(),
    crlf: fc.boolean(),
    pad: fc.constantFrom(" ", "\t", "  "),
    comment: fc.boolean(),
    finalNewline: fc.boolean(),
    cuts: fc.array(fc.nat(2000), { maxLength: 12 }),
  }),
);

describe("parseMatrixMarketChunks (property tests)", () => {
  it("any order, duplicates, whitespace, CRLF, comments and chunk splits give scipy's summed matrix", async () => {
    await fc.assert(
      fc.asyncProperty(matrixArb, async (t) => {
        const entries = t.byColumn ? [...t.entries].sort((a, b) => a[1] - b[1] || a[0] - b[0]) : t.entries;
        const nl = t.crlf ? "\r\n" : "\n";
        let text = `%%MatrixMarket matrix coordinate integer general${nl}%c${nl}${t.rows} ${t.cols} ${entries.length}${nl}`;
        entries.forEach(([i, j, v], k) => {
          if (t.comment && k === 1) text += `% between entries${nl}`;
          text += `${t.pad}${i + 1}${t.pad}${j + 1}${t.pad}${v}${k === entries.length - 1 && !t.finalNewline ? "" : nl}`;
        });
        const chunks = split(enc.encode(text), t.cuts);
        const m = await parseMatrixMarketChunks(chunks, "prop.mtx", { values: "float32", sumDuplicates: true });
        expect(m.entries).toBe(entries.length);
        expect(Array.from(denseFromColumns(m))).toEqual(Array.from(denseOf(t.rows, t.cols, entries)));
        // canonical: rows strictly increasing in each column, indptr consistent
        expect(m.indptr[m.cols]).toBe(m.indices.length);
        for (let c = 0; c < m.cols; c++)
          for (let k = (m.indptr[c] as number) + 1; k < (m.indptr[c + 1] as number); k++)
            expect(m.indices[k] as number).toBeGreaterThan(m.indices[k - 1] as number);
        // without summing: every entry kept, grouped by column in file order
        const raw = await parseMatrixMarketChunks(chunks, "prop.mtx");
        expect(raw.indices.length).toBe(entries.length);
        for (let c = 0; c < raw.cols; c++) {
          const want = entries.filter((e) => e[1] === c);
          const got = Array.from(raw.indices.subarray(raw.indptr[c], raw.indptr[c + 1]));
          expect(got).toEqual(want.map((e) => e[0]));
          expect(Array.from(raw.data.subarray(raw.indptr[c], raw.indptr[c + 1]))).toEqual(want.map((e) => e[2]));
        }
      }),
      { numRuns: 200 },
    );
  });

  it("real values are read exactly as Number() (correctly rounded) in every notation", async () => {
    const tokens = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => String(x)),
      fc.tuple(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: 0, max: 20 })).map(([x, k]) => x.toExponential(k)),
      fc.tuple(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.integer({ min: 0, max: 20 })).map(([x, k]) => x.toFixed(k)),
      fc.tuple(fc.integer({ min: -99999, max: 99999 }), fc.integer({ min: -30, max: 30 })).map(([m, e]) => `${m}e${e}`),
      fc.stringMatching(/^[+-]?[0-9]{1,25}(\.[0-9]{0,25})?([eE][+-]?[0-9]{1,3})?$/),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(tokens, { minLength: 1, maxLength: 20 }), async (toks) => {
        const text = `%%MatrixMarket matrix coordinate real general\n1 ${toks.length} ${toks.length}\n${toks.map((t, k) => `1 ${k + 1} ${t}`).join("\n")}\n`;
        const m = await parseMatrixMarketChunks([enc.encode(text)], "real.mtx");
        toks.forEach((t, k) => {
          expect(Object.is(m.data[k], Number(t))).toBe(true);
        });
      }),
      { numRuns: 300 },
    );
  });
});

describe("readMatrixMarketColumns", () => {
  const write = (name: string, text: string, gz = false) => {
    const f = join(tmp, name);
    writeFileSync(f, gz ? gzipSync(Buffer.from(text)) : text);
    return f;
  };
  it("reads symmetric files by mirroring, in float64 or float32", async () => {
    const f = write("sym.mtx", "%%MatrixMarket matrix coordinate real symmetric\n3 3 4\n1 1 1.5\n2 1 2\n3 2 -3.25\n3 3 4\n");
    for (const values of ["float64", "float32"] as const) {
      const m = await readMatrixMarketColumns(f, { values, sumDuplicates: true });
      expect(m.symmetry).toBe("symmetric");
      expect(Array.from(denseFromColumns(m))).toEqual([1.5, 2, 0, 2, 0, -3.25, 0, -3.25, 4]);
      expect(m.data).toBeInstanceOf(values === "float32" ? Float32Array : Float64Array);
    }
  });
  it("regroups a file that goes back to an earlier column (the in-place counting sort)", async () => {
    const f = write(
      "back.mtx.gz",
      "%%MatrixMarket matrix coordinate integer general\n4 3 6\n1 1 1\n3 1 2\n2 2 3\n4 1 4\n1 3 5\n2 2 6\n",
      true,
    );
    const m = await readMatrixMarketColumns(f, { values: "float32", sumDuplicates: true });
    expect(Array.from(m.indptr)).toEqual([0, 3, 4, 5]);
    expect(Array.from(m.indices)).toEqual([0, 2, 3, 1, 0]);
    expect(Array.from(m.data)).toEqual([1, 2, 4, 9, 5]);
    const coo = await readMatrixMarket(f);
    expect(Array.from(coo.col)).toEqual([0, 0, 0, 1, 1, 2]);
    expect(Array.from(coo.value)).toEqual([1, 2, 4, 3, 6, 5]);
  });
  it("pattern files give ones; inf/nan are read as Python's float() does", async () => {
    const p = await readMatrixMarketColumns(write("pat.mtx", "%%MatrixMarket matrix coordinate pattern general\n2 2 2\n2 1\n1 2\n"));
    expect(Array.from(p.data)).toEqual([1, 1]);
    const r = await readMatrixMarketColumns(
      write("inf.mtx", "%%MatrixMarket matrix coordinate real general\n1 3 3\n1 1 -inf\n1 2 NaN\n1 3 Infinity\n"),
    );
    expect(Array.from(r.data)).toEqual([Number.NEGATIVE_INFINITY, Number.NaN, Number.POSITIVE_INFINITY]);
  });
  it("reads a large column-ordered gzip file in several chunks, as readMex does", async () => {
    // 3,000 cells x 200 genes, ~25% dense: > 1 MiB of text, so lines span zlib's output chunks
    const rows = 200;
    const cols = 3000;
    let s = 7;
    const lines: string[] = [];
    const dense = new Float64Array(rows * cols);
    for (let c = 0; c < cols; c++)
      for (let r = 0; r < rows; r++) {
        s = (s * 1103515245 + 12345) >>> 0;
        if (s % 4 === 0) {
          const v = 1 + (s >>> 27);
          lines.push(`${r + 1} ${c + 1} ${v}`);
          dense[c * rows + r] = v;
        }
      }
    const f = write(
      "big.mtx.gz",
      `%%MatrixMarket matrix coordinate integer general\n${rows} ${cols} ${lines.length}\n${lines.join("\n")}\n`,
      true,
    );
    const events: number[] = [];
    const m = await readMatrixMarketColumns(f, { values: "float32", sumDuplicates: true, onProgress: (e) => events.push(e.done) });
    expect(m.indices.length).toBe(lines.length);
    const got = denseFromColumns(m);
    expect(got.findIndex((v, k) => v !== dense[k])).toBe(-1);
    expect(events[events.length - 1]).toBe(lines.length);
  });
});

describe("malformed MatrixMarket gives FORMAT with the file and line", () => {
  const bad = async (text: string, line: number | undefined, msg: RegExp, gz = false) => {
    const f = join(tmp, `bad${gz ? ".mtx.gz" : ".mtx"}`);
    writeFileSync(f, gz ? gzipSync(Buffer.from(text)) : text);
    const err = await readMatrixMarketColumns(f).then(
      () => undefined,
      (e) => e,
    );
    expect(err).toMatchObject({ code: "FORMAT", context: expect.objectContaining({ file: f }) });
    if (line !== undefined) expect(err.context.line).toBe(line);
    expect(err.message).toMatch(msg);
    expect(err.message).toContain(f);
  };
  const H = "%%MatrixMarket matrix coordinate integer general\n";
  it("each kind of bad line", async () => {
    await bad(`${H}2 2 2\n1 1 1\n3 1 1\n`, 4, /outside the declared 2x2/);
    await bad(`${H}2 2 2\n1 1 1\n1 0 1\n`, 4, /outside/);
    await bad(`${H}2 2 1\n1 1 1\n2 2 1\n`, 4, /more entries than the 1/);
    await bad(`${H}2 2 3\n1 1 1\n2 2 1\n`, undefined, /declares 3 entries but the file has 2/);
    await bad(`${H}2 2 1\n1 1 1.5\n`, 3, /bad integer value '1.5'/);
    await bad(`${H}2 2 1\n1 1 abc\n`, 3, /bad value 'abc'/);
    await bad(`${H}2 2 1\n1 1\n`, 3, /expected a value/);
    await bad(`${H}2 2 1\n1 1 1 7\n`, 3, /unexpected text/);
    await bad(`${H}2 2 1\n-1 1 1\n`, 3, /row index/);
    await bad(`${H}2 x 1\n`, 2, /bad size line/);
    await bad(`${H}2000 2000 1000000\n1 1 1\n`, 2, /more than the file can hold/);
    await bad(`${H}% only a comment\n`, undefined, /missing the size line/);
    await bad("", undefined, /empty file/);
    await bad("hello\n", 1, /missing the '%%MatrixMarket/);
    await bad(`${H}2 2 2\n1 1 1\n2 2 1\n% c\n1 3 1\n`.replace("2 2 2", "2 2 3"), 6, /outside/, true);
  });
  it("unsupported variants are UNSUPPORTED", async () => {
    const f = join(tmp, "arr.mtx");
    writeFileSync(f, "%%MatrixMarket matrix array real general\n2 2\n1\n2\n3\n4\n");
    await expect(readMatrixMarketColumns(f)).rejects.toMatchObject({ code: "UNSUPPORTED" });
    writeFileSync(f, "%%MatrixMarket matrix coordinate complex general\n1 1 1\n1 1 1 0\n");
    await expect(readMatrixMarketColumns(f)).rejects.toMatchObject({ code: "UNSUPPORTED" });
  });
  it("cancellation rejects with ABORTED", async () => {
    const ctl = new AbortController();
    ctl.abort();
    const f = join(tmp, "ok.mtx");
    writeFileSync(f, `${H}1 1 1\n1 1 1\n`);
    await expect(readMatrixMarketColumns(f, { signal: ctl.signal })).rejects.toMatchObject({ code: "ABORTED" });
  });
});

describe("byteChunks", () => {
  const text = Buffer.from(Array.from({ length: 200_000 }, (_, i) => `${i} ${i * 7}\n`).join(""));
  const gz = gzipSync(text);
  const collect = async (bytes: Uint8Array, nodeZlib: boolean) => {
    const parts: Uint8Array[] = [];
    for await (const c of byteChunks(memorySource(bytes, "t.gz"), undefined, { nodeZlib })) parts.push(c.slice());
    return Buffer.concat(parts);
  };
  for (const nodeZlib of [true, false]) {
    it(`inflates gzip, and names a truncated stream (${nodeZlib ? "node:zlib" : "DecompressionStream"})`, async () => {
      expect((await collect(gz, nodeZlib)).equals(text)).toBe(true);
      await expect(collect(gz.subarray(0, gz.length >> 1), nodeZlib)).rejects.toMatchObject({
        code: "FORMAT",
        message: expect.stringContaining("t.gz: gzip data is truncated or corrupt"),
      });
    });
  }
  it("a read cancelled midway rejects with ABORTED", async () => {
    const rows = 1000;
    const lines = Array.from({ length: 300_000 }, (_, k) => `${(k % rows) + 1} ${Math.floor(k / rows) + 1} ${(k * 7919) % 1000}`);
    const mtx = gzipSync(
      Buffer.from(`%%MatrixMarket matrix coordinate integer general\n${rows} 300 ${lines.length}\n${lines.join("\n")}\n`),
    );
    const ctl = new AbortController();
    const seen: number[] = [];
    const read = readMatrixMarketColumns(memorySource(mtx, "c.mtx.gz"), {
      signal: ctl.signal,
      onProgress: (e) => {
        seen.push(e.done);
        ctl.abort();
      },
    });
    await expect(read).rejects.toMatchObject({ code: "ABORTED" });
    expect(seen.length).toBe(1);
    expect(seen[0]).toBeLessThan(lines.length);
  });
});
