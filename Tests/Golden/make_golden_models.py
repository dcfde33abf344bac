"""Golden data for the layers of the contract's 2026-12 row (the model families issue): the activations Hardsigmoid,
Hardtanh, PReLU, ELU, Softplus and Mish; Add/Subtract/Multiply with PyTorch broadcasting and with numbers; Parameter
operands; MaxPool2d(return_indices) + MaxUnpool2d; Chunk/Split; Permute; LayerNorm and LayerNorm2d;
StochasticDepth; and the blocks that need them (squeeze-excitation, MobileNetV3, EfficientNet MBConv, ShuffleNetV2,
ConvNeXt, SegNet, Highway), built from torchvision's own modules where torchvision has them.

    /usr/bin/python3 Tests/Golden/make_golden_models.py

(from the repository root; Debian's torch 1.13 and torchvision 0.14.1). A sibling of make_golden.py, sharing its
safetensors writer and conventions, with its own seeds (5000 + case index) and manifest, so that the two tables grow
independently. Writes, per case:

    Tests/Golden/data/<case>.safetensors      model.state_dict() as PyTorch names it
    Tests/Golden/data/<case>.io.safetensors   "input" and "output" = model(input) in eval mode, batch removed
    Tests/Golden/data/model_cases.json        name, C# class, input/output shapes, parameters() count, and every
                                              state_dict key with its shape
    Tests/ConvGen.Tests/Golden/ModelGoldenDeclarations.cs
                                              each case's C# declaration as source text

The declarations are source text, not compiled classes, while the generator reports CG0012 ("valid, but no code yet")
for these layers: ModelGoldenAnalysisTests runs the generator on each and checks that it reports nothing but CG0012,
and that its analysis agrees with PyTorch on the output shape, the parameter count and every state_dict key and
shape. When the planner and runtime generate code for them, make_golden.py's machinery (GoldenNetworks.cs) is the
place for the compiled twins: move the cases there, or emit partial classes from here.

Every case is deterministic (torch.manual_seed, one thread, files written in state_dict order). Parameters that a
constructor fills with one constant (PReLU's 0.25, LayerNorm's ones and zeros, ConvNeXt's layer_scale 1e-6) are
randomised, as BatchNorm statistics are, so that a missing or misplaced term changes the output.
"""
import argparse
import json
import os
import sys
from functools import partial

import torch
import torch.nn as nn
import torch.nn.functional as F

from make_golden import DATA, HERE, pascal, randomise_batchnorm, write_case

sys.path.insert(0, os.path.join(HERE, "..", "..", "Export"))
import convgen_export  # noqa: E402  (its interpreter of ConvGen's semantics cross-checks the hand-written declarations)

import torchvision
from torchvision.ops import SqueezeExcitation, StochasticDepth
from torchvision.models.mobilenetv3 import InvertedResidual as MobileNetV3Block, InvertedResidualConfig
from torchvision.models.efficientnet import MBConv, MBConvConfig
from torchvision.models.shufflenetv2 import InvertedResidual as ShuffleNetV2Unit
from torchvision.models.convnext import CNBlock, LayerNorm2d

DEFAULT_CS_OUT = os.path.join(HERE, "..", "ConvGen.Tests", "Golden", "ModelGoldenDeclarations.cs")
MANIFEST = os.path.join(DATA, "model_cases.json")

CASES = []


def case(name, shape, cs, scale=1.0, cls=None, quantize=None):
    """quantize: round the input to multiples of this step, so that max pooling windows hold ties."""
    def register(builder):
        CASES.append(dict(name=name, shape=shape, build=builder, cs=cs, scale=scale, cls=cls or pascal(name),
                          quantize=quantize))
        return builder
    return register


def randomise_constant_parameters(model):
    """Parameters whose every element is equal (a constructor's constant) get spread out around that value."""
    with torch.no_grad():
        for _, p in model.named_parameters():
            flat = p.reshape(-1)
            if flat.numel() > 1 and bool((flat == flat[0]).all()):
                base = flat[0].item()
                p.copy_(base + 0.3 * max(abs(base), 1.0) * torch.randn_like(p))


class Graph(nn.Module):
    """A module whose forward is a lambda over its submodules (the graph cases)."""

    def __init__(self, forward, **modules):
        super().__init__()
        for k, v in modules.items():
            setattr(self, k, v)
        self._forward = forward

    def forward(self, x):
        return self._forward(self, x)


