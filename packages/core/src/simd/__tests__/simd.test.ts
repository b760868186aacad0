import { afterEach, describe, expect, it } from "vitest";
import { setSimdEnabled, simdInstance, simdModule } from "../index.js";

const b64 = (bytes: number[]) => Buffer.from(bytes).toString("base64");
const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const TYPE_I32 = [0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f]; // one type: () -> i32
const FUNC = [0x03, 0x02, 0x01, 0x00];
const EXPORT_F = [0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x00]; // export "f" = func 0
/** `f() = i32x4.extract_lane 0 (v128.const i32x4 <lane0> 0 0 0)`: valid only where SIMD-128 is. */
function laneModule(lane0: number): string {
  const konst = [0xfd, 0x0c, lane0, ...new Array<number>(15).fill(0)];
  const body = [0x00, ...konst, 0xfd, 0x1b, 0x00, 0x0b];
  return b64([...HEADER, ...TYPE_I32, ...FUNC, ...EXPORT_F, 0x0a, body.length + 2, 0x01, body.length, ...body]);
}

afterEach(() => {
  setSimdEnabled(true);
});

describe("@hyped/core/simd loader", () => {
  it("compiles and instantiates a SIMD module once per thread (the same objects on every call)", () => {
    const src = laneModule(7);
    const mod = simdModule(src);
    expect(mod).toBeInstanceOf(WebAssembly.Module);
    expect(simdModule(src)).toBe(mod);
    const inst = simdInstance(src);
    expect((inst!.exports.f as () => number)()).toBe(7);
    expect(simdInstance(src)).toBe(inst);
    // another module's bytes: another cache entry
    expect((simdInstance(laneModule(9))!.exports.f as () => number)()).toBe(9);
  });

  it("bytes the engine rejects (as one without SIMD-128 rejects SIMD opcodes) give undefined, not a throw", () => {
    const bad = laneModule(1).replace(/^AGFzbQ/, "AGFzbR"); // corrupt magic
    expect(simdModule(bad)).toBeUndefined();
    expect(simdInstance(bad)).toBeUndefined();
    // an opcode past the SIMD range (0xfd 0xff 0x7f) stands in for an engine that lacks the proposal
    const body = [0x00, 0xfd, 0xff, 0x7f, 0x0b];
    const unknown = b64([...HEADER, ...TYPE_I32, ...FUNC, ...EXPORT_F, 0x0a, body.length + 2, 0x01, body.length, ...body]);
    expect(simdModule(unknown)).toBeUndefined();
  });

  it("a module that imports its memory compiles but has no shared instance", () => {
    // (import "e" "m" (memory 1)), no functions
    const src = b64([...HEADER, 0x02, 0x08, 0x01, 0x01, 0x65, 0x01, 0x6d, 0x02, 0x00, 0x01]);
    expect(simdModule(src)).toBeInstanceOf(WebAssembly.Module);
    expect(simdInstance(src)).toBeUndefined();
  });

  it("setSimdEnabled(false) turns both off until switched back, and returns the old value", () => {
    const src = laneModule(3);
    const inst = simdInstance(src);
    expect(inst).toBeDefined();
    expect(setSimdEnabled(false)).toBe(true);
    expect(simdModule(src)).toBeUndefined();
    expect(simdInstance(src)).toBeUndefined();
    expect(setSimdEnabled(false)).toBe(false);
    expect(setSimdEnabled(true)).toBe(false);
    expect(simdInstance(src)).toBe(inst);
  });
});
