import { describe, expect, it } from "vitest";
import { svgToPng } from "../png.js";

const SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect x="0" y="0" width="20" height="20" fill="#d62728"/></svg>';

describe("svgToPng", () => {
  it("renders at the scale asked, with a PNG signature and the drawn colour", async () => {
    const png = await svgToPng(SVG, { scale: 2 });
    expect([...png.subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
    const view = new DataView(png.buffer, png.byteOffset);
    expect([view.getUint32(16), view.getUint32(20)]).toEqual([80, 40]); // IHDR width, height
    const { Resvg } = await import("@resvg/resvg-js");
    const pixels = new Resvg(SVG).render().pixels;
    expect([...pixels.subarray(0, 3)]).toEqual([0xd6, 0x27, 0x28]);
  });
  it("throws INVALID_ARGUMENT for text that is not SVG and for a bad scale", async () => {
    await expect(svgToPng("not svg")).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(svgToPng(SVG, { scale: 0 })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });
});
