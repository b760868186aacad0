import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { HUGEPAGE_TUNABLE, withHugePages } from "../hugepages.js";

describe("withHugePages", () => {
  it("adds the glibc tunable on Linux, keeps other tunables, and leaves a set value, other systems and the opt-out alone", () => {
    expect(withHugePages({ PATH: "/bin" }, "linux")).toEqual({ PATH: "/bin", GLIBC_TUNABLES: HUGEPAGE_TUNABLE });
    expect(withHugePages({ GLIBC_TUNABLES: "glibc.malloc.arena_max=2" }, "linux")?.GLIBC_TUNABLES).toBe(
      `glibc.malloc.arena_max=2:${HUGEPAGE_TUNABLE}`,
    );
    expect(withHugePages({ GLIBC_TUNABLES: "glibc.malloc.hugetlb=0" }, "linux")).toBeUndefined();
    expect(withHugePages({ HYPED_HUGEPAGES: "0" }, "linux")).toBeUndefined();
    expect(withHugePages({}, "darwin")).toBeUndefined();
  });

  it.skipIf(process.platform !== "linux")("a Node started with the tunable still runs normally", () => {
    const base: Record<string, string | undefined> = { ...process.env };
    delete base.GLIBC_TUNABLES;
    const env = withHugePages(base, "linux");
    const r = spawnSync(process.execPath, ["-e", "const a = new Uint8Array(64 * 2 ** 20); a.fill(1); console.log(a[12345] + a.length)"], {
      env: env as NodeJS.ProcessEnv,
      encoding: "utf8",
    });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(String(1 + 64 * 2 ** 20));
  });
});
