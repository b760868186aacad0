/**
 * The CLI on JPEG XR CZIs (the committed fixtures of packages/imaging/reference/czi-jxr, each with an
 * uncompressed twin), and `hyped convert`'s Z handling: out-of-range --z creates nothing, a Z-stack converted
 * without --z warns and says so in the manifest, `--z all` writes one frame store per Z.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { readNpy } from "@hyped/core";
import { encodeCzi, openCzi, openFrameStore } from "@hyped/imaging";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./run-cli.js";

const JXR = path.resolve(__dirname, "../../../imaging/reference/czi-jxr");
const tmp = mkdtempSync(path.join(tmpdir(), "hyped-cli-jxr-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const zstack = path.join(tmp, "zstack.czi");

/** Pixel of plane (t, z) at i: distinct per Z so a wrong plane shows. */
const zval = (t: number, z: number, i: number) => 1000 * z + 100 * t + (i % 97);

beforeAll(async () => {
  const tiles = [];
  for (let t = 0; t < 2; t++)
    for (let z = 0; z < 3; z++)
      tiles.push({
        data: Uint16Array.from({ length: 24 * 16 }, (_, i) => zval(t, z, i)),
        width: 24,
        height: 16,
        coords: { T: t, C: 0, Z: z },
      });
  writeFileSync(zstack, await encodeCzi(tiles, { metadata: { channels: [{ name: "H2B" }] } }));
});

describe("hyped on JPEG XR CZIs", () => {
  it("inspect reports JPEG XR subblocks", async () => {
    const r = await runCli(["inspect", path.join(JXR, "mosaic-2x2-gray16-lossless.czi"), "--json"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.compressions).toEqual({ JpegXrFile: 4 });
    expect(j.bbox_layer0).toEqual([0, 0, 72, 54]);
    const t = await runCli(["inspect", path.join(JXR, "bgr24-lossy.czi")]);
    expect(t.code).toBe(0);
    expect(t.out).toContain("JpegXrFile");
  });

  it("czi plane writes the same pixels as from the uncompressed twin", async () => {
    for (const name of ["mosaic-2x2-gray16-lossless", "bgr48-lossy", "multi-c2-t3-gray8-lossy"]) {
      const a = path.join(tmp, `${name}.npy`);
      const b = path.join(tmp, `${name}.ref.npy`);
      const args = name.startsWith("multi") ? ["--c", "1", "--t", "2"] : [];
      expect((await runCli(["czi", "plane", path.join(JXR, `${name}.czi`), ...args, "--out", a])).code).toBe(0);
      expect((await runCli(["czi", "plane", path.join(JXR, `${name}.ref.czi`), ...args, "--out", b])).code).toBe(0);
      const x = readNpy(new Uint8Array(readFileSync(a)));
      const y = readNpy(new Uint8Array(readFileSync(b)));
      expect(x.shape).toEqual(y.shape);
      expect(x.data).toEqual(y.data);
    }
  });

  it("czi plane --zoom downscales a JPEG XR mosaic without a pyramid; --layer names a missing layer", async () => {
    const r = await runCli(["czi", "plane", path.join(JXR, "mosaic-2x2-gray16-lossless.czi"), "--zoom", "0.5", "--json"]);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.shape).toEqual([27, 36]);
    expect(j.zoom).toBe(0.5);
    const q = JSON.parse(
      (await runCli(["czi", "plane", path.join(JXR, "mosaic-2x2-gray16-lossless.ref.czi"), "--zoom", "0.5", "--json"])).out,
    );
    expect(q.sum).toBe(j.sum);
    expect((await runCli(["czi", "plane", path.join(JXR, "mosaic-2x2-gray16-lossless.czi"), "--layer", "1"])).code).toBe(1);
    expect((await runCli(["czi", "plane", path.join(JXR, "mosaic-2x2-gray16-lossless.czi"), "--layer", "1", "--zoom", "0.5"])).code).toBe(
      2,
    );
  });

  it("convert turns a JPEG XR mosaic into the same frames as the uncompressed mosaic", async () => {
    const outs: string[] = [];
    for (const f of [
      "mosaic-2x2-gray16-lossless.czi",
      "mosaic-2x2-gray16-lossless.ref.czi",
      "multi-c2-t3-gray8-lossy.czi",
      "multi-c2-t3-gray8-lossy.ref.czi",
    ]) {
      const out = path.join(tmp, `frames-${f}`);
      const r = await runCli(["convert", path.join(JXR, f), "--out", out, "--workers", "0", "--no-source-checksum", "--json"]);
      expect(r.code, r.err).toBe(0);
      outs.push(out);
    }
    for (const [a, b] of [
      [outs[0], outs[1]],
      [outs[2], outs[3]],
    ] as [string, string][]) {
      const sa = await openFrameStore(a);
      const sb = await openFrameStore(b);
      expect(sa.manifest?.shape).toEqual(sb.manifest?.shape);
      expect(sa.manifest?.frames.length).toBe(sb.manifest?.frames.length);
      const fa = await sa.loadFrames();
      const fb = await sb.loadFrames();
      expect(fa.shape).toEqual(fb.shape);
      expect(fa.data).toEqual(fb.data);
    }
  });
});

describe("hyped convert and Z", () => {
  it("an out-of-range --z (or a bad option) fails before anything is created", async () => {
    const out = path.join(tmp, "never");
    const r = await runCli(["convert", zstack, "--out", out, "--workers", "0", "--z", "3"]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/Z index 3 is outside its Z range 0\.\.2/);
    expect(existsSync(out)).toBe(false);
    expect((await runCli(["convert", zstack, "--out", out, "--z", "x"])).code).toBe(2);
    expect((await runCli(["convert", zstack, "--out", out, "--channels", "nope"])).code).toBe(1);
    expect(existsSync(out)).toBe(false);
  });

  it("a Z-stack converted without --z warns on stderr and records Z in the manifest", async () => {
    const out = path.join(tmp, "z0");
    const r = await runCli(["convert", zstack, "--out", out, "--workers", "0"]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/warning: .*zstack\.czi has 3 Z planes; converting Z=0 only/);
    const store = await openFrameStore(out);
    expect(store.manifest?.created?.z).toEqual({ index: 0, size: 3 });
    const r2 = await runCli(["convert", zstack, "--out", path.join(tmp, "z1"), "--workers", "0", "--z", "1", "--json"]);
    expect(r2.code).toBe(0);
    expect(r2.err).not.toMatch(/warning/);
    expect(JSON.parse(r2.out).z).toEqual({ index: 1, size: 3 });
    const f = await (await openFrameStore(path.join(tmp, "z1"))).loadFrames({ t: [1, 2] });
    expect(f.data[5]).toBe(zval(1, 1, 5));
  });

  it("--z all writes one frame store per Z, each read with loadFrames", async () => {
    const out = path.join(tmp, "zall");
    const r = await runCli(["convert", zstack, "--out", out, "--workers", "0", "--z", "all", "--json"]);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.zStores).toEqual(["z00000", "z00001", "z00002"]);
    expect(j.total).toBe(6);
    for (let z = 0; z < 3; z++) {
      const store = await openFrameStore(path.join(out, j.zStores[z]));
      expect(store.manifest?.created?.z).toEqual({ index: z, size: 3 });
      const f = await store.loadFrames({ t: [0, 1] });
      expect(f.data[7]).toBe(zval(0, z, 7));
    }
    const czi = await openCzi(zstack);
    expect(czi.dims.Z).toEqual({ start: 0, size: 3 });
    await czi.close();
  });
});
