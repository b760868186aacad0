#!/usr/bin/python3
"""Reference outputs for `loadGeneformer` (packages/seq/src/geneformer/model).

Writes small random-weight BERT models in Hugging Face's `BertForMaskedLM` layout (config.json +
model.safetensors) and, from a numpy forward pass written to follow transformers' `BertModel` step by step
(absolute positions, token type 0, post-LayerNorm layers with `layer_norm_eps`, the activation named by
`hidden_act`, additive padding mask of `finfo(float32).min`), the expected hidden states and Geneformer
EmbExtractor-style cell embeddings (emb_layer -1/0, mean over tokens with and without <cls>/<eos>, cls).

The forward pass runs in float64 on the stored weights (F16/BF16 widened exactly), as `from_pretrained` does
with its default float32 dtype up to rounding.

Usage (Debian's python3 with numpy and scipy; torch/transformers are not needed):
    /usr/bin/python3 packages/seq/scripts/make_geneformer_model_reference.py
    /usr/bin/python3 packages/seq/scripts/make_geneformer_model_reference.py --bench <model dir> --cells N --tokens T --rounds R
The second form times the numpy forward pass (float32) for `pnpm bench geneformer` and prints JSON.
"""
import json
import math
import os
import struct
import sys
import time

import numpy as np
from scipy.special import erf

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference", "geneformer-model")

# ---------------------------------------------------------------- safetensors


def bf16_bits(x):
    u = np.asarray(x, dtype=np.float32).view(np.uint32).astype(np.uint64)
    r = (u + 0x7FFF + ((u >> 16) & 1)) >> 16
    return r.astype(np.uint16)


def write_safetensors(path, tensors, dtype):
    header, blobs, at = {"__metadata__": {"format": "pt"}}, [], 0
    for name, arr in tensors.items():
        a = np.asarray(arr, dtype=np.float32)
        if name.endswith("position_ids"):
            raw, dt = np.asarray(arr, dtype="<i8").tobytes(), "I64"
        elif dtype == "F32":
            raw, dt = a.astype("<f4").tobytes(), "F32"
        elif dtype == "F16":
            raw, dt = a.astype("<f2").tobytes(), "F16"
        else:
            raw, dt = bf16_bits(a).astype("<u2").tobytes(), "BF16"
        header[name] = {"dtype": dt, "shape": list(np.shape(arr)), "data_offsets": [at, at + len(raw)]}
        blobs.append(raw)
        at += len(raw)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    base, out = 8 + n, {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        b, end = e["data_offsets"]
        raw = data[base + b : base + end]
        if e["dtype"] == "F32":
            a = np.frombuffer(raw, "<f4")
        elif e["dtype"] == "F16":
            a = np.frombuffer(raw, "<f2").astype(np.float32)
        elif e["dtype"] == "BF16":
            a = (np.frombuffer(raw, "<u2").astype(np.uint32) << 16).view(np.float32)
        elif e["dtype"] == "I64":
            a = np.frombuffer(raw, "<i8")
        else:
            raise ValueError(e["dtype"])
        out[name] = a.reshape(e["shape"])
    return out


# ---------------------------------------------------------------- BertModel, step by step


def act_fn(name):
    if name == "gelu":  # transformers' GELUActivation: x * 0.5 * (1 + erf(x / sqrt(2)))
        return lambda x: x * 0.5 * (1.0 + erf(x / math.sqrt(2.0)))
    if name in ("gelu_new", "gelu_pytorch_tanh"):
        return lambda x: 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x**3)))
    if name == "relu":
        return lambda x: np.maximum(x, 0)
    raise ValueError(name)


def layer_norm(x, w, b, eps):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


def bert_forward(W, cfg, ids, mask, dtype=np.float64, act=None):
    """BertModel(input_ids, attention_mask, output_hidden_states=True).hidden_states, as a list of arrays."""
    P = "bert."
    g = lambda k: W[P + k].astype(dtype)  # noqa: E731
    eps = cfg["layer_norm_eps"]
    B, S = ids.shape
    # BertEmbeddings: word + token_type(0) + absolute position, LayerNorm (dropout is identity in eval)
    x = g("embeddings.word_embeddings.weight")[ids]
    x = x + g("embeddings.token_type_embeddings.weight")[np.zeros_like(ids)]
    x = x + g("embeddings.position_embeddings.weight")[np.arange(S)][None]
    h = layer_norm(x, g("embeddings.LayerNorm.weight"), g("embeddings.LayerNorm.bias"), eps)
    # get_extended_attention_mask: (1 - mask) * finfo(dtype).min, broadcast over heads and query positions
    ext = ((1.0 - mask.astype(dtype)) * np.finfo(np.float32).min)[:, None, None, :].astype(dtype)
    nh = cfg["num_attention_heads"]
    hd = cfg["hidden_size"] // nh
    f = act or act_fn(cfg["hidden_act"])
    hs = [h]
    for i in range(cfg["num_hidden_layers"]):
        L = f"encoder.layer.{i}."
        lin = lambda t, n: t @ g(L + n + ".weight").T + g(L + n + ".bias")  # noqa: E731
        heads = lambda t: t.reshape(B, S, nh, hd).transpose(0, 2, 1, 3)  # noqa: E731
        q = heads(lin(h, "attention.self.query"))
        k = heads(lin(h, "attention.self.key"))
        v = heads(lin(h, "attention.self.value"))
        scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(hd) + ext
        scores = scores - scores.max(-1, keepdims=True)
        p = np.exp(scores)
        p = p / p.sum(-1, keepdims=True)
        ctx = (p @ v).transpose(0, 2, 1, 3).reshape(B, S, nh * hd)
        a = layer_norm(lin(ctx, "attention.output.dense") + h, g(L + "attention.output.LayerNorm.weight"), g(L + "attention.output.LayerNorm.bias"), eps)
        inter = f(lin(a, "intermediate.dense"))
        h = layer_norm(lin(inter, "output.dense") + a, g(L + "output.LayerNorm.weight"), g(L + "output.LayerNorm.bias"), eps)
        hs.append(h)
    return hs


