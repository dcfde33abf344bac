#!/usr/bin/env python3
"""Every convolutional classification model of torchvision 0.14.1 through the exporter.

    /usr/bin/python3 Export/sweep_torchvision.py [--models resnet18,...] [--weights DIR]

Each model is built with random weights (torch.manual_seed(0)) and randomised BatchNorm statistics, exported with
Export/convgen_export.py (whose self-check runs the declaration with PyTorch ops and compares it with the module on a
random batch), and the declaration is written to Export/sweep/<Class>.cs. Export/sweep/sweep.json records, per model,
the input and output shapes, PyTorch's parameters() count and the state_dict keys and shapes the declaration uses,
for the C# test that analyses every declaration (Tests/ConvGen.Tests/Export/SweepDeclarationTests.cs); the table
goes to Export/SWEEP.md. With --weights DIR the weights (tens to hundreds of MB: not for the repository) and an
io file (input, PyTorch's output) are written there too, for a C# comparison.
"""
import argparse
import json
import os
import sys
import time

import torch
import torchvision.models as tvm

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import convgen_export as ce  # noqa: E402

sys.path.insert(0, os.path.join(HERE, "..", "Tests", "Golden"))
from make_golden import randomise_batchnorm  # noqa: E402  (as the golden data: weight, bias, mean, variance in [0.5, 1.5])

MODELS = [
    ("alexnet", "AlexNet", 224), ("vgg11", "Vgg11", 224), ("vgg16", "Vgg16", 224),
    ("resnet18", "ResNet18", 224), ("resnet50", "ResNet50", 224), ("resnext50_32x4d", "ResNeXt50", 224),
    ("wide_resnet50_2", "WideResNet50", 224), ("mobilenet_v2", "MobileNetV2", 224),
    ("mobilenet_v3_small", "MobileNetV3Small", 224), ("mobilenet_v3_large", "MobileNetV3Large", 224),
    ("efficientnet_b0", "EfficientNetB0", 224), ("shufflenet_v2_x1_0", "ShuffleNetV2", 224),
    ("squeezenet1_0", "SqueezeNet10", 224), ("squeezenet1_1", "SqueezeNet11", 224), ("googlenet", "GoogLeNet", 224),
    ("inception_v3", "InceptionV3", 299), ("densenet121", "DenseNet121", 224), ("mnasnet0_5", "MnasNet05", 224),
    ("regnet_x_400mf", "RegNetX400MF", 224), ("regnet_y_400mf", "RegNetY400MF", 224), ("convnext_tiny", "ConvNeXtTiny", 224),
]

# Layers of the contract's 2026-12 row: the generator reports CG0012 for them until the planner has their kernels.
NEW_LAYERS = {"Hardsigmoid", "Hardtanh", "PReLU", "ELU", "Softplus", "Mish", "Subtract", "Parameter", "MaxUnpool2d",
              "Chunk", "Split", "Permute", "LayerNorm", "LayerNorm2d"}


