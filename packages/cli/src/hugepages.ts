/**
 * Transparent huge pages for Node's large buffers. On Linux kernels whose THP mode is `madvise` (Debian's
 * default), memory gets 2 MiB pages only where the program asks for them; numpy asks for every large array,
 * but Node's allocator (glibc malloc) asks only when the `glibc.malloc.hugetlb=1` tunable is set. Without
 * it, first-touching a fresh 300 MB array costs about a second of page faults on our 2-core machine; with it,
 * about 40 ms. The tunable must be in the environment when the process starts, so the `hyped` command
 * restarts itself once with it (set `HYPED_HUGEPAGES=0` to skip), and library users can start Node with
 * `GLIBC_TUNABLES=glibc.malloc.hugetlb=1`.
 *
 * Published as `@hyped/cli/hugepages` so that `pnpm bench` (scripts/bench.ts) starts its benchmark processes
 * the same way through a package export rather than a path into this package's sources.
 */

/** The glibc tunable that makes malloc advise transparent huge pages for the large blocks it maps. */
export const HUGEPAGE_TUNABLE = "glibc.malloc.hugetlb=1";

/**
 * `env` with {@link HUGEPAGE_TUNABLE} added to `GLIBC_TUNABLES` (keeping other tunables), or `undefined`
 * when there is nothing to do: not Linux, already set, or `HYPED_HUGEPAGES=0`.
 */
export function withHugePages(
  env: Record<string, string | undefined>,
  platform: string = process.platform,
): Record<string, string | undefined> | undefined {
  if (platform !== "linux" || env.HYPED_HUGEPAGES === "0") return undefined;
  const current = env.GLIBC_TUNABLES ?? "";
  if (current.split(":").some((t) => t.startsWith("glibc.malloc.hugetlb="))) return undefined;
  return { ...env, GLIBC_TUNABLES: current ? `${current}:${HUGEPAGE_TUNABLE}` : HUGEPAGE_TUNABLE };
}

/** Environment variable marking the restarted child (its value is the parent's pid). */
export const CHILD_MARK = "HYPED_HUGEPAGES_PARENT";

/**
 * In the restarted child: exit (status 137, as if killed) as soon as the parent is gone, so `kill -9` of the
 * `hyped` the user started stops the work. Two signs, whichever comes first: the IPC channel to the parent
 * closes, or the parent pid changes (checked every 500 ms, for a child started without the channel). Work
 * that blocks the event loop notices at its next await.
 */
export function watchParent(): void {
  const parent = process.ppid;
  const gone = () => process.exit(137);
  if (process.channel) {
    process.on("disconnect", gone);
    // the channel must not keep the child alive once its work is done
    process.channel.unref();
  }
  setInterval(() => {
    if (process.ppid !== parent) gone();
  }, 500).unref();
}
