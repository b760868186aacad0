import { describe, expect, it } from "vitest";
import { DTYPE_CTORS } from "../dtype.js";
import { checkOutBuffer, DTYPES, isHypedError } from "../index.js";

describe("checkOutBuffer (the one check of a caller's output buffer)", () => {
  it("accepts exactly the dtype table's class with exactly the element count", () => {
    for (const d of DTYPES) expect(() => checkOutBuffer(new DTYPE_CTORS[d](6), d, 6, "read")).not.toThrow();
  });

  it("refuses another class, another length, a clamped or subclassed array, and non-arrays, with SHAPE_MISMATCH", () => {
    class Sub extends Uint16Array {}
    const bad: Array<[unknown, string]> = [
      [new Uint16Array(5), "a Uint16Array of 5"],
      [new Int16Array(6), "a Int16Array of 6"],
      [new Sub(6), "a Sub of 6"],
      [new Uint8ClampedArray(12), "a Uint8ClampedArray of 12"],
      [new DataView(new ArrayBuffer(12)), "a DataView"],
      [null, "a null"],
    ];
    for (const [out, got] of bad) {
      let err: unknown;
      try {
        checkOutBuffer(out, "uint16", 6, "f.h5: reading /x [2,3]", { file: "f.h5" }, "[2,3]");
      } catch (e) {
        err = e;
      }
      expect(isHypedError(err, "SHAPE_MISMATCH")).toBe(true);
      expect((err as Error).message).toBe(`f.h5: reading /x [2,3] needs a uint16 array (Uint16Array) of 6 elements [2,3], got ${got}`);
      expect((err as { context: Record<string, unknown> }).context).toMatchObject({ file: "f.h5", expected: 6 });
    }
  });

  it("bool takes a Uint8Array (the dtype table's rule)", () => {
    expect(() => checkOutBuffer(new Uint8Array(3), "bool", 3, "read")).not.toThrow();
    expect(() => checkOutBuffer(new Int8Array(3), "bool", 3, "read")).toThrow(/needs a bool array \(Uint8Array\)/);
  });
});
