/**
 * Bundled by browser.test.ts for headless Chromium: runs the fidelity check with onnxruntime-web, reading the
 * reference models over HTTP (URL prefix, range requests) exactly as a browser user would.
 */
import { loadGeneformer } from "../index.js";
import { type Expected, fidelity } from "./fidelity.js";

const SPECIAL = { "<pad>": 0, "<mask>": 1, "<cls>": 2, "<eos>": 3 };

async function run(base: string, name: string, tanh = false): Promise<{ runtime: string; errors: Record<string, number> }> {
  const exp = (await (await fetch(`${base}/${name}/expected.json`)).json()) as Expected;
  if (tanh) {
    const config = { ...(await (await fetch(`${base}/${name}/config.json`)).json()), hidden_act: "gelu_pytorch_tanh" };
    const weights = new Uint8Array(await (await fetch(`${base}/${name}/model.safetensors`)).arrayBuffer());
    const m = await loadGeneformer({ config, weights });
    return { runtime: m.runtime, errors: await fidelity(m, m, exp) };
  }
  const model = await loadGeneformer(`${base}/${name}`);
  const special = await loadGeneformer(`${base}/${name}`, { tokenDictionary: SPECIAL });
  const errors = await fidelity(model, special, exp);
  await Promise.all([model.dispose(), special.dispose()]);
  return { runtime: model.runtime, errors };
}

(globalThis as unknown as { geneformerFidelity: typeof run }).geneformerFidelity = run;
document.body.dataset.state = "ready";
