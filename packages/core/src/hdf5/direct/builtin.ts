/** Loading Node built-ins without a static import, so the direct reader also bundles for browsers. */

/** A Node built-in module, loaded synchronously (`process.getBuiltinModule`, Node ≥ 20.16); `undefined` elsewhere. */
export function builtin<T>(id: string): T | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return proc?.getBuiltinModule?.(id) as T | undefined;
}
