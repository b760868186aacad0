/**
 * Page of the headless-Chromium JPEG XR test: decodes every committed JPEG XR fixture (served under
 * /fixtures/) with the same reader as Node and compares each tile and plane with its uncompressed twin.
 * The outcome goes to `document.body.dataset` (`state` "done"/"error", `result` JSON).
 */
import { openCzi } from "../../index.js";

type Case = { name: string; tiles: number };
const get = async (p: string) => new Uint8Array(await (await fetch(`fixtures/${p}`)).arrayBuffer());
const same = (a: ArrayBufferView, b: ArrayBufferView) => {
  if (a.byteLength !== b.byteLength) return false;
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
};

async function main(): Promise<void> {
  const cases = (await (await fetch("fixtures/cases.json")).json()) as Case[];
  const result: Record<string, { tiles: number; tilesEqual: number; planes: number; planesEqual: number }> = {};
  for (const c of cases) {
    const jxr = await openCzi(await get(`${c.name}.czi`));
    const ref = await openCzi(await get(`${c.name}.ref.czi`));
    const r = { tiles: 0, tilesEqual: 0, planes: 0, planesEqual: 0 };
    for (let i = 0; i < jxr.subblocks.length; i++) {
      r.tiles++;
      if (jxr.subblocks[i]?.compression === 4 && same(await jxr.readSubblockBytes(i), await ref.readSubblockBytes(i))) r.tilesEqual++;
    }
    for (const coords of jxr.planeCoords()) {
      r.planes++;
      if (same((await jxr.readPlane(coords)).data, (await ref.readPlane(coords)).data)) r.planesEqual++;
    }
    result[c.name] = r;
  }
  document.body.dataset.result = JSON.stringify(result);
  document.body.dataset.state = "done";
}

main().catch((e) => {
  document.body.dataset.result = String((e as Error)?.stack ?? e);
  document.body.dataset.state = "error";
});
