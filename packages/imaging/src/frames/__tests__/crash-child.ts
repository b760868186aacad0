/**
 * Child process for the crash test: converts argv[2] (CZI) into argv[3] in this thread, slowly (gzip 9),
 * printing "frame" after each frame so the parent can kill it with SIGKILL in the middle of a write.
 */
import { convertCziToFrames } from "../convert.js";

const [czi, out] = process.argv.slice(2) as [string, string];
let last = 0;
await convertCziToFrames([czi], out, {
  workers: 0,
  level: 9,
  tile: [32, 32],
  onProgress: (e) => {
    if (e.done > last) {
      last = e.done;
      process.stdout.write("frame\n");
    }
  },
});
process.stdout.write("finished\n");
