/**
 * Segment the nuclei of every frame of one scene of a frame store, link them into tracks with divisions,
 * and write the tracks as CSV.
 *
 *   node --conditions=@hyped/source --import tsx examples/segment-and-track.ts frames/ [condition] [tracks.csv]
 */
import { writeFileSync } from "node:fs";
import { openFrameStore, type SegmentFrameResult, segmentFrame, trackCells } from "@hyped/imaging";

const [dir, conditionArg, csvPath] = process.argv.slice(2);
if (!dir) throw new Error("usage: segment-and-track.ts <frames-dir> [condition] [tracks.csv]");

const store = await openFrameStore(dir);
const condition = conditionArg ?? (store.conditions[0] as string);
console.log(`${condition}: ${store.times.length} frames of ${store.width}x${store.height}, channels ${store.channels.join(", ")}`);

// One frame in memory at a time: (C, Y, X) in the store's channel order (Cy5, mKate, TagGFP, Oblique).
const segs: SegmentFrameResult[] = [];
for await (const frame of store.frames({ condition })) {
  const seg = segmentFrame(frame.data, { channelNames: store.channels });
  segs.push(seg);
  console.log(`  t=${frame.t}: ${seg.objects.id.length} nuclei (Otsu threshold ${seg.threshold.toFixed(3)})`);
}

// Kalman frame-to-frame linking, then global gap closing and division hypotheses (btrack's model).
const result = trackCells(
  segs.map((s) => s.objects),
  { fieldSize: [store.height, store.width] },
);
const { lineage, tracks } = result;
const lengths = Array.from(lineage.length);
console.log(`tracks: ${lineage.id.length}, divisions: ${result.summary.divisions}`);
console.log(`mean track length: ${(lengths.reduce((a, b) => a + b, 0) / lengths.length).toFixed(1)} frames`);

if (csvPath) {
  const lines = ["track_id,frame,x,y,parent,generation"];
  for (let i = 0; i < tracks.trackId.length; i++)
    lines.push(
      [tracks.trackId[i], tracks.frame[i], tracks.x[i]?.toFixed(2), tracks.y[i]?.toFixed(2), tracks.parent[i], tracks.generation[i]].join(
        ",",
      ),
    );
  writeFileSync(csvPath, `${lines.join("\n")}\n`);
  console.log(`wrote ${tracks.trackId.length} rows to ${csvPath}`);
}
