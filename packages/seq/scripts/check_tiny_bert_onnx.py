"""Checks packages/seq/reference/perturb/tiny-bert.onnx (written by make_tiny_bert_onnx.ts) with the ONNX
project's own tools (Debian python3-onnx 1.12): the full checker, strict shape inference, and the declared
inputs/outputs. Writes tiny-bert.check.json beside it; the TS test compares its own view of the model with it.
Run: /usr/bin/python3 packages/seq/scripts/check_tiny_bert_onnx.py
"""
import json
import os

import onnx
from onnx import numpy_helper, shape_inference

HERE = os.path.join(os.path.dirname(__file__), "..", "reference", "perturb")
model = onnx.load(os.path.join(HERE, "tiny-bert.onnx"))
onnx.checker.check_model(model, full_check=True)
inferred = shape_inference.infer_shapes(model, check_type=True, strict_mode=True)


def dims(v):
    return [d.dim_param if d.dim_param else d.dim_value for d in v.type.tensor_type.shape.dim]


info = {
    "onnx": onnx.__version__,
    "ir_version": model.ir_version,
    "opset": [[o.domain, o.version] for o in model.opset_import],
    "inputs": [[v.name, v.type.tensor_type.elem_type, dims(v)] for v in model.graph.input],
    "outputs": [[v.name, v.type.tensor_type.elem_type, dims(v)] for v in model.graph.output],
    "n_nodes": len(model.graph.node),
    "n_initializers": len(model.graph.initializer),
    "ops": sorted({n.op_type for n in model.graph.node}),
    "word_emb_first": [float(x) for x in numpy_helper.to_array(model.graph.initializer[0]).ravel()[:4]],
    "inferred_value_infos": len(inferred.graph.value_info),
}
json.dump(info, open(os.path.join(HERE, "tiny-bert.check.json"), "w"), indent=1)
print(json.dumps(info))
