/**
 * The metadata segment (ZISRAWMETADATA): raw XML plus the fields a HYPED pipeline needs, parsed with
 * fast-xml-parser (a maintained, dependency-free XML parser).
 */
import { HypedError } from "@hyped/core";
import { XMLParser, XMLValidator } from "fast-xml-parser";

/** One channel as described by the metadata. */
export interface CziChannelInfo {
  /** Channel `Id` attribute ("Channel:0"). */
  id?: string;
  /** Channel `Name` attribute ("EGFP"). */
  name?: string;
  /** `Fluor` element (dye name), when given. */
  fluor?: string;
  /** Display colour as written ("#FF00FF5B", ARGB), from the channel or its DisplaySetting. */
  color?: string;
}

/** Parsed metadata fields. Every field is optional: writers differ in what they record. */
export interface CziMetadata {
  /** The XML text as stored (UTF-8 decoded). */
  xml: string;
  /** The whole document as a plain object (fast-xml-parser; attributes prefixed `@_`), parsed on first access. */
  document: Record<string, unknown>;
  /** Channels in order (Information/Image/Dimensions/Channels). */
  channels: CziChannelInfo[];
  /** Pixel size per axis in metres (Scaling/Items/Distance). Zero or absent values are left out. */
  scaling: { X?: number; Y?: number; Z?: number };
  /** Information/Image/AcquisitionDateAndTime as written (ISO 8601). */
  acquisitionTime?: string;
  /** Scene names keyed by scene index (Information/Image/Dimensions/S/Scenes/Scene). */
  sceneNames: Record<number, string>;
  /** Time between time points in seconds: T/Positions/Interval/Increment, else the first step of T/Positions/List/Offsets. */
  timeIncrementS?: number;
  /** Information/Application name and version. */
  application?: { name?: string; version?: string };
  /** Information/Image/ComponentBitCount: significant bits per sample (14 for HYPED's Gray16). */
  componentBitCount?: number;
  /** Information/Image/PixelType. */
  pixelType?: string;
  /** Information/Image/Size<X|Y|C|Z|T|S|M|...> as numbers. */
  sizes: Record<string, number>;
}

const PARSER_OPTIONS = {
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
} as const;
const parser = new XMLParser(PARSER_OPTIONS);
/**
 * The fields we extract live in Information, Scaling and DisplaySetting; the large subtrees (Experiment and
 * HardwareSetting are ~90% of a ZEN document) are kept as text in the first pass and parsed only when
 * `document` is read.
 */
const fieldParser = new XMLParser({
  ...PARSER_OPTIONS,
  stopNodes: [
    "ImageDocument.Metadata.Experiment",
    "ImageDocument.Metadata.HardwareSetting",
    "ImageDocument.Metadata.CustomAttributes",
    "ImageDocument.Metadata.Appliances",
  ],
});

type Node = Record<string, unknown>;

function asArray(x: unknown): unknown[] {
  return x === undefined || x === null ? [] : Array.isArray(x) ? x : [x];
}
function child(n: unknown, ...path: string[]): unknown {
  let cur = n;
  for (const p of path) {
    if (cur === null || typeof cur !== "object" || Array.isArray(cur)) return undefined;
    cur = (cur as Node)[p];
  }
  return cur;
}
function text(n: unknown): string | undefined {
  if (typeof n === "string") return n;
  if (typeof n === "number") return String(n);
  if (n && typeof n === "object" && !Array.isArray(n) && typeof (n as Node)["#text"] === "string") return (n as Node)["#text"] as string;
  return undefined;
}
function num(n: unknown): number | undefined {
  const t = text(n);
  if (t === undefined || t.trim() === "") return undefined;
  const v = Number(t);
  return Number.isFinite(v) ? v : undefined;
}
function attr(n: unknown, name: string): string | undefined {
  if (n && typeof n === "object" && !Array.isArray(n)) {
    const v = (n as Node)[`@_${name}`];
    return typeof v === "string" ? v : undefined;
  }
  return undefined;
}

