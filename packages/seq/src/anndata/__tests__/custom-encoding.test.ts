/**
 * A user's own encoding, registered with one `define` call, is written by `writeH5ad` and read by `readH5ad`
 * (the README's "Your own encodings" example, as a test).
 */
import { fromTyped, isHypedError } from "@hyped/core";
import { H5File } from "@hyped/core/hdf5";
import { describe, expect, it, vi } from "vitest";
import {
  AnnData,
  createDefaultRegistry,
  defaultRegistry,
  type Encoding,
  type EncodingSpec,
  readH5ad,
  setEncoding,
  writeH5adBytes,
} from "../index.js";

/** A closed or half-open interval: our example of a value type anndata does not know. */
interface Interval {
  kind: "interval";
  lo: number;
  hi: number;
  closed: "both" | "left";
}

const INTERVAL: EncodingSpec = { type: "hyped-test-interval", version: "0.1.0" };

const intervalEncoding: Encoding<Interval> = {
  ...INTERVAL,
  read: (ctx, path) => {
    const [lo, hi] = ctx.f.read(path).data as Float64Array;
    return { kind: "interval", lo, hi, closed: ctx.f.attr(path, "closed") } as Interval;
  },
  accepts: (v) => (v as { kind?: unknown })?.kind === "interval",
  write: (ctx, path, v) => {
    ctx.f.writeDataset(path, new Float64Array([v.lo, v.hi]), { shape: [2] });
    ctx.f.setAttr(path, "closed", v.closed);
    setEncoding(ctx, path, INTERVAL);
  },
};

function sample(): AnnData {
  const X = fromTyped(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
  const a = new AnnData({ X, uns: { window: { kind: "interval", lo: 0.5, hi: 2, closed: "left" }, note: "kept" } });
  a.other.obsm.set("span", { kind: "interval", lo: -1, hi: 1, closed: "both" });
  return a;
}

describe("registering an encoding with one call", () => {
  it("round-trips through writeH5ad and readH5ad, with its own encoding attributes in the file", async () => {
    const registry = createDefaultRegistry().define(intervalEncoding);
    const bytes = await writeH5adBytes(sample(), { registry });
    const f = await H5File.open(bytes);
    try {
      expect(f.attr("/uns/window", "encoding-type")).toBe("hyped-test-interval");
      expect(f.attr("/uns/window", "encoding-version")).toBe("0.1.0");
      expect(f.attr("/uns", "encoding-type")).toBe("dict");
    } finally {
      f.close();
    }
    const back = await readH5ad(bytes, { registry });
    expect(back.uns).toEqual({ window: { kind: "interval", lo: 0.5, hi: 2, closed: "left" }, note: "kept" });
    expect(back.other.obsm.get("span")).toEqual({ kind: "interval", lo: -1, hi: 1, closed: "both" });
    expect(Array.from(back.X?.data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("a file with the encoding is UNSUPPORTED, naming it, for a registry that lacks it", async () => {
    const bytes = await writeH5adBytes(sample(), { registry: createDefaultRegistry().define(intervalEncoding) });
    const err = await readH5ad(bytes).catch((e: unknown) => e);
    expect(isHypedError(err, "UNSUPPORTED")).toBe(true);
    expect((err as Error).message).toContain("hyped-test-interval");
    const skipped = await readH5ad(bytes, { onUnknown: "skip" });
    expect(skipped.uns).toEqual({ note: "kept" });
  });

  it("leaves other registries alone and refuses a writer without accepts()", () => {
    const registry = createDefaultRegistry().define(intervalEncoding);
    expect(registry.has("hyped-test-interval", "0.1.0")).toBe(true);
    expect(defaultRegistry.has("hyped-test-interval", "0.1.0")).toBe(false);
    expect(registry.writerFor(sample().uns.window)?.type).toBe("hyped-test-interval");
    expect(defaultRegistry.writerFor(sample().uns.window)?.type).toBe("dict");
    expect(() => createDefaultRegistry().define({ ...INTERVAL, write: () => {} })).toThrow(/no accepts/);
  });

  it("built-in writers are found by value: one per encoding family", () => {
    const r = createDefaultRegistry();
    const typeOf = (v: unknown) => r.writerFor(v)?.type;
    expect(typeOf(null)).toBe("null");
    expect(typeOf("s")).toBe("string");
    expect(typeOf(1.5)).toBe("numeric-scalar");
    expect(typeOf(true)).toBe("numeric-scalar");
    expect(typeOf(["a", "b"])).toBe("string-array");
    expect(typeOf([1, 2])).toBe("array");
    expect(typeOf(new Int32Array(2))).toBe("array");
    expect(typeOf({ kind: "categorical", codes: new Int32Array(1), categories: ["a"], ordered: false })).toBe("categorical");
    expect(typeOf({ kind: "nullable-integer", values: new Int32Array(1), mask: new Uint8Array(1) })).toBe("nullable-integer");
    expect(typeOf({ kind: "awkward-array", form: "{}", length: 0, buffers: {} })).toBe("awkward-array");
    expect(typeOf({ a: 1 })).toBe("dict");
    expect(typeOf(new Map())).toBeUndefined();
  });
});

describe("the README example", () => {
  it("runs as written and prints the interval it wrote", async () => {
    const { readFileSync, mkdtempSync, writeFileSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const path = await import("node:path");
    const { fileURLToPath } = await import("node:url");
    const readme = readFileSync(fileURLToPath(new URL("../../../README.md", import.meta.url)), "utf8");
    const code = /## AnnData encodings: your own[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(code).toBeTruthy();
    const src = fileURLToPath(new URL("../index.ts", import.meta.url));
    const tmp = mkdtempSync(path.join(tmpdir(), "hyped-readme-"));
    const file = path.join(tmp, "example.ts");
    writeFileSync(file, (code as string).replaceAll('"@hyped/seq/anndata"', JSON.stringify(src)));
    const logs: unknown[][] = [];
    const spy = vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => {
      logs.push(a);
    });
    try {
      await import(/* @vite-ignore */ file);
    } finally {
      spy.mockRestore();
      rmSync(tmp, { recursive: true, force: true });
    }
    expect(logs).toEqual([[{ kind: "interval", lo: 0.5, hi: 2 }]]);
  });
});
