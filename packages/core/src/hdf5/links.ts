/**
 * Path lookups and group listings by our own bounds-checked parser (see `format.md`, "Links"): symbol-table
 * groups (version-1 B-tree of group nodes, symbol nodes, local heap) and compact link messages. A corrupt
 * group made HDF5's C code spend seconds to minutes in a lookup before it trapped; here every node, heap
 * and name is checked against the file and visited once, so a corrupt group is a `FORMAT` error at once.
 * Dense link storage (a fractal heap, used by groups of many members in newer files) is reported as
 * `undefined`, and the caller asks h5wasm.
 */
import { HypedError } from "../errors.js";
import type { DirectReader } from "./direct/index.js";
import { Unhandled } from "./direct/index.js";

/** What a link points at, as `H5File.kind` names it. */
export type LinkKind = "group" | "dataset" | "datatype" | "soft-link" | "external-link";

/** One member of a group. */
export interface LinkEntry {
  kind: "hard" | "soft" | "external";
  /** Object header address (hard links). */
  address: number;
}

const UNDEF = -1;
/** Most B-tree nodes visited for one group (a bound on corrupt sibling or child pointers). */
const MAX_NODES = 100_000;
const utf8 = new TextDecoder("utf-8");

function tag(v: DataView, at = 0): string {
  return String.fromCharCode(v.getUint8(at), v.getUint8(at + 1), v.getUint8(at + 2), v.getUint8(at + 3));
}

function uint(v: DataView, at: number, n: number): number {
  if (at < 0 || at + n > v.byteLength) throw new Unhandled();
  let ones = true;
  let x = 0;
  for (let i = n - 1; i >= 0; i--) {
    const b = v.getUint8(at + i);
    if (b !== 0xff) ones = false;
    x = x * 256 + b;
  }
  if (ones) return UNDEF;
  if (x > Number.MAX_SAFE_INTEGER) throw new Unhandled();
  return x;
}

/** The group and link reader of one open file; group listings are cached by object-header address. */
export class LinkReader {
  private readonly d: DirectReader;
  private readonly file: string;
  private readonly groups = new Map<number, Map<string, LinkEntry> | undefined>();
  private readonly kinds = new Map<number, LinkKind>();

  constructor(direct: DirectReader, file: string) {
    this.d = direct;
    this.file = file;
  }

  private corrupt(what: string, element: string, cause?: unknown): never {
    throw new HypedError("FORMAT", `${this.file}: ${what} of ${element} is corrupt`, { file: this.file, element }, { cause });
  }

  /** The root group's object-header address (relative to the base address). */
  root(): number {
    return this.d.superblock().root;
  }

  /**
   * Resolve `path` through hard links to groups: the entry of its last component, `null` when a component
   * is missing (or not a group), `undefined` when a group on the way is stored in a form left to h5wasm.
   */
  resolve(path: string): LinkEntry | null | undefined {
    const parts = path.split("/").filter((p) => p !== "");
    let cur: LinkEntry = { kind: "hard", address: this.root() };
    let at = "";
    for (const name of parts) {
      if (cur.kind !== "hard" || this.kindOf(cur.address, at || "/") !== "group") return null;
      const members = this.members(cur.address, at || "/");
      if (members === undefined) return undefined;
      const next = members.get(name);
      if (!next) return null;
      cur = next;
      at += `/${name}`;
    }
    return cur;
  }

  /** What the hard link to the object at `address` is: group, dataset or named datatype. */
  kindOf(address: number, element: string): LinkKind {
    const known = this.kinds.get(address);
    if (known) return known;
    let types: Set<number>;
    try {
      types = new Set(this.d.headerMessages(this.d.superblock().base + address).map((m) => m.type));
    } catch (e) {
      if (!(e instanceof Unhandled)) throw e;
      this.corrupt("the object header", element, e);
    }
    const k: LinkKind = types.has(0x08)
      ? "dataset"
      : types.has(0x11) || types.has(0x02) || types.has(0x06)
        ? "group"
        : types.has(0x03)
          ? "datatype"
          : "group";
    this.kinds.set(address, k);
    return k;
  }

  /**
   * The members of the group whose object header is at `address`, by name; `undefined` when they are in
   * dense storage (left to h5wasm). `FORMAT` when a structure is inconsistent.
   */
  members(address: number, element: string): Map<string, LinkEntry> | undefined {
    if (this.groups.has(address)) return this.groups.get(address);
    let out: Map<string, LinkEntry> | undefined;
    try {
      out = this.readMembers(address);
    } catch (e) {
      if (!(e instanceof Unhandled)) throw e;
      this.corrupt("the group", element, e);
    }
    this.groups.set(address, out);
    return out;
  }

