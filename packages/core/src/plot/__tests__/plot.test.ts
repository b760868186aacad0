import { describe, expect, it } from "vitest";
import { barSpec, renderSvg, stackedAreaSpec } from "../index.js";

describe("renderSvg", () => {
  it("renders a stacked area chart to SVG with the data's categories", async () => {
    const rows = [0, 1, 2].flatMap((t) => ["G1", "S/G2/M"].map((p, i) => ({ t, phase: p, n: 10 + t * (i + 1) })));
    const svg = await renderSvg(stackedAreaSpec(rows, { x: "t", y: "n", color: "phase" }));
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("S/G2/M");
    expect(svg).toContain("<path");
  });
  it("rejects a broken spec with INVALID_ARGUMENT", async () => {
    await expect(renderSvg({ mark: 42 } as never)).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    expect(barSpec([], { x: "a", y: "b" }).mark).toBe("bar");
  });
});
