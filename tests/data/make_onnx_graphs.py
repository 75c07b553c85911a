#!/usr/bin/env python3
"""Makes the hand-built ONNX graphs under tests/data/onnx/ with onnx.helper (Debian's python3-onnx).

  convs.onnx     [B, 4, 8, 8] -> Conv 3x3 (4 -> 8, pad 1) -> Relu -> depthwise Conv 3x3 (group 8,
                 pad 1) -> grouped Conv 1x1 (group 2) -> Flatten -> Gemm (transB, 512 -> 10)
  unpriced.onnx  [B, 8] -> MatMul 8x16 + bias -> Tanh -> MatMul 16x4 -> Sigmoid

Weights are seeded random values; only their shapes matter to the tests.

    /usr/bin/python3 tests/data/make_onnx_graphs.py
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "onnx")
rng = np.random.default_rng(0)


def weight(name, *shape):
    return numpy_helper.from_array(rng.standard_normal(shape).astype(np.float32), name)


def save(name, nodes, inputs, outputs, initializers):
    graph = helper.make_graph(nodes, name, inputs, outputs, initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="make_onnx_graphs.py")
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(HERE, name + ".onnx"))


def main():
    os.makedirs(HERE, exist_ok=True)
    save("convs",
         [helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], name="/features.0/Conv", kernel_shape=[3, 3],
                           pads=[1, 1, 1, 1]),
          helper.make_node("Relu", ["c1"], ["r1"], name="/features.1/Relu"),
          helper.make_node("Conv", ["r1", "w2"], ["c2"], name="/features.2/Conv", kernel_shape=[3, 3],
                           pads=[1, 1, 1, 1], group=8),
          helper.make_node("Conv", ["c2", "w3", "b3"], ["c3"], name="/features.3/Conv", kernel_shape=[1, 1], group=2),
          helper.make_node("Flatten", ["c3"], ["f"], name="/Flatten"),
          helper.make_node("Gemm", ["f", "w4", "b4"], ["y"], name="/head/Gemm", transB=1)],
         [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 4, 8, 8])],
         [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 10])],
         [weight("w1", 8, 4, 3, 3), weight("b1", 8), weight("w2", 8, 1, 3, 3), weight("w3", 8, 4, 1, 1),
          weight("b3", 8), weight("w4", 10, 512), weight("b4", 10)])
    save("unpriced",
         [helper.make_node("MatMul", ["x", "w1"], ["m1"], name="/fc1/MatMul"),
          helper.make_node("Add", ["m1", "b1"], ["a1"], name="/fc1/Add"),
          helper.make_node("Tanh", ["a1"], ["t"], name="/act/Tanh"),
          helper.make_node("MatMul", ["t", "w2"], ["m2"], name="/fc2/MatMul"),
          helper.make_node("Sigmoid", ["m2"], ["y"], name="/out/Sigmoid")],
         [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 8])],
         [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 4])],
         [weight("w1", 8, 16), weight("b1", 16), weight("w2", 16, 4)])


if __name__ == "__main__":
    main()