# ---------------------------------------------------------------- Geneformer pooling (EmbExtractor.get_embs)


def cell_embs(hidden, lengths, cls_present, eos_present):
    out = []
    for b, n in enumerate(lengths):
        if cls_present:
            e = hidden[b, 1:]
            n = n - 2 if eos_present else n - 1
        else:
            e = hidden[b]
        out.append(e[:n].sum(0) / n)
    return np.stack(out)


# ---------------------------------------------------------------- models


def random_model(rng, cfg, with_extras):
    H, I, V, P, T = cfg["hidden_size"], cfg["intermediate_size"], cfg["vocab_size"], cfg["max_position_embeddings"], cfg["type_vocab_size"]
    s = 0.5
    W = {
        "bert.embeddings.word_embeddings.weight": rng.normal(0, 1, (V, H)),
        "bert.embeddings.position_embeddings.weight": rng.normal(0, 1, (P, H)),
        "bert.embeddings.token_type_embeddings.weight": rng.normal(0, 1, (T, H)),
        "bert.embeddings.LayerNorm.weight": 1 + rng.normal(0, 0.1, H),
        "bert.embeddings.LayerNorm.bias": rng.normal(0, 0.1, H),
    }
    if with_extras:
        W["bert.embeddings.position_ids"] = np.arange(P)[None]
    for i in range(cfg["num_hidden_layers"]):
        L = f"bert.encoder.layer.{i}."
        for n in ("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"):
            W[L + n + ".weight"] = rng.normal(0, s, (H, H))
            W[L + n + ".bias"] = rng.normal(0, 0.1, H)
        # GELU models: pre-activations near -2.5, where the tanh approximation is ~1% off, so that it is told apart
        gelu = cfg["hidden_act"] == "gelu"
        W[L + "intermediate.dense.weight"] = rng.normal(0, 0.1 if gelu else s, (I, H))
        W[L + "intermediate.dense.bias"] = rng.normal(-2.5 if gelu else 0, 0.1, I)
        W[L + "output.dense.weight"] = rng.normal(0, 5.0 if gelu else s, (H, I))
        W[L + "output.dense.bias"] = rng.normal(0, 0.1, H)
        for n in ("attention.output.LayerNorm", "output.LayerNorm"):
            W[L + n + ".weight"] = 1 + rng.normal(0, 0.1, H)
            W[L + n + ".bias"] = rng.normal(0, 0.1, H)
    if with_extras:  # the masked-LM head: not used for embeddings
        W["cls.predictions.bias"] = rng.normal(0, 0.1, V)
        W["cls.predictions.transform.dense.weight"] = rng.normal(0, s, (H, H))
        W["cls.predictions.transform.dense.bias"] = rng.normal(0, 0.1, H)
        W["cls.predictions.transform.LayerNorm.weight"] = np.ones(H)
        W["cls.predictions.transform.LayerNorm.bias"] = np.zeros(H)
        W["cls.predictions.decoder.weight"] = W["bert.embeddings.word_embeddings.weight"]
    return W


def config(**kw):
    c = {
        "architectures": ["BertForMaskedLM"],
        "model_type": "bert",
        "attention_probs_dropout_prob": 0.02,
        "hidden_dropout_prob": 0.02,
        "initializer_range": 0.02,
        "pad_token_id": 0,
        "position_embedding_type": "absolute",
        "type_vocab_size": 2,
        "use_cache": True,
        "vocab_size": 300,
        "hidden_size": 8,
        "num_attention_heads": 2,
        "num_hidden_layers": 3,
        "intermediate_size": 16,
        "max_position_embeddings": 2048,
    }
    c.update(kw)
    return c


