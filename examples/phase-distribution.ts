/**
 * The paper's Figure 2a: the fraction of cells in each FUCCI phase over time, per condition. Every scene of a
 * frame store is segmented and tracked, each nucleus gets a phase from its mKate/TagGFP intensities (smoothed
 * along its track), and the phases are counted per condition and time.
 *
 *   node --conditions=@hyped/source --import tsx examples/phase-distribution.ts frames/ out-dir/
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CELL_CYCLE_PHASES, classifyCellCycle, openFrameStore, phaseDistribution, segmentFrame, trackCells } from "@hyped/imaging";

const [dir, outDir] = process.argv.slice(2);
if (!dir || !outDir) throw new Error("usage: phase-distribution.ts <frames-dir> <out-dir>");
mkdirSync(outDir, { recursive: true });

const store = await openFrameStore(dir);
// One row per nucleus: condition, time (hours), phase code.
const table = { condition: [] as string[], time: [] as number[], phase: [] as number[] };
for (const condition of store.conditions) {
  for (const replicate of store.replicates[condition] ?? []) {
    const objects = [];
    const hours: number[] = [];
    for await (const frame of store.frames({ condition, replicate, channels: ["mKate", "TagGFP"] })) {
      objects.push(segmentFrame(frame.data, { channelNames: ["mKate", "TagGFP"], nuclearChannels: ["mKate", "TagGFP"] }).objects);
      hours.push((Number.isFinite(frame.timeS) ? frame.timeS : frame.t * 1200) / 3600);
    }
    const tracks = trackCells(objects, { fieldSize: [store.height, store.width] });
    // Flatten the objects of all frames with their track ids, so phase calls can be smoothed along tracks.
    const mKate: number[] = [];
    const TagGFP: number[] = [];
    const trackId: number[] = [];
    const frameIdx: number[] = [];
    objects.forEach((o, t) => {
      for (let k = 0; k < o.id.length; k++) {
        mKate.push(o.meanIntensity.mKate?.[k] as number);
        TagGFP.push(o.meanIntensity.TagGFP?.[k] as number);
        trackId.push(tracks.objectTrack[t]?.[k] as number);
        frameIdx.push(t);
      }
    });
    const calls = classifyCellCycle({ mKate, TagGFP }, { smooth: { trackId, frame: frameIdx } });
    for (let i = 0; i < calls.phase.length; i++) {
      table.condition.push(condition);
      table.time.push(hours[frameIdx[i] as number] as number);
      table.phase.push(calls.phase[i] as number);
    }
    console.log(`${condition} r${replicate}: ${mKate.length} nuclei in ${objects.length} frames, ${tracks.lineage.id.length} tracks`);
  }
}

const { rows, svg } = await phaseDistribution(table, { by: ["condition", "time"], xTitle: "time (h)" });
writeFileSync(join(outDir, "phase-distribution.svg"), svg as string);
const csv = ["condition,time_h,phase,count,fraction,total"];
for (const r of rows) csv.push([r.condition, r.time, r.phase, r.count, (r.fraction as number).toFixed(4), r.total].join(","));
writeFileSync(join(outDir, "phase-distribution.csv"), `${csv.join("\n")}\n`);

// The occupancy over the whole movie, per condition.
console.log(`\ncondition        ${CELL_CYCLE_PHASES.map((p) => p.padStart(17)).join("")}`);
for (const condition of store.conditions) {
  const mine = rows.filter((r) => r.condition === condition);
  const total = mine.reduce((s, r) => s + r.count, 0);
  const cells = CELL_CYCLE_PHASES.map((p) => {
    const n = mine.filter((r) => r.phase === p).reduce((s, r) => s + r.count, 0);
    return `${((100 * n) / total).toFixed(1)}%`.padStart(17);
  });
  console.log(`${condition.padEnd(17)}${cells.join("")}`);
}
console.log(`\nwrote ${join(outDir, "phase-distribution.svg")} and phase-distribution.csv (${rows.length} rows)`);
