"""torchvision's MobileNetV3-Small (width 0.5, reduced tail, 10 classes) with fixed random weights, exported for ConvGen
with Export/convgen_export.py, and PyTorch's outputs for four inputs: what the MobileNetV3 sample loads and checks.

    /usr/bin/python3 Samples/MobileNetV3/make_mobilenetv3.py

(Debian's torch 1.13 and torchvision 0.14.1 live under /usr/bin/python3.) No training: the weights are torchvision's
initialisation with a fixed seed (the classifier drawn wider, so the outputs are of order 1), and every BatchNorm gets random affine parameters and the running statistics of 128
random inputs, as training leaves them (so the untrained stack still responds to its input). Its blocks use what the
2026-12 layers added: Hardswish and Hardsigmoid, and squeeze-excitation gates (a C×1×1 gate times the C×H×W map).

Writes, next to this script (committed; the C# sample needs no Python):

    MobileNetV3Small.cs                 the declaration the exporter wrote (namespace MobileNetV3Sample)
    MobileNetV3Small.safetensors        its weights (the state_dict, keyed by torchvision's module paths)
    mobilenetv3.reference.safetensors   "inputs" [4, 3, 64, 64] and PyTorch's "outputs" [4, 10], eval mode
"""
import os
import subprocess
import sys

import torch
import torchvision.models as tvm

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
sys.path.insert(0, os.path.join(HERE, "..", "Common"))
from sample_tools import seed_everything, calibrate_batchnorm, write_reference  # noqa: E402

SEED = 20261202
INPUT = (3, 64, 64)


def build():
    """The module the exporter traces (called by convgen_export.py as make_mobilenetv3.py:build)."""
    seed_everything(SEED)
    model = tvm.mobilenet_v3_small(width_mult=0.5, reduced_tail=True, num_classes=10)
    # torchvision draws the classifier from N(0, 0.01), which leaves outputs near 1e-3, below what the contract's bound
    # (1e-4 · max(1, max|y|)) can tell apart: N(0, 1/in) gives outputs of order 1.
    for m in model.classifier:
        if isinstance(m, torch.nn.Linear):
            torch.nn.init.normal_(m.weight, 0.0, m.in_features ** -0.5)
    calibrate_batchnorm(model, torch.randn(128, *INPUT))
    return model.eval()


def main():
    # Paths relative to the repository root, so the declaration's header names no machine's folders.
    subprocess.run([sys.executable, "Export/convgen_export.py", "Samples/MobileNetV3/make_mobilenetv3.py:build",
                    "--input", ",".join(map(str, INPUT)), "--out", "Samples/MobileNetV3", "--name", "MobileNetV3Small",
                    "--namespace", "MobileNetV3Sample"], check=True, cwd=ROOT)
    model = build()
    inputs = torch.randn(4, *INPUT, generator=torch.Generator().manual_seed(SEED + 1))
    outputs = write_reference(model, inputs, os.path.join(HERE, "mobilenetv3.reference.safetensors"))
    print("parameters", sum(p.numel() for p in model.parameters()))
    print("outputs", outputs)


if __name__ == "__main__":
    main()
