"use strict";
/**
 * @hyped/native: the optional addon behind @hyped/core's fastest HDF5 reads and @hyped/imaging's foreground mask. `load()` returns the binding, or
 * `null` with the reason (not built, a platform without it, or `HYPED_NATIVE=0`).
 */

/** @type {{ binding: import("./index.d.cts").NativeBinding | null; reason: string } | undefined} */
let cached;

function load() {
  if (cached !== undefined) return cached;
  if (process.env.HYPED_NATIVE === "0") {
    cached = { binding: null, reason: "turned off by HYPED_NATIVE=0" };
    return cached;
  }
  try {
    cached = { binding: require("./build/Release/hyped_native.node"), reason: "" };
  } catch (e) {
    cached = { binding: null, reason: `the addon is not built (${String(e?.message).split("\n")[0]})` };
  }
  return cached;
}

module.exports = { load };