MODELS = {
    "relu-f32": (config(hidden_act="relu", layer_norm_eps=1e-12, torch_dtype="float32"), "F32", True),
    "gelu-bf16": (config(hidden_act="gelu", layer_norm_eps=1e-5, torch_dtype="bfloat16"), "BF16", False),
    "gelu-f16": (config(hidden_act="gelu", layer_norm_eps=1e-3, torch_dtype="float16"), "F16", True),
}
SPECIAL = {"<pad>": 0, "<mask>": 1, "<cls>": 2, "<eos>": 3}


def make_cells(rng, V):
    cells = []
    for n in (1, 7, 100, 2048):
        if n == 1:
            cells.append([int(rng.integers(4, V))])
            continue
        genes = rng.choice(np.arange(4, V), size=n - 2, replace=n - 2 > V - 4).tolist()
        cells.append([2] + [int(g) for g in genes] + [3])  # <cls> genes <eos>, as V2 encodes cells
    return cells


def run_cells(W, cfg, cells, act=None):
    """Each cell alone (no padding) and all together in one padded batch: both must agree."""
    S = max(len(c) for c in cells)
    ids = np.zeros((len(cells), S), dtype=np.int64)
    mask = np.zeros((len(cells), S), dtype=np.int64)
    for b, c in enumerate(cells):
        ids[b, : len(c)] = c
        mask[b, : len(c)] = 1
    return bert_forward(W, cfg, ids, mask, act=act), [len(c) for c in cells]


def main():
    rng = np.random.default_rng(23)
    os.makedirs(OUT, exist_ok=True)
    summary = {}
    for name, (cfg, dtype, extras) in MODELS.items():
        d = os.path.join(OUT, name)
        os.makedirs(d, exist_ok=True)
        W = random_model(rng, cfg, extras)
        write_safetensors(os.path.join(d, "model.safetensors"), W, dtype)
        with open(os.path.join(d, "config.json"), "w") as f:
            json.dump(cfg, f, indent=2)
        Ws = read_safetensors(os.path.join(d, "model.safetensors"))  # the stored (rounded) weights
        cells = make_cells(rng, cfg["vocab_size"])
        hs, lens = run_cells(Ws, cfg, cells)
        L = cfg["num_hidden_layers"]
        exp = {"cells": cells, "layers": {}}
        for emb_layer in (-1, 0):
            hid = hs[L + emb_layer]
            exp["layers"][str(emb_layer)] = {
                "mean_all": cell_embs(hid, lens, False, False).tolist(),
                "mean_special": [None] + cell_embs(hid[1:], lens[1:], True, True).tolist(),
                "cls": hid[:, 0].tolist(),
            }
        exp["hidden_states_cell1"] = [h[1, : lens[1]].tolist() for h in hs]  # every layer, the 7-token cell
        # a padded batch must give the same as each cell alone
        for b, c in enumerate(cells[:3]):
            alone = bert_forward(Ws, cfg, np.array([c]), np.ones((1, len(c)), dtype=np.int64))
            assert np.allclose(alone[-1][0], hs[-1][b, : len(c)], atol=1e-10), "padding changed a cell"
        if cfg["hidden_act"] == "gelu":  # the tanh approximation must be told apart at the tests' tolerance
            hs_t, _ = run_cells(Ws, cfg, cells, act=act_fn("gelu_new"))
            a = cell_embs(hs[L - 1], lens, False, False)
            t = cell_embs(hs_t[L - 1], lens, False, False)
            rel = np.abs(a - t).max(1) / np.abs(a).max(1)
            assert rel.min() > 5e-4, rel
            summary[name] = {"tanh_gelu_rel_diff_min": float(rel.min())}
        with open(os.path.join(d, "expected.json"), "w") as f:
            json.dump(exp, f, separators=(",", ":"))
    print(json.dumps(summary))


def bench(model_dir, n_cells, n_tokens, rounds):
    with open(os.path.join(model_dir, "config.json")) as f:
        cfg = json.load(f)
    W = read_safetensors(os.path.join(model_dir, "model.safetensors"))
    rng = np.random.default_rng(1)
    ids = rng.integers(4, cfg["vocab_size"], size=(n_cells, n_tokens))
    mask = np.ones_like(ids)
    times, cpu = [], []
    for _ in range(rounds):
        t0, c0 = time.perf_counter(), time.process_time()
        for b in range(n_cells):  # one cell per forward pass, as Geneformer's batches of equal-length cells
            bert_forward(W, cfg, ids[b : b + 1], mask[b : b + 1], dtype=np.float32)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)  # CPU seconds of all the process's threads
    print(json.dumps({"cells": n_cells, "tokens": n_tokens, "seconds": times, "cpu_seconds": cpu}))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--bench":
        a = sys.argv[2:]
        opt = lambda k, d: int(a[a.index(k) + 1]) if k in a else d  # noqa: E731
        bench(a[0], opt("--cells", 2), opt("--tokens", 2048), opt("--rounds", 1))
    else:
        main()
