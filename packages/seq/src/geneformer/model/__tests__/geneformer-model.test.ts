import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isHypedError } from "@hyped/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeSafetensors } from "../../../safetensors/index.js";
import { lengthBuckets, loadGeneformer } from "../index.js";
import { type Expected, fidelity, MODELS } from "./fidelity.js";

const REF = join(import.meta.dirname, "../../../../reference/geneformer-model");
const SPECIAL = { "<pad>": 0, "<mask>": 1, "<cls>": 2, "<eos>": 3 };
const expected = (name: string): Expected => JSON.parse(readFileSync(join(REF, name, "expected.json"), "utf8"));

describe("loadGeneformer matches Hugging Face BertModel (numpy reference)", () => {
  for (const { name, tol } of MODELS) {
    it(`${name}: embeddings and hidden states within ${tol} relative (cells of 1, 7, 100, 2048 tokens)`, async () => {
      const dir = join(REF, name);
      const model = await loadGeneformer(dir);
      const special = await loadGeneformer(dir, { tokenDictionary: SPECIAL });
      expect(model.runtime).toBe("onnxruntime-node");
      const errs = await fidelity(model, special, expected(name));
      for (const [what, e] of Object.entries(errs)) expect(e, `${name} ${what}`).toBeLessThan(tol);
      await Promise.all([model.dispose(), special.dispose()]);
    });
  }

  it("the plain-ONNX graph (contribOps: false) matches too", async () => {
    const dir = join(REF, "gelu-f16");
    const model = await loadGeneformer(dir, { contribOps: false });
    const special = await loadGeneformer(dir, { contribOps: false, tokenDictionary: SPECIAL });
    const errs = await fidelity(model, special, expected("gelu-f16"));
    for (const [what, e] of Object.entries(errs)) expect(e, what).toBeLessThan(1e-4);
  });

  it("an approximate (tanh) GELU does not pass: the check tells the activations apart", async () => {
    const dir = join(REF, "gelu-f16");
    const config = { ...JSON.parse(readFileSync(join(dir, "config.json"), "utf8")), hidden_act: "gelu_pytorch_tanh" };
    const model = await loadGeneformer({ config, weights: readFileSync(join(dir, "model.safetensors")) });
    const errs = await fidelity(model, model, expected("gelu-f16"));
    expect(errs["mean layer -1"]).toBeGreaterThan(1e-3);
    await model.dispose();
  });

  it("runs the same with onnxruntime-web (WebAssembly) in Node", async () => {
    const dir = join(REF, "gelu-f16");
    const model = await loadGeneformer(dir, { runtime: "web" });
    const special = await loadGeneformer(dir, { runtime: "web", tokenDictionary: SPECIAL });
    expect(model.runtime).toBe("onnxruntime-web");
    const errs = await fidelity(model, special, expected("gelu-f16"));
    for (const [what, e] of Object.entries(errs)) expect(e, what).toBeLessThan(1e-4);
  });
});

