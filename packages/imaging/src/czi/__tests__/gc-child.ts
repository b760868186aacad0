/** Child process of dispose.test.ts: opens a CZI by path, reads it, drops it unclosed, collects garbage. */
import { openCzi } from "../index.js";

const path = process.argv[2] as string;
async function use(): Promise<number> {
  const czi = await openCzi(path);
  const p = await czi.readPlane({});
  return p.data.length;
}
console.log(await use());
const gc = (globalThis as { gc?: () => void }).gc;
for (let i = 0; i < 5; i++) {
  gc?.();
  await new Promise((r) => setTimeout(r, 50));
}
console.log("done");
