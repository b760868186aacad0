/** Compression 1 (JPEG) via jpeg-js: Gray8 and Bgr24 decode; other pixel types are UNSUPPORTED. */
import { isHypedError } from "@hyped/core";
import * as jpeg from "jpeg-js";
import { describe, expect, it } from "vitest";
import { encodeCzi, openCzi } from "../index.js";

const W = 48;
const H = 32;
const smooth = (c: number) =>
  Uint8Array.from({ length: W * H * c }, (_, i) => 40 + ((Math.floor(i / c) % W) * 3 + Math.floor(i / c / W) * 2) + (i % c) * 20);

describe("CZI JPEG subblocks", () => {
  it("Gray8 and Bgr24 JPEG tiles decode to what jpeg-js decodes, close to the original", async () => {
    const gray = smooth(1);
    const rgb = smooth(3);
    const czi = await openCzi(
      await encodeCzi(
        [
          { data: gray, width: W, height: H, coords: { C: 0 } },
          { data: rgb, width: W, height: H, coords: { C: 1 } },
        ],
        { compression: "jpeg", jpegQuality: 95 },
      ),
    );
    expect(czi.compressions).toEqual({ JpgFile: 2 });
    const g = await czi.readPlane({ C: 0 });
    const c = await czi.readPlane({ C: 1 });
    expect(c.shape).toEqual([H, W, 3]);
    let err = 0;
    for (let i = 0; i < gray.length; i++) err += Math.abs((g.data[i] as number) - (gray[i] as number));
    expect(err / gray.length).toBeLessThan(2);
    err = 0;
    for (let i = 0; i < rgb.length; i++) err += Math.abs((c.data[i] as number) - (rgb[i] as number));
    expect(err / rgb.length).toBeLessThan(3);
    // Bit-exact against jpeg-js on the stored payload (R,G,B channel order preserved).
    const { locateSubblock } = await import("../subblock.js");
    const e = czi.subblocks[1];
    if (!e) throw new Error("no subblock");
    const loc = await locateSubblock(czi.source, e);
    const ref = jpeg.decode(await czi.source.read(loc.dataOffset, loc.dataSize), { useTArray: true, formatAsRGBA: false });
    expect(Buffer.compare(Buffer.from(c.data as Uint8Array), Buffer.from(ref.data))).toBe(0);
  });

  it("16-bit JPEG is UNSUPPORTED naming code 1 and the subblock; a corrupt JPEG is FORMAT", async () => {
    await expect(encodeCzi([{ data: new Uint16Array(W * H), width: W, height: H }], { compression: "jpeg" })).rejects.toSatisfy((e) =>
      isHypedError(e, "UNSUPPORTED"),
    );
    const b = await encodeCzi([{ data: new Uint16Array(W * H), width: W, height: H }]);
    const v = new DataView(b.buffer);
    const dir = Number(v.getBigInt64(32 + 52, true));
    v.setInt32(dir + 32 + 128 + 18, 1, true);
    const czi = await openCzi(b);
    await expect(czi.readSubblock(0)).rejects.toThrow(/subblock 0 \(at 544\) uses compression 1 \(JpgFile\).*Gray16/);
    const j = await encodeCzi([{ data: smooth(1), width: W, height: H }], { compression: "jpeg" });
    j.fill(0x55, 544 + 32 + 256 + 20, 544 + 32 + 256 + 200);
    await expect((await openCzi(j)).readSubblock(0)).rejects.toSatisfy((e) => isHypedError(e, "FORMAT"));
  });
});