describe("loadGeneformer sources and errors", () => {
  let server: Server;
  let base = "";
  beforeAll(async () => {
    server = createServer((req, res) => {
      const file = join(REF, "relu-f32", (req.url ?? "").split("/").pop() as string);
      let body: Buffer;
      try {
        body = readFileSync(file);
      } catch {
        res.writeHead(404).end();
        return;
      }
      const m = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? "");
      if (req.method === "HEAD") res.writeHead(200, { "content-length": body.length }).end();
      else if (m)
        res.writeHead(206, { "content-length": Number(m[2]) - Number(m[1]) + 1 }).end(body.subarray(Number(m[1]), Number(m[2]) + 1));
      else res.writeHead(200, { "content-length": body.length }).end(body);
    });
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    const a = server.address();
    base = `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}/relu-f32`;
  });
  afterAll(() => new Promise((ok) => server.close(ok)));

  it("reads a URL prefix with range requests, and bytes, to the same embeddings", async () => {
    const exp = expected("relu-f32");
    const a = await loadGeneformer(base);
    const dir = join(REF, "relu-f32");
    const b = await loadGeneformer({
      config: readFileSync(join(dir, "config.json")),
      weights: new Blob([readFileSync(join(dir, "model.safetensors"))]),
    });
    const cells = exp.cells.slice(0, 3);
    expect((await a.embedCells(cells)).data).toEqual((await b.embedCells(cells)).data);
  });

  it("a Hugging Face cache folder (model.safetensors a link to a blob elsewhere) loads, weights read in place or copied", async () => {
    // onnxruntime-node refuses external data outside the folder it resolves against: we point it at the real file
    const root = mkdtempSync(join(tmpdir(), "hyped-gf-cache-"));
    try {
      const dir = join(REF, "relu-f32");
      mkdirSync(join(root, "blobs"));
      mkdirSync(join(root, "snapshots", "abc"), { recursive: true });
      copyFileSync(join(dir, "model.safetensors"), join(root, "blobs", "0123abcd"));
      copyFileSync(join(dir, "config.json"), join(root, "snapshots", "abc", "config.json"));
      symlinkSync("../../blobs/0123abcd", join(root, "snapshots", "abc", "model.safetensors"));
      const cells = expected("relu-f32").cells.slice(0, 3);
      const linked = await loadGeneformer(join(root, "snapshots", "abc"));
      const copied = await loadGeneformer(join(root, "snapshots", "abc"), { externalWeights: false });
      const a = (await linked.embedCells(cells)).data;
      const b = (await copied.embedCells(cells)).data;
      for (let i = 0; i < a.length; i++) expect(Math.abs((a[i] as number) - (b[i] as number))).toBeLessThan(1e-5);
      await Promise.all([linked.dispose(), copied.dispose()]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("needs only the encoder's tensors: a file without position_ids or the masked-LM head loads", async () => {
    // gelu-bf16 was written without bert.embeddings.position_ids and cls.predictions.*; relu-f32 with them
    const model = await loadGeneformer(join(REF, "gelu-bf16"));
    expect(model.dim).toBe(8);
    expect(model.numLayers).toBe(3);
  });

  it("rejects bad configs, missing tensors, wrong shapes, bad cells and layers with typed errors", async () => {
    const dir = join(REF, "relu-f32");
    const config = JSON.parse(readFileSync(join(dir, "config.json"), "utf8"));
    const weights = readFileSync(join(dir, "model.safetensors"));
    const code = async (p: Promise<unknown>) => {
      try {
        await p;
      } catch (e) {
        return isHypedError(e) ? e.code : `untyped: ${e}`;
      }
      return "no error";
    };
    expect(await code(loadGeneformer({ config: { ...config, hidden_act: "mish" }, weights }))).toBe("UNSUPPORTED");
    expect(await code(loadGeneformer({ config: { ...config, position_embedding_type: "relative_key" }, weights }))).toBe("UNSUPPORTED");
    expect(await code(loadGeneformer({ config: { ...config, num_attention_heads: 3 }, weights }))).toBe("FORMAT");
    expect(await code(loadGeneformer({ config: { ...config, intermediate_size: 17 }, weights }))).toBe("FORMAT");
    expect(await code(loadGeneformer({ config: "{not json", weights }))).toBe("FORMAT");
    expect(await code(loadGeneformer({ config, weights: writeSafetensors({ x: { shape: [1], data: Float32Array.of(1) } }) }))).toBe(
      "FORMAT",
    );
    expect(await code(loadGeneformer(join(REF, "no-such-model")))).toBe("NOT_FOUND");
    const m = await loadGeneformer({ config, weights });
    expect(await code(m.embedCells([[5, 300]]))).toBe("OUT_OF_RANGE");
    expect(await code(m.embedCells([[]]))).toBe("OUT_OF_RANGE");
    expect(await code(m.embedCells([Array(2049).fill(5)]))).toBe("OUT_OF_RANGE");
    expect(await code(m.embedCells([[5]], { layer: -4 }))).toBe("OUT_OF_RANGE");
    expect(await code(m.embedCells([[5]], { layer: 1 }))).toBe("OUT_OF_RANGE");
    const ac = new AbortController();
    ac.abort();
    expect(await code(m.embedCells([[5]], { signal: ac.signal }))).toBe("ABORTED");
    const s = await loadGeneformer({ config, weights }, { tokenDictionary: SPECIAL });
    expect(await code(s.embedCells([[5, 6, 3]], { pooling: "cls" }))).toBe("INVALID_ARGUMENT");
    expect(await code(s.embedCells([[2, 3]]))).toBe("INVALID_ARGUMENT");
  });

  it("reports progress per batch and embeds every cell in input order", async () => {
    const m = await loadGeneformer(join(REF, "relu-f32"));
    const cells = [[5, 6, 7], [8], [9, 10, 11, 12, 13], [8]];
    const events: number[] = [];
    const all = await m.embedCells(cells, { maxBatchSize: 1, onProgress: (e) => events.push(e.done) });
    expect(events.at(-1)).toBe(4);
    expect(all.shape).toEqual([4, 8]);
    expect(all.data.slice(8, 16)).toEqual(all.data.slice(24, 32)); // the two [8] cells
    const one = await m.embedCells([cells[2] as number[]]);
    Array.from(one.data).forEach((x, h) => {
      expect(all.data[16 + h]).toBeCloseTo(x, 5);
    });
  });
});

describe("progress and cancellation", () => {
  const dir = join(REF, "relu-f32");
  const code = async (p: Promise<unknown>) =>
    p.then(
      () => "no error",
      (e) => (isHypedError(e) ? e.code : `untyped: ${e}`),
    );

  it("loading reports progress in tensors, up to the total, and stops with ABORTED when cancelled part-way", async () => {
    for (const externalWeights of [true, false]) {
      const events: Array<[number, number | undefined]> = [];
      const m = await loadGeneformer(dir, { externalWeights, onProgress: (e) => events.push([e.done, e.total]) });
      const [done, total] = events.at(-1) ?? [0, 0];
      expect(done).toBe(total); // 5 embedding tensors + 16 per layer
      expect(total).toBe(5 + 16 * m.numLayers);
      await m.dispose();
      const ac = new AbortController();
      const seen: number[] = [];
      const aborted = loadGeneformer(dir, {
        externalWeights,
        signal: ac.signal,
        onProgress: (e) => {
          seen.push(e.done);
          ac.abort(); // at the first report (progress is throttled to one report per 100 ms)
        },
      });
      expect(await code(aborted)).toBe("ABORTED");
      expect(Math.max(...seen)).toBeLessThan(total as number);
    }
  });

  it("embedCells stops between batches when cancelled part-way", async () => {
    const m = await loadGeneformer(dir);
    const ac = new AbortController();
    const done: number[] = [];
    const cells = [[5, 6], [7], [8, 9, 10], [11]];
    const run = m.embedCells(cells, {
      maxBatchSize: 1,
      signal: ac.signal,
      onProgress: (e) => {
        done.push(e.done);
        if (e.done === 1) ac.abort();
      },
    });
    expect(await code(run)).toBe("ABORTED");
    expect(Math.max(...done)).toBeLessThan(cells.length);
    await m.dispose();
  });
});

describe("lengthBuckets", () => {
  it("sorts by length, longest first, and fills batches up to the token budget", () => {
    expect(lengthBuckets([3, 100, 7, 100, 1], 250, 64)).toEqual([
      [1, 3],
      [2, 0, 4],
    ]);
    expect(lengthBuckets([3, 3, 3], 4096, 2)).toEqual([[0, 1], [2]]);
    expect(lengthBuckets([5000, 2], 4096, 64)).toEqual([[0], [1]]);
    expect(lengthBuckets([], 10, 2)).toEqual([]);
  });
});