/** Parse metadata XML; FORMAT (naming `segment`) if it is not well-formed. */
export function parseCziMetadata(xml: string, segment = "ZISRAWMETADATA"): CziMetadata {
  const valid = xml.trim() === "" ? true : XMLValidator.validate(xml);
  if (valid !== true) {
    const err = valid.err;
    throw new HypedError("FORMAT", `${segment}: metadata XML does not parse: ${err.msg} (line ${err.line}, column ${err.col})`, {
      segment,
      line: err.line,
      col: err.col,
    });
  }
  let fields: Node;
  try {
    fields = (xml.trim() === "" ? {} : fieldParser.parse(xml)) as Node;
  } catch (e) {
    throw new HypedError("FORMAT", `${segment}: metadata XML does not parse: ${(e as Error).message}`, { segment }, { cause: e });
  }
  const md = child(fields, "ImageDocument", "Metadata");
  const info = child(md, "Information");
  const image = child(info, "Image");
  const dims = child(image, "Dimensions");

  const display = new Map<string, Node>();
  for (const c of asArray(child(md, "DisplaySetting", "Channels", "Channel"))) {
    const id = attr(c, "Id");
    if (id) display.set(id, c as Node);
  }
  const channels: CziChannelInfo[] = asArray(child(dims, "Channels", "Channel")).map((c) => {
    const id = attr(c, "Id");
    const disp = id ? display.get(id) : undefined;
    const ch: CziChannelInfo = {};
    if (id !== undefined) ch.id = id;
    const name = attr(c, "Name") ?? attr(disp, "Name");
    if (name !== undefined) ch.name = name;
    const fluor = text(child(c, "Fluor")) ?? text(child(disp, "DyeName"));
    if (fluor !== undefined) ch.fluor = fluor;
    const color = text(child(c, "Color")) ?? text(child(disp, "Color"));
    if (color !== undefined) ch.color = color;
    return ch;
  });

  const scaling: CziMetadata["scaling"] = {};
  for (const d of asArray(child(md, "Scaling", "Items", "Distance"))) {
    const id = attr(d, "Id");
    const v = num(child(d, "Value"));
    if ((id === "X" || id === "Y" || id === "Z") && v !== undefined && v !== 0) scaling[id] = v;
  }

  const sceneNames: Record<number, string> = {};
  asArray(child(dims, "S", "Scenes", "Scene")).forEach((s, k) => {
    const idx = Number(attr(s, "Index") ?? k);
    const name = attr(s, "Name");
    if (name !== undefined && Number.isInteger(idx)) sceneNames[idx] = name;
  });

  let timeIncrementS = num(child(dims, "T", "Positions", "Interval", "Increment"));
  if (timeIncrementS === undefined) {
    const offs = text(child(dims, "T", "Positions", "List", "Offsets"))
      ?.trim()
      .split(/\s+/)
      .map(Number)
      .filter(Number.isFinite);
    if (offs && offs.length >= 2) timeIncrementS = (offs[1] as number) - (offs[0] as number);
  }

  const sizes: Record<string, number> = {};
  if (image && typeof image === "object") {
    for (const [k, v] of Object.entries(image as Node)) {
      const m = /^Size([A-Z])$/.exec(k);
      const n = num(v);
      if (m && n !== undefined) sizes[m[1] as string] = n;
    }
  }

  let document: Node | undefined;
  const out = { xml, channels, scaling, sceneNames, sizes } as Omit<CziMetadata, "document"> as CziMetadata;
  Object.defineProperty(out, "document", {
    enumerable: true,
    get() {
      document ??= (xml.trim() === "" ? {} : parser.parse(xml)) as Node;
      return document;
    },
  });
  const acq = text(child(image, "AcquisitionDateAndTime"));
  if (acq !== undefined) out.acquisitionTime = acq;
  if (timeIncrementS !== undefined) out.timeIncrementS = timeIncrementS;
  const app = child(info, "Application");
  if (app !== undefined) {
    const a: { name?: string; version?: string } = {};
    const name = text(child(app, "Name"));
    const version = text(child(app, "Version"));
    if (name !== undefined) a.name = name;
    if (version !== undefined) a.version = version;
    out.application = a;
  }
  const cbc = num(child(image, "ComponentBitCount"));
  if (cbc !== undefined) out.componentBitCount = cbc;
  const pt = text(child(image, "PixelType"));
  if (pt !== undefined) out.pixelType = pt;
  return out;
}