  private readMembers(address: number): Map<string, LinkEntry> | undefined {
    const { base, offsets: O } = this.d.superblock();
    const msgs = this.d.headerMessages(base + address);
    const out = new Map<string, LinkEntry>();
    for (const m of msgs) {
      if (m.type === 0x02) {
        // link info: a defined fractal-heap address means dense storage
        const flags = uint(m.data, 1, 1);
        const heapAt = 2 + (flags & 1 ? 8 : 0);
        if (uint(m.data, heapAt, O) !== UNDEF) return undefined;
      }
      if (m.type === 0x06) {
        const [name, entry] = parseLinkMessage(m.data, O);
        out.set(name, entry);
      }
      if (m.type === 0x11) this.symbolTable(uint(m.data, 0, O), uint(m.data, O, O), out);
    }
    return out;
  }

  /** Walk a symbol table: the version-1 B-tree of group nodes down to its symbol nodes. */
  private symbolTable(btree: number, heap: number, out: Map<string, LinkEntry>): void {
    const { base, offsets: O, lengths: L } = this.d.superblock();
    const h = this.d.readMeta(base + heap, 8 + 2 * L + O);
    if (tag(h) !== "HEAP" || h.getUint8(4) !== 0) throw new Unhandled();
    const dataSize = uint(h, 8, L);
    const dataAt = uint(h, 8 + 2 * L, O);
    if (dataSize === UNDEF || dataAt === UNDEF) throw new Unhandled();
    const names = this.d.readMeta(base + dataAt, dataSize);
    const nameAt = (off: number): string => {
      if (off < 0 || off >= names.byteLength) throw new Unhandled();
      let e = off;
      while (e < names.byteLength && names.getUint8(e) !== 0) e++;
      if (e >= names.byteLength) throw new Unhandled();
      return utf8.decode(new Uint8Array(names.buffer, names.byteOffset + off, e - off));
    };
    const seen = new Set<number>();
    const visit = (node: number, depth: number): void => {
      if (node === UNDEF || seen.has(node) || seen.size > MAX_NODES || depth > 64) throw new Unhandled();
      seen.add(node);
      const head = this.d.readMeta(base + node, 8 + 2 * O);
      const sig = tag(head);
      if (sig === "SNOD") {
        if (depth === 0) throw new Unhandled();
        const n = head.getUint16(6, true);
        const esz = 2 * O + 24;
        const v = this.d.readMeta(base + node, 8 + n * esz);
        for (let i = 0; i < n; i++) {
          const p = 8 + i * esz;
          const name = nameAt(uint(v, p, O));
          const addr = uint(v, p + O, O);
          const cache = v.getUint32(p + 2 * O, true);
          out.set(name, cache === 2 ? { kind: "soft", address: UNDEF } : { kind: "hard", address: addr });
        }
        return;
      }
      if (sig !== "TREE" || head.getUint8(4) !== 0) throw new Unhandled();
      const used = head.getUint16(6, true);
      const v = this.d.readMeta(base + node, 8 + 2 * O + used * (L + O) + L);
      for (let i = 0; i < used; i++) {
        // level 0 points at symbol nodes, higher levels at B-tree nodes (checked by signature)
        visit(uint(v, 8 + 2 * O + L + i * (L + O), O), depth + 1);
      }
    };
    visit(btree, 0);
  }
}

/** Parse a link message (0x06, version 1): its name and target. */
function parseLinkMessage(v: DataView, O: number): [string, LinkEntry] {
  if (uint(v, 0, 1) !== 1) throw new Unhandled();
  const flags = uint(v, 1, 1);
  let p = 2;
  let type = 0;
  if (flags & 0x08) type = uint(v, p++, 1);
  if (flags & 0x04) p += 8;
  if (flags & 0x10) p += 1;
  const lenSize = 1 << (flags & 3);
  const nameLen = uint(v, p, lenSize);
  p += lenSize;
  if (nameLen <= 0 || p + nameLen > v.byteLength) throw new Unhandled();
  const name = utf8.decode(new Uint8Array(v.buffer, v.byteOffset + p, nameLen));
  p += nameLen;
  if (type === 0) return [name, { kind: "hard", address: uint(v, p, O) }];
  if (type === 1) return [name, { kind: "soft", address: UNDEF }];
  if (type === 64) return [name, { kind: "external", address: UNDEF }];
  throw new Unhandled();
}
