"""Write PeerMobileNetV2.cs: torchvision's mobilenet_v2 declared for ConvGen, found by walking its module tree.

    /usr/bin/python3 Tests/Networks/make_mobilenetv2.py            # rewrites Tests/Networks/PeerMobileNetV2.cs
    /usr/bin/python3 Tests/Networks/make_mobilenetv2.py --check    # exits 1 if the committed file differs

Every layer that owns tensors is named after its module path, so the layer owns exactly the state_dict keys PyTorch
gives it (`features.0.0.weight`, `features.1.conv.0.1.running_mean`, ..., `classifier.1.bias`) and the peers'
weights.safetensors loads unchanged. The walk knows the modules mobilenet_v2 is made of and what their forward does:

- Sequential and Conv2dNormActivation run their children in order;
- InvertedResidual runs `conv` and, when `use_res_connect` (stride 1, in == out channels), returns `x + conv(x)`:
  an `Add` of the block's input, named after the block (`features.3`) so the next block can read it;
- MobileNetV2.forward runs `features`, then `adaptive_avg_pool2d(x, 1)`, `flatten(x, 1)` and `classifier`.

Any other module stops the walk with its path. Before writing, the keys each declared layer owns are compared with
`model.state_dict()` (BatchNorm's num_batches_tracked aside): a missing or extra key fails the script.
"""
import pathlib
import sys

import torch.nn as nn
import torchvision
from torchvision.models.mobilenetv2 import InvertedResidual
from torchvision.ops.misc import Conv2dNormActivation

OUT = pathlib.Path(__file__).resolve().parent / "PeerMobileNetV2.cs"


def pair(v):
    """An int for a square tuple, else the C# int[] spelling."""
    v = tuple(v) if isinstance(v, (tuple, list)) else (v, v)
    return str(v[0]) if v[0] == v[1] else "new[] { %d, %d }" % v


class Layer:
    def __init__(self, attribute, args, name=None, keys=()):
        self.attribute, self.args, self.name, self.keys = attribute, list(args), name, list(keys)

    def render(self):
        args = self.args + ([f'Name = "{self.name}"'] if self.name else [])
        return f"{self.attribute}({', '.join(args)})" if args else self.attribute


class Walk:
    def __init__(self):
        self.layers = []   # Layer, in forward order
        self.groups = []   # (first layer index, label): one attribute list per top-level block

    def begin(self, label):
        self.groups.append((len(self.layers), label))

    def add(self, layer):
        self.layers.append(layer)

    def name_of_last(self, fallback):
        """The name of the current output (the last layer's), naming it if it has none."""
        last = self.layers[-1]
        if last.name is None:
            last.name = fallback
        return last.name

    def module(self, m, path):
        if isinstance(m, nn.Conv2d):
            if m.padding_mode != "zeros":
                sys.exit(f"{path}: padding_mode {m.padding_mode} is not handled by this script")
            args = [str(m.out_channels), pair(m.kernel_size)]
            if tuple(m.stride) != (1, 1): args.append(f"Stride = {pair(m.stride)}")
            if tuple(m.padding) != (0, 0): args.append(f"Padding = {pair(m.padding)}")
            if tuple(m.dilation) != (1, 1): args.append(f"Dilation = {pair(m.dilation)}")
            if m.groups != 1: args.append(f"Groups = {m.groups}")
            if m.bias is None: args.append("Bias = false")
            self.add(Layer("Conv2d", args, path, ["weight"] + (["bias"] if m.bias is not None else [])))
        elif isinstance(m, nn.BatchNorm2d):
            if not (m.affine and m.track_running_stats):
                sys.exit(f"{path}: BatchNorm2d without affine parameters or running statistics")
            self.add(Layer("BatchNorm2d", [] if m.eps == 1e-5 else [f"Eps = {m.eps!r}"], path,
                           ["weight", "bias", "running_mean", "running_var"]))
        elif isinstance(m, nn.ReLU6):
            self.add(Layer("ReLU6", []))
        elif isinstance(m, nn.ReLU):
            self.add(Layer("ReLU", []))
        elif isinstance(m, nn.Dropout):
            self.add(Layer("Dropout", [repr(m.p)]))
        elif isinstance(m, nn.Linear):
            self.add(Layer("Linear", [str(m.out_features)] + ([] if m.bias is not None else ["Bias = false"]), path,
                           ["weight"] + (["bias"] if m.bias is not None else [])))
        elif isinstance(m, InvertedResidual):
            block_input = self.name_of_last(f"{path}.input") if m.use_res_connect else None
            self.module(m.conv, f"{path}.conv")
            if m.use_res_connect:
                self.add(Layer("Add", [f'"{block_input}"'], path))
        elif isinstance(m, (nn.Sequential, Conv2dNormActivation)):
            for child, sub in m.named_children():
                self.module(sub, f"{path}.{child}")
        else:
            sys.exit(f"{path}: {type(m).__name__} has no ConvGen mapping in this script")


def declaration(model):
    walk = Walk()
    for child, block in model.features.named_children():
        walk.begin(f"features.{child}")
        walk.module(block, f"features.{child}")
    walk.begin("head")
    # MobileNetV2._forward_impl: adaptive_avg_pool2d(x, (1, 1)), torch.flatten(x, 1), then the classifier.
    walk.add(Layer("AdaptiveAvgPool2d", ["1"]))
    walk.add(Layer("Flatten", []))
    for child, sub in model.classifier.named_children():
        walk.module(sub, f"classifier.{child}")

    declared = sorted(f"{layer.name}.{key}" for layer in walk.layers for key in layer.keys)
    expected = sorted(k for k in model.state_dict() if not k.endswith("num_batches_tracked"))
    if declared != expected:
        sys.exit(f"declared keys differ from the state_dict: missing {sorted(set(expected) - set(declared))}, "
                 f"extra {sorted(set(declared) - set(expected))}")

    bounds = [start for start, _ in walk.groups] + [len(walk.layers)]
    lines = [
        f"// <auto-generated by Tests/Networks/make_mobilenetv2.py from torchvision {torchvision.__version__}'s mobilenet_v2; do not edit>",
        "using ConvGen;",
        "",
        "namespace ConvGen.Networks;",
        "",
        "/// <summary>",
        "/// torchvision <c>mobilenet_v2()</c>: width 1.0, 3x224x224 input, 1000 classes, ReLU6, inverted residuals with Add.",
        "/// Layers are named after their state_dict keys, so torchvision's (and the peers') weights load unchanged.",
        "/// </summary>",
        "[Network(3, 224, 224)]",
    ]
    for (start, label), end in zip(walk.groups, bounds[1:]):
        lines.append("[" + ", ".join(layer.render() for layer in walk.layers[start:end]) + "]")
    lines.append("public partial class PeerMobileNetV2;")
    return "\n".join(lines) + "\n", len(declared)


def main():
    model = torchvision.models.mobilenet_v2(weights=None).eval()
    text, keys = declaration(model)
    if "--check" in sys.argv:
        if OUT.read_text(encoding="utf-8") != text:
            sys.exit(f"{OUT} differs from what the script writes: rerun it")
        print(f"{OUT.name} is up to date")
        return
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT} ({keys} state_dict tensors)")


if __name__ == "__main__":
    main()