def needs_new_kernels(result):
    """The 2026-12 layers the declaration uses, and broadcast or number forms of Add/Multiply."""
    kinds = set()
    for layer in result.layers:
        if layer.kind in NEW_LAYERS:
            kinds.add(layer.kind)
        elif layer.kind in ("Add", "Multiply"):
            if layer.pos and isinstance(layer.pos[0], float):
                kinds.add(f"{layer.kind}(number)")
            else:
                shapes = {tuple(o.shape) for o in layer.operands}
                if len(shapes) > 1:
                    kinds.add(f"{layer.kind}(broadcast)")
    return sorted(kinds)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", help="comma-separated subset")
    parser.add_argument("--weights", help="also write weights and an io file (input, PyTorch output) here")
    parser.add_argument("--cs-dir", default=os.path.join(HERE, "sweep"))
    parser.add_argument("--table", default=os.path.join(HERE, "SWEEP.md"))
    args = parser.parse_args()
    torch.set_num_threads(1)
    chosen = [m for m in MODELS if not args.models or m[0] in args.models.split(",")]
    os.makedirs(args.cs_dir, exist_ok=True)
    manifest_path = os.path.join(args.cs_dir, "sweep.json")
    manifest = {}
    if os.path.exists(manifest_path):
        with open(manifest_path) as f:
            manifest = {m["model"]: m for m in json.load(f)["models"]}

    rows = []
    for model_name, cls, size in chosen:
        torch.manual_seed(0)
        model = getattr(tvm, model_name)()
        randomise_batchnorm(model)
        model.eval()
        shape = [3, size, size]
        start = time.time()
        try:
            result = ce.export(model, shape, cls, "ConvGenModels.Torchvision", source_label=f"torchvision.models:{model_name}")
        except ce.ExportError as e:
            rows.append(dict(model=model_name, cls=cls, ok=False, refused=str(e), seconds=time.time() - start))
            print(f"{model_name:20s} REFUSED {e}", flush=True)
            continue
        seconds = time.time() - start
        path = os.path.join(args.cs_dir, cls + ".cs")
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(result.source)
        with torch.no_grad():
            y = model(torch.zeros(1, *shape))
        manifest[model_name] = {
            "model": model_name, "class": cls, "input": shape, "output": list(y.shape[1:]),
            # parameters() of the modules the declaration uses (GoogLeNet's and Inception's auxiliary heads are not).
            "parameters": sum(p.numel() for k, p in model.named_parameters() if k in result.tensors),
            "tensors": {k: list(v.shape) for k, v in result.tensors.items()},
        }
        if args.weights:
            os.makedirs(args.weights, exist_ok=True)
            result.write(args.weights)
            x = torch.randn(1, *shape, generator=torch.Generator().manual_seed(7))
            with torch.no_grad():
                out = model(x)
            ce.write_safetensors({"input": x[0], "output": out[0]}, os.path.join(args.weights, cls + ".io.safetensors"))
        new = needs_new_kernels(result)
        rows.append(dict(model=model_name, cls=cls, ok=True, error=result.max_error, bound=result.tolerance,
                         magnitude=result.tolerance / ce.TOLERANCE, layers=len(result.layers), bytes=len(result.source.encode()),
                         new=new, notes=result.notes, seconds=seconds))
        print(f"{model_name:20s} ok  layers {len(result.layers):4d}  max err {result.max_error:.3g} (bound {result.tolerance:.3g})  "
              f"{len(result.source.encode())} bytes  {seconds:.1f} s  new: {', '.join(new) or '-'}", flush=True)

    with open(manifest_path, "w") as f:
        f.write('{"models": [\n')
        f.write(",\n".join("  " + json.dumps(m) for m in sorted(manifest.values(), key=lambda m: [x[0] for x in MODELS].index(m["model"]))))
        f.write("\n]}\n")
    if not args.models:
        write_table(rows, args.table)


def write_table(rows, path):
    lines = [
        "# torchvision 0.14.1 through the exporter",
        "",
        "Written by `/usr/bin/python3 Export/sweep_torchvision.py` (torch 1.13, random weights with `torch.manual_seed(0)`,",
        "BatchNorm statistics randomised). *Self-check* is the exporter's own: the declaration it writes, parsed back and run",
        "with PyTorch ops on the weights it writes, against the module on a random batch of two; the bound is the contract's",
        "`1e-4 · max(1, max|y|)`. *Needs* lists what the generator does not compile yet (it reports CG0012): the layers of",
        "the contract's 2026-12 row and broadcast or number forms of Add/Multiply. The declarations are in `Export/sweep/`;",
        "`SWEEP_CSHARP.md` has those without such layers compiled by the generator and compared with PyTorch in C#.",
        "",
        "| model | input | pass | self-check max error | bound | layers | declaration bytes | needs (CG0012 until phase 2) | refused |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        size = 299 if r["model"] == "inception_v3" else 224
        if r["ok"]:
            lines.append(f"| {r['model']} | 3×{size}×{size} | yes | {r['error']:.2g} | {r['bound']:.2g} | {r['layers']} | {r['bytes']:,} | "
                         f"{', '.join(r['new']) or '—'} | — |")
        else:
            lines.append(f"| {r['model']} | 3×{size}×{size} | no | | | | | | {r['refused']} |")
    notes = [f"- {r['model']}: {n}" for r in rows if r.get("notes") for n in r["notes"]]
    if notes:
        lines += ["", "Notes:", ""] + notes
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