def conv(i, o, k=3, **kw):
    return nn.Conv2d(i, o, k, padding=k // 2, **kw)


# ----------------------------------------------------------------------------- activations (after a conv, input x3)
@case("act_hardsigmoid", [3, 6, 6], ["[Conv2d(4, 3, Padding = 1), Hardsigmoid]"], scale=3.0)
def _(): return nn.Sequential(conv(3, 4), nn.Hardsigmoid())

@case("act_hardtanh", [3, 6, 6], ["[Conv2d(4, 3, Padding = 1), Hardtanh]"], scale=3.0)
def _(): return nn.Sequential(conv(3, 4), nn.Hardtanh())

@case("act_hardtanh_range", [3, 6, 6], ["[Conv2d(4, 3, Padding = 1), Hardtanh(-0.5, 2.0)]"], scale=3.0)
def _(): return nn.Sequential(conv(3, 4), nn.Hardtanh(-0.5, 2.0))

# One slope shared by all channels (PReLU()), randomised away from 0.25 per element only when there are several.
@case("act_prelu_shared", [3, 6, 6], ["[Conv2d(4, 3, Padding = 1), PReLU]"], scale=3.0)
def _(): return nn.Sequential(conv(3, 4), nn.PReLU(init=-0.3))

@case("act_prelu_channels", [3, 6, 6], ["[Conv2d(4, 3, Padding = 1), PReLU(4)]"], scale=3.0)
def _(): return nn.Sequential(conv(3, 4), nn.PReLU(4))

# On a flat feature vector the channel dimension is the features: PReLU(16) after Linear(16).
@case("act_prelu_features", [2, 4, 4], ["[Flatten, Linear(16), PReLU(16, Init = 0.1)]"], scale=3.0)
def _(): return nn.Sequential(nn.Flatten(), nn.Linear(32, 16), nn.PReLU(16, init=0.1))

@case("act_elu", [3, 6, 6], ["[Conv2d(4, 3, Padding = 1), ELU]"], scale=3.0)
def _(): return nn.Sequential(conv(3, 4), nn.ELU())

@case("act_elu_alpha", [3, 6, 6], ["[Conv2d(4, 3, Padding = 1), ELU(0.4)]"], scale=3.0)
def _(): return nn.Sequential(conv(3, 4), nn.ELU(alpha=0.4))

@case("act_softplus", [3, 6, 6], ["[Conv2d(4, 3, Padding = 1), Softplus]"], scale=3.0)
def _(): return nn.Sequential(conv(3, 4), nn.Softplus())

# beta 2, threshold 3: beta * x crosses the threshold inside the input range, so both branches are taken.
@case("act_softplus_beta_threshold", [3, 6, 6], ["[Conv2d(4, 3, Padding = 1), Softplus(2.0, 3.0)]"], scale=3.0)
def _(): return nn.Sequential(conv(3, 4), nn.Softplus(beta=2.0, threshold=3.0))

# A negative beta is legal in PyTorch: the linear branch is then taken where beta * x > threshold, i.e. x very negative.
@case("act_softplus_negative_beta", [3, 6, 6], ["[Conv2d(4, 3, Padding = 1), Softplus(Beta = -1.5, Threshold = 2.0)]"], scale=3.0)
def _(): return nn.Sequential(conv(3, 4), nn.Softplus(beta=-1.5, threshold=2.0))

@case("act_mish", [3, 6, 6], ["[Conv2d(4, 3, Padding = 1), Mish]"], scale=3.0)
def _(): return nn.Sequential(conv(3, 4), nn.Mish())

# An activation with nothing before it to fuse into.
@case("act_mish_standalone", [3, 5, 7], ["[Mish, Hardsigmoid]"], scale=4.0)
def _(): return nn.Sequential(nn.Mish(), nn.Hardsigmoid())


# ----------------------------------------------------------------------------- broadcasting Add / Subtract / Multiply
# The gate [C,1,1] is the current output, the map [C,H,W] is named: gate * f.
@case("mul_gate_first", [4, 6, 5], [
    "[Conv2d(4, 3, Padding = 1, Name = \"f\")]",
    "[AdaptiveAvgPool2d(1, From = \"input\"), Conv2d(4, 1, Name = \"g\"), Sigmoid, Multiply(\"f\")]"])
def _(): return Graph(lambda m, x: torch.sigmoid(m.g(F.adaptive_avg_pool2d(x, 1))) * m.f(x),
                      f=conv(4, 4), g=nn.Conv2d(4, 4, 1))

# The map is the current output, the gate is named: f * gate.
@case("mul_gate_second", [4, 6, 5], [
    "[AdaptiveAvgPool2d(1), Conv2d(4, 1, Name = \"g\"), Sigmoid(Name = \"gate\")]",
    "[Conv2d(4, 3, Padding = 1, From = \"input\", Name = \"f\"), Multiply(\"gate\")]"])
def _(): return Graph(lambda m, x: m.f(x) * torch.sigmoid(m.g(F.adaptive_avg_pool2d(x, 1))),
                      f=conv(4, 4), g=nn.Conv2d(4, 4, 1))

# Spatial attention: a [1,H,W] map scales every channel (CBAM's second half).
@case("mul_spatial_map", [4, 6, 5], [
    "[Conv2d(1, 3, Padding = 1, Name = \"s\"), Sigmoid, Multiply(\"input\")]"])
def _(): return Graph(lambda m, x: torch.sigmoid(m.s(x)) * x, s=conv(4, 1))

# Coordinate attention: [C,H,1] * [C,1,W] broadcasts both ways into [C,H,W].
@case("mul_outer", [3, 6, 5], [
    "[AdaptiveAvgPool2d(new[] { 6, 1 }, Name = \"h\")]",
    "[AdaptiveAvgPool2d(new[] { 1, 5 }, From = \"input\", Name = \"w\")]",
    "[Multiply(\"h\", \"w\"), Multiply(\"input\")]"])
def _(): return Graph(lambda m, x: (F.adaptive_avg_pool2d(x, (6, 1)) * F.adaptive_avg_pool2d(x, (1, 5))) * x)

@case("add_channel_bias_first", [4, 6, 5], [
    "[Conv2d(4, 3, Padding = 1, Name = \"f\")]",
    "[AdaptiveMaxPool2d(1, From = \"input\"), Add(\"f\")]"])
def _(): return Graph(lambda m, x: F.adaptive_max_pool2d(x, 1) + m.f(x), f=conv(4, 4))

@case("add_channel_bias_second", [4, 6, 5], [
    "[AdaptiveMaxPool2d(1, Name = \"b\")]",
    "[Conv2d(4, 3, Padding = 1, From = \"input\", Name = \"f\"), Add(\"b\")]"])
def _(): return Graph(lambda m, x: m.f(x) + F.adaptive_max_pool2d(x, 1), f=conv(4, 4))

# x - mean over positions (instance centring): [C,H,W] - [C,1,1], then [C,1,1] - [C,H,W] in the other order.
@case("sub_broadcast", [4, 6, 5], [
    "[AdaptiveAvgPool2d(1, Name = \"mean\")]",
    "[Subtract(\"input\", \"mean\"), ReLU(Name = \"centred\")]",
    "[Subtract(\"mean\", \"centred\")]"])
def _():
    def forward(m, x):
        mean = F.adaptive_avg_pool2d(x, 1)
        return mean - F.relu(x - mean)
    return Graph(forward)

# Three operands, one of them broadcast: a + b - c and a * b * c, in written order.
@case("arith_three", [3, 5, 6], [
    "[Conv2d(4, 3, Padding = 1, Name = \"a\")]",
    "[Conv2d(4, 1, From = \"input\", Name = \"b\")]",
    "[AdaptiveAvgPool2d(1, Name = \"c\")]",
    "[Subtract(\"a\", \"b\", \"c\", Name = \"d\")]",
    "[Multiply(\"a\", \"c\", \"d\"), Add(\"b\")]"])
def _():
    def forward(m, x):
        a, b = m.a(x), m.b(x)
        c = F.adaptive_avg_pool2d(b, 1)
        d = a - b - c
        return a * c * d + b
    return Graph(forward, a=conv(3, 4), b=nn.Conv2d(3, 4, 1))

# Numbers: x + 3, relu6, * x, * (1/6): Hardswish written out (PyTorch divides by 6; 1/6 is within a rounding).
@case("scalar_hardswish_by_hand", [3, 6, 6], [
    "[Conv2d(4, 3, Padding = 1, Name = \"x\"), Add(3.0), ReLU6, Multiply(\"x\"), Multiply(1.0 / 6)]"], scale=3.0)
def _(): return Graph(lambda m, x: (lambda y: y * F.relu6(y + 3.0) * (1.0 / 6))(m.x(x)), x=conv(3, 4))

@case("scalar_ops", [3, 6, 6], [
    "[Conv2d(4, 3, Padding = 1, Name = \"c\"), Multiply(-2.0), Add(0.5), Tanh(Name = \"t\"), Subtract(1.0, \"t\")]"], scale=2.0)
def _(): return Graph(lambda m, x: 1.0 - torch.tanh(m.c(x) * -2.0 + 0.5), c=conv(3, 4))


# ----------------------------------------------------------------------------- Parameter operands
# ConvNeXt's layer scale: a learned [C,1,1] times the branch.
@case("param_scale", [4, 5, 6], [
    "[Conv2d(4, 3, Padding = 1, Name = \"conv\", Bias = false)]",
    "[Parameter(4, 1, 1, Name = \"scale\"), Multiply(\"conv\")]"])
def _():
    m = Graph(lambda m, x: m.scale * m.conv(x), conv=conv(4, 4, bias=False))
    m.scale = nn.Parameter(torch.randn(4, 1, 1))
    return m

# A learned full-size [C,H,W] (a positional embedding) added to the map, and a learned scalar (SAGAN's gamma).
@case("param_embedding_and_scalar", [3, 5, 6], [
    "[Conv2d(4, 3, Padding = 1, Name = \"conv\")]",
    "[Parameter(4, 5, 6, Name = \"pos\"), Add(\"conv\", Name = \"pos_added\")]",
    "[Parameter(Name = \"gamma\"), Multiply(\"pos_added\")]"])
def _():
    m = Graph(lambda m, x: m.gamma * (m.pos + m.conv(x)), conv=conv(3, 4))
    m.pos = nn.Parameter(torch.randn(4, 5, 6))
    m.gamma = nn.Parameter(torch.tensor(0.7))
    return m

# A parameter with the batch dimension spelt out ([1,C,1,1]) and one on the last axis only ([W]), as operands
# in the second position.
@case("param_rank_and_trailing", [4, 5, 6], [
    "[Conv2d(4, 1, Name = \"conv\")]",
    "[Parameter(1, 4, 1, 1, Name = \"bias4d\"), Add(\"conv\", \"bias4d\", Name = \"b\")]",
    "[Parameter(6, Name = \"column\"), Multiply(\"b\", \"column\")]"])
def _():
    m = Graph(lambda m, x: (m.conv(x) + m.bias4d) * m.column, conv=nn.Conv2d(4, 4, 1))
    m.bias4d = nn.Parameter(torch.randn(1, 4, 1, 1))
    m.column = nn.Parameter(torch.randn(6))
    return m


# ----------------------------------------------------------------------------- torchvision blocks
# torchvision.ops.SqueezeExcitation with MobileNetV3's Hardsigmoid: scale * input.
@case("se_block", [8, 6, 6], [
    "[AdaptiveAvgPool2d(1), Conv2d(4, 1, Name = \"fc1\"), ReLU, Conv2d(8, 1, Name = \"fc2\"), Hardsigmoid, Multiply(\"input\")]"])
def _(): return SqueezeExcitation(8, 4, scale_activation=nn.Hardsigmoid)

# MobileNetV3's inverted residual: expand 1x1 + Hardswish, depthwise 3x3 + Hardswish, SE (ReLU, Hardsigmoid),
# project 1x1, residual.
@case("mobilenetv3_block", [8, 7, 7], [
    "[Conv2d(16, 1, Bias = false, Name = \"block.0.0\"), BatchNorm2d(Name = \"block.0.1\"), Hardswish]",
    "[Conv2d(16, 3, Padding = 1, Groups = 16, Bias = false, Name = \"block.1.0\"), BatchNorm2d(Name = \"block.1.1\"), Hardswish(Name = \"dw\")]",
    "[AdaptiveAvgPool2d(1), Conv2d(8, 1, Name = \"block.2.fc1\"), ReLU, Conv2d(16, 1, Name = \"block.2.fc2\"), Hardsigmoid, Multiply(\"dw\")]",
    "[Conv2d(8, 1, Bias = false, Name = \"block.3.0\"), BatchNorm2d(Name = \"block.3.1\"), Add(\"input\")]"])
def _(): return MobileNetV3Block(InvertedResidualConfig(8, 3, 16, 8, True, "HS", 1, 1, 1.0), nn.BatchNorm2d)

# EfficientNet's MBConv (expand 4, kernel 3, stride 1): SiLU, SE with SiLU and Sigmoid, StochasticDepth (a no-op in
# eval mode), residual.
@case("efficientnet_mbconv", [8, 7, 7], [
    "[Conv2d(32, 1, Bias = false, Name = \"block.0.0\"), BatchNorm2d(Name = \"block.0.1\"), SiLU]",
    "[Conv2d(32, 3, Padding = 1, Groups = 32, Bias = false, Name = \"block.1.0\"), BatchNorm2d(Name = \"block.1.1\"), SiLU(Name = \"dw\")]",
    "[AdaptiveAvgPool2d(1), Conv2d(2, 1, Name = \"block.2.fc1\"), SiLU, Conv2d(32, 1, Name = \"block.2.fc2\"), Sigmoid, Multiply(\"dw\")]",
    "[Conv2d(8, 1, Bias = false, Name = \"block.3.0\"), BatchNorm2d(Name = \"block.3.1\"), StochasticDepth(0.2, \"row\"), Add(\"input\")]"])
def _(): return MBConv(MBConvConfig(4, 3, 1, 8, 8, 1), 0.2, nn.BatchNorm2d)

# ShuffleNetV2's stride-1 unit: x1, x2 = x.chunk(2, dim=1); cat(x1, branch2(x2)); channel_shuffle(2).
@case("shufflenet_unit", [8, 6, 6], [
    "[Chunk(2, 0, Name = \"x1\")]",
    "[Chunk(2, 1, From = \"input\"), Conv2d(4, 1, Bias = false, Name = \"branch2.0\"), BatchNorm2d(Name = \"branch2.1\"), ReLU]",
    "[Conv2d(4, 3, Padding = 1, Groups = 4, Bias = false, Name = \"branch2.3\"), BatchNorm2d(Name = \"branch2.4\")]",
    "[Conv2d(4, 1, Bias = false, Name = \"branch2.5\"), BatchNorm2d(Name = \"branch2.6\"), ReLU(Name = \"b2\")]",
    "[Concat(\"x1\", \"b2\"), ChannelShuffle(2)]"])
def _(): return ShuffleNetV2Unit(8, 8, 1)

# ConvNeXt's block: depthwise 7x7, Permute to channels last, LayerNorm(eps 1e-6), Linear x4, GELU, Linear,
# Permute back, layer_scale * branch, StochasticDepth, residual.
@case("convnext_block", [8, 9, 9], [
    "[Conv2d(8, 7, Padding = 3, Groups = 8, Name = \"block.0\"), Permute(0, 2, 3, 1), LayerNorm(8, Eps = 1e-6, Name = \"block.2\")]",
    "[Linear(32, Name = \"block.3\"), GELU, Linear(8, Name = \"block.5\"), Permute(0, 3, 1, 2, Name = \"branch\")]",
    "[Parameter(8, 1, 1, Name = \"layer_scale\"), Multiply(\"branch\"), StochasticDepth(0.1, \"row\"), Add(\"input\")]"])
def _(): return CNBlock(8, 1e-6, 0.1)

# ConvNeXt's downsampling: LayerNorm2d (over the channels at each position), then a 2x2 stride-2 conv.
@case("convnext_downsample", [8, 8, 6], [
    "[LayerNorm2d(8, Eps = 1e-6), Conv2d(16, 2, Stride = 2)]"])
def _(): return nn.Sequential(LayerNorm2d(8, eps=1e-6), nn.Conv2d(8, 16, 2, stride=2))


# ----------------------------------------------------------------------------- LayerNorm, Permute
@case("layernorm_last", [3, 5, 6], ["[Conv2d(4, 3, Padding = 1), LayerNorm(6)]"])
def _(): return nn.Sequential(conv(3, 4), nn.LayerNorm(6))

@case("layernorm_last_two_eps", [3, 5, 6], ["[Conv2d(4, 3, Padding = 1), LayerNorm(5, 6, Eps = 1e-3)]"])
def _(): return nn.Sequential(conv(3, 4), nn.LayerNorm((5, 6), eps=1e-3))

@case("layernorm_no_affine", [3, 5, 6], ["[Conv2d(4, 3, Padding = 1), LayerNorm(6, ElementwiseAffine = false)]"])
def _(): return nn.Sequential(conv(3, 4), nn.LayerNorm(6, elementwise_affine=False))

@case("layernorm_features", [2, 4, 4], ["[Flatten, Linear(16), LayerNorm(16), ReLU, Linear(5)]"])
def _(): return nn.Sequential(nn.Flatten(), nn.Linear(32, 16), nn.LayerNorm(16), nn.ReLU(), nn.Linear(16, 5))

@case("layernorm2d", [5, 4, 6], ["[Conv2d(6, 3, Padding = 1), LayerNorm2d(6)]"])
def _(): return nn.Sequential(conv(5, 6), LayerNorm2d(6))

@case("permute_channels_last", [3, 5, 6], ["[Conv2d(4, 3, Padding = 1), Permute(0, 2, 3, 1)]"])
def _(): return nn.Sequential(conv(3, 4), torchvision.ops.Permute([0, 2, 3, 1]))

# Negative dims, and an order that is not channels-last: (batch, W, C, H).
@case("permute_negative_dims", [3, 5, 6], ["[Permute(0, -1, 1, -2), Linear(4)]"])
def _(): return nn.Sequential(torchvision.ops.Permute([0, -1, 1, -2]), nn.Linear(5, 4))

@case("permute_linear_roundtrip", [4, 5, 6], ["[Permute(0, 2, 3, 1), Linear(7), GELU, Permute(0, 3, 1, 2), Conv2d(3, 1)]"])
def _(): return nn.Sequential(torchvision.ops.Permute([0, 2, 3, 1]), nn.Linear(4, 7), nn.GELU(),
                              torchvision.ops.Permute([0, 3, 1, 2]), nn.Conv2d(7, 3, 1))

@case("permute_1d", [3, 10], ["[Conv1d(4, 3, Padding = 1), Permute(0, 2, 1), Linear(5)]"])
def _(): return nn.Sequential(nn.Conv1d(3, 4, 3, padding=1), torchvision.ops.Permute([0, 2, 1]), nn.Linear(4, 5))


# ----------------------------------------------------------------------------- Chunk, Split
# 7 channels into 3 chunks: pieces of 3, 3 and 1; the last.
@case("chunk_uneven_last", [7, 4, 5], ["[Chunk(3, 2), Conv2d(2, 1, Name = \"c\")]"])
def _(): return Graph(lambda m, x: m.c(x.chunk(3, dim=1)[2]), c=nn.Conv2d(1, 2, 1))

# 5 channels into 4 chunks: pieces of 2, so only 3 pieces (2, 2, 1); index -2 is the second.
@case("chunk_fewer_negative_index", [5, 4, 5], ["[Conv2d(5, 1, Name = \"c\"), Chunk(4, -2)]"])
def _(): return Graph(lambda m, x: m.c(x).chunk(4, dim=1)[-2], c=nn.Conv2d(5, 5, 1))

@case("chunk_height", [3, 7, 5], ["[Chunk(2, 1, Dim = 2), Conv2d(2, 1, Name = \"c\")]"])
def _(): return Graph(lambda m, x: m.c(x.chunk(2, dim=2)[1]), c=nn.Conv2d(3, 2, 1))

@case("chunk_width_last_dim", [3, 4, 7], ["[Conv2d(3, 1, Name = \"c\"), Chunk(3, 1, Dim = -1)]"])
def _(): return Graph(lambda m, x: m.c(x).chunk(3, dim=-1)[1], c=nn.Conv2d(3, 3, 1))

@case("split_size", [7, 4, 5], ["[Conv2d(7, 1, Name = \"c\"), Split(3, 1, Name = \"mid\")]",
                                "[Split(3, 2, From = \"input\"), Concat(\"mid\")]"])
def _():
    def forward(m, x):
        return torch.cat([torch.split(x, 3, dim=1)[2], torch.split(m.c(x), 3, dim=1)[1]], 1)
    return Graph(forward, c=nn.Conv2d(7, 7, 1))

@case("split_sections", [7, 4, 5], ["[Split(new[] { 2, 5 }, 1), Conv2d(3, 1, Name = \"c\")]"])
def _(): return Graph(lambda m, x: m.c(torch.split(x, [2, 5], dim=1)[1]), c=nn.Conv2d(5, 3, 1))

@case("chunk_1d", [6, 9], ["[Chunk(2, 0, Name = \"a\")]", "[Chunk(2, 1, From = \"input\"), Multiply(\"a\")]"])
def _(): return Graph(lambda m, x: x.chunk(2, 1)[1] * x.chunk(2, 1)[0])


# ----------------------------------------------------------------------------- MaxPool2d(return_indices) + MaxUnpool2d
# SegNet-style on an odd size: 9x7 pools to 4x3, and output_size=e.size() restores 9x7 (the default would be 8x6).
class SegNetTiny(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.Conv2d(2, 4, 3, padding=1)
        self.pool = nn.MaxPool2d(2, return_indices=True)
        self.mid = nn.Conv2d(4, 4, 3, padding=1)
        self.unpool = nn.MaxUnpool2d(2)
        self.dec = nn.Conv2d(4, 2, 3, padding=1)

    def forward(self, x):
        e = F.relu(self.enc(x))
        p, indices = self.pool(e)
        m = F.relu(self.mid(p))
        return self.dec(self.unpool(m, indices, output_size=e.size()))


@case("segnet_odd", [2, 9, 7], [
    "[Conv2d(4, 3, Padding = 1, Name = \"enc\"), ReLU, MaxPool2d(2, ReturnIndices = true, Name = \"pool\")]",
    "[Conv2d(4, 3, Padding = 1, Name = \"mid\"), ReLU, MaxUnpool2d(2, Indices = \"pool\", OutputSize = new[] { 9, 7 }), Conv2d(2, 3, Padding = 1, Name = \"dec\")]"])
def _(): return SegNetTiny()

# Pool and unpool back to back on an input of a few integer levels: windows full of ties, where PyTorch keeps the
# first maximum in row-major order.
@case("unpool_ties", [3, 8, 6], ["[MaxPool2d(2, ReturnIndices = true, Name = \"p\"), MaxUnpool2d(2, Indices = \"p\")]"],
      scale=1.0, quantize=1.0)
def _():
    pool, unpool = nn.MaxPool2d(2, return_indices=True), nn.MaxUnpool2d(2)
    return Graph(lambda m, x: unpool(*pool(x)))

# Overlapping windows (k3 s2 p1): one input element can be the maximum of two windows, so two values land on one
# position; with a conv in between they differ, and PyTorch's CPU kernel keeps the one written last (row-major).
@case("unpool_overlapping", [2, 7, 8], [
    "[MaxPool2d(3, Stride = 2, Padding = 1, ReturnIndices = true, Name = \"p\"), Conv2d(2, 3, Padding = 1, Name = \"c\")]",
    "[MaxUnpool2d(3, Stride = 2, Padding = 1, Indices = \"p\", OutputSize = new[] { 7, 8 })]"], quantize=0.5)
def _():
    pool, unpool = nn.MaxPool2d(3, stride=2, padding=1, return_indices=True), nn.MaxUnpool2d(3, stride=2, padding=1)
    def forward(m, x):
        p, i = pool(x)
        return unpool(m.c(p), i, output_size=x.size())
    return Graph(forward, c=conv(2, 2))

# Dilation and ceil mode in the pool; the unpool's own kernel differs from the pool's (only the indices matter).
@case("unpool_dilated_ceil", [2, 9, 10], [
    "[MaxPool2d(2, Stride = 2, Dilation = 2, CeilMode = true, ReturnIndices = true, Name = \"p\")]",
    "[MaxUnpool2d(3, Stride = 2, Indices = \"p\", OutputSize = new[] { 9, 10 })]"])
def _():
    pool, unpool = nn.MaxPool2d(2, stride=2, dilation=2, ceil_mode=True, return_indices=True), nn.MaxUnpool2d(3, stride=2)
    return Graph(lambda m, x: (lambda p, i: unpool(p, i, output_size=x.size()))(*pool(x)))


# ----------------------------------------------------------------------------- Highway gates: t * h + (1 - t) * x
@case("highway_linear", [3, 4], [
    "[Flatten(Name = \"x\"), Linear(12, Name = \"h\"), ReLU(Name = \"H\")]",
    "[Linear(12, From = \"x\", Name = \"t\"), Sigmoid(Name = \"T\"), Multiply(\"H\", Name = \"TH\")]",
    "[Subtract(1.0, \"T\"), Multiply(\"x\"), Add(\"TH\")]"], scale=2.0)
def _():
    def forward(m, x):
        x = torch.flatten(x, 1)
        h, t = F.relu(m.h(x)), torch.sigmoid(m.t(x))
        return t * h + (1 - t) * x
    return Graph(forward, h=nn.Linear(12, 12), t=nn.Linear(12, 12))

@case("highway_conv", [4, 6, 5], [
    "[Conv2d(4, 3, Padding = 1, Name = \"h\"), ReLU(Name = \"H\")]",
    "[Conv2d(4, 1, From = \"input\", Name = \"t\"), Sigmoid(Name = \"T\"), Multiply(\"H\", Name = \"TH\")]",
    "[Subtract(1.0, \"T\"), Multiply(\"input\"), Add(\"TH\")]"], scale=2.0)
def _():
    def forward(m, x):
        h, t = F.relu(m.h(x)), torch.sigmoid(m.t(x))
        return t * h + (1 - t) * x
    return Graph(forward, h=conv(4, 4), t=nn.Conv2d(4, 4, 1))


# ----------------------------------------------------------------------------- max unpooling, more layouts and shapes
# (appended after every other case, so that their seeds, 5000 + index, stay as they were)
# Two SegNet levels on 28 channels: the convolutions write the channel-blocked layout (28 of 32 lanes), so the pools
# with indices and the unpools run blocked, padding lanes included; the decoder unpools in the reverse order.
class SegNetTwoLevels(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc1, self.enc2 = conv(3, 28), conv(28, 28)
        self.pool1, self.pool2 = nn.MaxPool2d(2, return_indices=True), nn.MaxPool2d(2, return_indices=True)
        self.mid, self.dec2, self.dec1 = conv(28, 28), conv(28, 28), conv(28, 3)
        self.unpool = nn.MaxUnpool2d(2)

    def forward(self, x):
        p1, i1 = self.pool1(F.relu(self.enc1(x)))
        p2, i2 = self.pool2(F.relu(self.enc2(p1)))
        m = F.relu(self.mid(p2))
        d2 = F.relu(self.dec2(self.unpool(m, i2)))
        return self.dec1(self.unpool(d2, i1))


@case("unpool_segnet_blocked", [3, 12, 8], [
    "[Conv2d(28, 3, Padding = 1, Name = \"enc1\"), ReLU, MaxPool2d(2, ReturnIndices = true, Name = \"pool1\")]",
    "[Conv2d(28, 3, Padding = 1, Name = \"enc2\"), ReLU, MaxPool2d(2, ReturnIndices = true, Name = \"pool2\")]",
    "[Conv2d(28, 3, Padding = 1, Name = \"mid\"), ReLU, MaxUnpool2d(2, Indices = \"pool2\")]",
    "[Conv2d(28, 3, Padding = 1, Name = \"dec2\"), ReLU, MaxUnpool2d(2, Indices = \"pool1\"), Conv2d(3, 3, Padding = 1, Name = \"dec1\")]"])
def _(): return SegNetTwoLevels()

# A non-square kernel, stride and padding (3x2, stride (2, 1), padding (1, 0)) on integer levels (ties), unpooled with
# the same arguments: the default output size is the pool's input size.
@case("unpool_nonsquare", [3, 9, 8], [
    "[MaxPool2d(new[] { 3, 2 }, Stride = new[] { 2, 1 }, Padding = new[] { 1, 0 }, ReturnIndices = true, Name = \"p\")]",
    "[MaxUnpool2d(new[] { 3, 2 }, Stride = new[] { 2, 1 }, Padding = new[] { 1, 0 }, Indices = \"p\")]"], scale=2.0, quantize=1.0)
def _():
    pool, unpool = nn.MaxPool2d((3, 2), stride=(2, 1), padding=(1, 0), return_indices=True), nn.MaxUnpool2d((3, 2), stride=(2, 1), padding=(1, 0))
    return Graph(lambda m, x: unpool(*pool(x)))

# Values that are not the pool's output: the unpool reads a 1x1 convolution of it (From the pool), in 16 channels.
@case("unpool_blocked_from", [16, 6, 10], [
    "[MaxPool2d(3, Stride = 3, ReturnIndices = true, Name = \"p\"), Conv2d(16, 1, Name = \"c\")]",
    "[MaxUnpool2d(3, Indices = \"p\", OutputSize = new[] { 6, 10 })]"], quantize=0.5)
def _():
    pool, unpool = nn.MaxPool2d(3, stride=3, return_indices=True), nn.MaxUnpool2d(3)
    def forward(m, x):
        p, i = pool(x)
        return unpool(m.c(p), i, output_size=x.size())
    return Graph(forward, c=nn.Conv2d(16, 16, 1))


# ----------------------------------------------------------------------------- PyTorch rules the C# side must match
def check_pytorch_rules():
    torch.manual_seed(54321)
    # torch.chunk: pieces of ceil(size / chunks), fewer when they run out.
    assert [t.shape[1] for t in torch.zeros(1, 5, 2, 2).chunk(4, 1)] == [2, 2, 1]
    assert [t.shape[1] for t in torch.zeros(1, 12, 1, 1).chunk(5, 1)] == [3, 3, 3, 3]
    assert [t.shape[1] for t in torch.zeros(1, 7, 1, 1).split(3, 1)] == [3, 3, 1]
    # Softplus: x itself where beta * x > threshold, else log1p(exp(beta x)) / beta (also for a negative beta).
    x = torch.tensor([-3.0, -1.0, 0.0, 1.0, 1.6, 3.0])
    for beta, threshold in ((1.0, 20.0), (2.0, 3.0), (-1.5, 2.0)):
        ref = torch.where(beta * x > threshold, x, torch.log1p(torch.exp(beta * x)) / beta)
        assert torch.allclose(F.softplus(x, beta, threshold), ref, atol=1e-6), (beta, threshold)
    # MaxPool indices: flat positions in the (unpadded) input plane; a tie keeps the first maximum in row-major order.
    y, i = F.max_pool2d(torch.ones(1, 1, 4, 4), 2, return_indices=True)
    assert i.flatten().tolist() == [0, 2, 8, 10]
    # A NaN is taken wherever it is (val > max || isnan(val)): the last NaN of the window in row-major order.
    nan = float("nan")
    y, i = F.max_pool2d(torch.tensor([[[[nan, 3.0], [7.0, nan]]]]), 2, return_indices=True)
    assert i.flatten().tolist() == [3] and bool(torch.isnan(y).all())
    # MaxUnpool: each value goes to its flat index in the output plane; the last write wins when two share a position.
    v = torch.tensor([[[[1.0, 2.0]]]])
    assert F.max_unpool2d(v, torch.tensor([[[[3, 3]]]]), 2, output_size=(2, 4)).flatten().tolist() == [0, 0, 0, 2.0, 0, 0, 0, 0]
    # MaxUnpool accepts an output_size strictly within a stride of (in - 1) * stride - 2 * padding + kernel.
    F.max_unpool2d(torch.zeros(1, 1, 4, 3), torch.zeros(1, 1, 4, 3, dtype=torch.long), 2, output_size=(9, 7))
    try:
        F.max_unpool2d(torch.zeros(1, 1, 4, 3), torch.zeros(1, 1, 4, 3, dtype=torch.long), 2, output_size=(10, 7))
        raise AssertionError("output_size 10 accepted")
    except ValueError:
        pass
    # LayerNorm: biased variance over the normalised dims.
    t = torch.randn(2, 3, 4)
    ref = (t - t.mean(-1, keepdim=True)) / torch.sqrt(t.var(-1, unbiased=False, keepdim=True) + 1e-5)
    assert torch.allclose(F.layer_norm(t, (4,)), ref, atol=1e-5)
    # Hardsigmoid = relu6(x + 3) / 6; Mish = x * tanh(softplus(x)); ELU; Hardtanh asserts max > min.
    assert torch.allclose(F.hardsigmoid(x), F.relu6(x + 3) / 6)
    assert torch.allclose(F.mish(x), x * torch.tanh(F.softplus(x)))
    assert torch.allclose(F.elu(x, 0.4), torch.where(x > 0, x, 0.4 * (torch.exp(x) - 1)))
    try:
        nn.Hardtanh(1.0, 1.0)
        raise AssertionError("Hardtanh(1, 1) accepted")
    except AssertionError as e:
        assert str(e) != "Hardtanh(1, 1) accepted"
    # A parameter broadcasts from the last dimension: [C,1,1] and [1,C,1,1] against [N,C,H,W].
    p = torch.randn(4, 1, 1)
    assert torch.equal(p * torch.ones(2, 4, 3, 3), p.unsqueeze(0) * torch.ones(2, 4, 3, 3))


# ----------------------------------------------------------------------------- C# emission
def csharp_source(cases):
    lines = [
        "// <auto-generated>",
        "// Written by Tests/Golden/make_golden_models.py from the same table as the golden data; edit the script,",
        "// not this file, and rerun it (see Tests/Golden/README.md).",
        "// </auto-generated>",
        "#nullable enable",
        "",
        "namespace ConvGen.Tests.Golden;",
        "",
        "/// <summary>",
        "/// The C# declarations of the model-family golden cases, as source text: the generator analyses them and reports",
        "/// CG0012 (no code yet) for the layers of the contract's 2026-12 row. See ModelGoldenAnalysisTests.",
        "/// </summary>",
        "internal static class ModelGoldenDeclarations",
        "{",
        "    public static readonly (string Name, string Class, string Source)[] All =",
        "    [",
    ]
    for c in cases:
        shape = ", ".join(str(d) for d in c["shape"])
        lines.append(f"        (\"{c['name']}\", \"{c['cls']}\", \"\"\"")
        lines.append("            using ConvGen;")
        lines.append(f"            [Network({shape})]")
        for attr in c["cs"]:
            lines.append("            " + attr)
        lines.append(f"            public partial class {c['cls']};")
        lines.append("            \"\"\"),")
    lines.append("    ];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cs-out", default=DEFAULT_CS_OUT, help="where to write the C# declarations")
    args = parser.parse_args()

    torch.set_num_threads(1)
    check_pytorch_rules()
    os.makedirs(DATA, exist_ok=True)
    names = [c["name"] for c in CASES]
    assert len(set(names)) == len(names), "duplicate case name"

    manifest = []
    for index, c in enumerate(CASES):
        torch.manual_seed(5000 + index)
        model = c["build"]()
        randomise_batchnorm(model)
        randomise_constant_parameters(model)
        model.eval()
        x = c["scale"] * torch.randn(1, *c["shape"])
        if c["quantize"]:
            x = torch.round(x / c["quantize"]) * c["quantize"]
        with torch.no_grad():
            y = model(x)

        state = model.state_dict()
        write_case(c["name"], c["build"], state, x, y)

        # The C# declaration, run by the exporter's interpreter of ConvGen's semantics on the same tensors, must give
        # PyTorch's output: a check of the declaration as written (wiring, operand order, arguments), in Python.
        declaration = csharp_source([c]).split('"""')[1]
        program = convgen_export.parse_declaration(declaration)
        with torch.no_grad():
            z = convgen_export.interpret(program, dict(state), x)
        assert z.shape == y.shape and (z - y).abs().max().item() <= 1e-5 * max(1.0, y.abs().max().item()), \
            (c["name"], (z - y).abs().max().item())

        parameters = sum(p.numel() for p in model.parameters())
        manifest.append({"name": c["name"], "class": c["cls"], "input": list(x.shape[1:]), "output": list(y.shape[1:]),
                         "parameters": parameters, "tensors": {k: list(v.shape) for k, v in state.items()}})
        print(f"{c['name']:28s} {str(list(x.shape[1:])):14s} -> {str(list(y.shape[1:])):14s} "
              f"max|y| {y.abs().max().item():8.4f}  params {parameters}")

    with open(MANIFEST, "w") as f:
        f.write('{"cases": [\n')
        f.write(",\n".join("  " + json.dumps(m) for m in manifest))
        f.write("\n]}\n")
    os.makedirs(os.path.dirname(os.path.abspath(args.cs_out)), exist_ok=True)
    with open(args.cs_out, "w") as f:
        f.write(csharp_source(CASES))
    print(f"{len(CASES)} cases; manifest {MANIFEST}; C# declarations in {args.cs_out}")


if __name__ == "__main__":
    sys.exit(main())
