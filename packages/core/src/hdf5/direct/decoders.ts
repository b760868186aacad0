/**
 * Filter decoders of the direct path: the filter table's JavaScript decoders (`../filters.ts`), with
 * deflate served by the platform's zlib (`zlib.ts`) where there is one.
 */
import { type ChunkDecoder, FILTER_IDS, jsDecoder } from "../filters.js";
import { zlibInflate } from "./zlib.js";

/** Filter pipeline entries as the direct reader needs them. */
export interface DirectFilter {
  id: number;
  cdValues: number[];
}

/** Our decoder for one pipeline entry, or `undefined` when the direct path cannot undo it here. */
export function decoderFor(f: DirectFilter): ChunkDecoder | undefined {
  return jsDecoder(f.id, f.id === FILTER_IDS.deflate ? (zlibInflate() ?? undefined) : undefined);
}

/** True if the direct path decodes filter `id` here (the filter table's `js` column; zlib only in Node). */
export function directDecodes(id: number): boolean {
  return decoderFor({ id, cdValues: [] }) !== undefined;
}

/** True when a pipeline is deflate alone (inflated straight into place where it can be). */
export function deflateOnly(filters: DirectFilter[]): boolean {
  return filters.length === 1 && (filters[0] as DirectFilter).id === FILTER_IDS.deflate;
}
