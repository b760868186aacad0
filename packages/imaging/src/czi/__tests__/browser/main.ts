/**
 * Page of the headless-Chromium JPEG XR test: decodes every committed JPEG XR fixture (served under
 * /fixtures/) with the same reader as Node and compares each tile and plane with its uncompressed twin.
 * The outcome goes to `document.body.dataset` (`state` "done"/"error", `result` JSON).
 */
import { jxrPool } from "../../codecs/jpegxr-pool.js";
import { openCzi, setJpegXrWorkers } from "../../index.js";
import { layoutOf, locateSubblock } from "../../subblock.js";

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
  // The same tiles through Web Workers (every tile sent to the pool, whatever its size).
  setJpegXrWorkers(() => new Worker(new URL("./jxr-worker.ts", import.meta.url), { type: "module" }), 2);
  const pool = await jxrPool(import.meta.url);
  let pooled = 0;
  let pooledEqual = 0;
  for (const c of cases) {
    const jxr = await openCzi(await get(`${c.name}.czi`));
    const ref = await openCzi(await get(`${c.name}.ref.czi`));
    for (const e of pool ? jxr.subblocks : []) {
      const loc = await locateSubblock(jxr.source, e);
      const payload = (await jxr.source.read(loc.dataOffset, loc.dataSize)).slice();
      const bpp = layoutOf(e).bytesPerPixel;
      const size = {
        width: e.storedWidth,
        height: e.storedHeight,
        bytesPerPixel: bpp,
        expectedBytes: e.storedWidth * e.storedHeight * bpp,
      };
      const out = await pool?.decode({
        payload,
        info: { subblock: e.index, filePosition: e.filePosition, compression: 4, pixelType: e.pixelType, ...size },
      });
      pooled++;
      if (out && same(out, await ref.readSubblockBytes(e.index))) pooledEqual++;
    }
  }
  document.body.dataset.pool = JSON.stringify({ workers: pool?.size ?? 0, pooled, pooledEqual });
  document.body.dataset.result = JSON.stringify(result);
  document.body.dataset.state = "done";
}

main().catch((e) => {
  document.body.dataset.result = String((e as Error)?.stack ?? e);
  document.body.dataset.state = "error";
});
