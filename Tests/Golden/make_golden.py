"""Golden test data for ConvGen: small networks (nn.Sequential, or a hand-written module with a forward()
for the graph cases), their state_dicts, one input each and PyTorch's output for it.

    /usr/bin/python3 Tests/Golden/make_golden.py [--cs-out PATH]

(run from the repository root; Debian's torch 1.13 lives under /usr/bin/python3, not under the first
`python3` on PATH). Writes, for every case below:

    Tests/Golden/data/<case>.safetensors     model.state_dict() exactly as PyTorch names it (nn.Sequential
                                             indices, or the module's attribute names), F32; BatchNorm's
                                             num_batches_tracked as I64 [].
    Tests/Golden/data/<case>.io.safetensors  "input" [C, H, W] (or [C, L]) and "output" = model(input) in eval
                                             mode, batch dimension removed.
    Tests/Golden/data/cases.json             manifest: name, C# class, input and output shape per case.

and the C# twins of the networks, plus the table the xunit test iterates over, to --cs-out (default
Tests/ConvGen.Tests/Golden/GoldenNetworks.cs). Each case below carries its PyTorch module and its C# declaration
side by side, so adding a case is one edit here.

Everything is deterministic: torch.manual_seed(1000 + case index) before building each case, and the
safetensors files are written by hand (sorted by state_dict order, no timestamps), so rerunning the
script reproduces the same bytes on the same torch version.

The script also asserts the PyTorch behaviours the C# side has to match and that are easy to get wrong
(padding="same" with an even total puts the extra row/column at the end; ceil_mode drops a window that
would start in the right padding; AvgPool's ceil-mode overhang is not counted in the divisor even with
count_include_pad=True; ceil_mode keeps a window that starts in the left padding; Upsample maps back with
the given scale factor; the padding modes), see check_pytorch_rules(), and relations between cases (the
separable Sobel equals the full one), see check_case_relations().
"""
import argparse
import json
import os
import struct
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")
DEFAULT_CS_OUT = os.path.join(HERE, "..", "ConvGen.Tests", "Golden", "GoldenNetworks.cs")

ST_DTYPES = {torch.float32: ("F32", "<f4"), torch.int64: ("I64", "<i8")}


# ----------------------------------------------------------------------------- safetensors writer
def write_safetensors(tensors, path):
    """safetensors: u64 little-endian header length N, then N bytes of JSON
    {name: {"dtype", "shape", "data_offsets": [begin, end]}} (offsets relative to the end of the
    header) padded with spaces to a multiple of 8, then the raw little-endian tensor data in order."""
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        t = t.detach().cpu().contiguous()
        code, np_dtype = ST_DTYPES[t.dtype]
        raw = t.numpy().astype(np_dtype).tobytes()
        header[name] = {"dtype": code, "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    hjson = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hjson += b" " * (-len(hjson) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hjson)))
        f.write(hjson)
        for raw in blobs:
            f.write(raw)


def read_safetensors(path):
    """Reader used only to check what write_safetensors wrote."""
    dtypes = {"F32": torch.float32, "I64": torch.int64}
    with open(path, "rb") as f:
        blob = f.read()
    n = struct.unpack("<Q", blob[:8])[0]
    header = json.loads(blob[8:8 + n])
    out = {}
    for name, spec in header.items():
        begin, end = spec["data_offsets"]
        raw = bytearray(blob[8 + n + begin:8 + n + end])
        out[name] = torch.frombuffer(raw, dtype=dtypes[spec["dtype"]]).reshape(spec["shape"]) if raw else \
            torch.zeros(spec["shape"], dtype=dtypes[spec["dtype"]])
    return out


# ----------------------------------------------------------------------------- helpers
def randomise_batchnorm(model, var_low=0.5, var_high=1.5):
    """Give every BatchNorm non-trivial affine parameters and running statistics, as a trained model
    has (the defaults 1/0/0/1 would hide a missing or misordered term)."""
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            c = m.num_features
            with torch.no_grad():
                m.weight.copy_(1.0 + 0.3 * torch.randn(c))
                m.bias.copy_(0.2 * torch.randn(c))
                m.running_mean.copy_(0.5 * torch.randn(c))
                m.running_var.copy_(var_low + (var_high - var_low) * torch.rand(c))
                m.num_batches_tracked.fill_(1000)


def pascal(name):
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


# ----------------------------------------------------------------------------- the cases
# Each case: (name, input shape [C, H, W] or [C, L], builder() -> nn.Module, C# layer attribute lines, options).
# The C# lines are the attribute lists that follow [Network(C, H, W)], in forward order; positions
# (state_dict indices) count every layer including ReLU, Dropout, Identity and Flatten, as nn.Sequential does.
CASES = []


def case(name, shape, cs, scale=1.0, bn_var=None, cls=None, input_seed=None):
    """input_seed: draw the input from its own generator instead of the case's seed, so that several cases
    can share one input (sobel_separable / sobel_full)."""
    def register(builder):
        CASES.append(dict(name=name, shape=shape, build=builder, cs=cs, scale=scale, bn_var=bn_var,
                          cls=cls or pascal(name), input_seed=input_seed))
        return builder
    return register


# --- convolution
@case("conv_basic", [3, 8, 8], ["[Conv2d(4, 3)]"])
def _(): return nn.Sequential(nn.Conv2d(3, 4, 3))

@case("conv_stride2_pad1", [3, 9, 9], ["[Conv2d(5, 3, Stride = 2, Padding = 1)]"])
def _(): return nn.Sequential(nn.Conv2d(3, 5, 3, stride=2, padding=1))

@case("conv_nonsquare", [2, 9, 11],
      ["[Conv2d(4, new[] { 3, 5 }, Stride = new[] { 2, 1 }, Padding = new[] { 1, 2 })]"])
def _(): return nn.Sequential(nn.Conv2d(2, 4, (3, 5), stride=(2, 1), padding=(1, 2)))

@case("conv_dilation2", [3, 10, 10], ["[Conv2d(4, 3, Dilation = 2, Padding = 1)]"])
def _(): return nn.Sequential(nn.Conv2d(3, 4, 3, dilation=2, padding=1))

@case("conv_groups2", [4, 7, 7], ["[Conv2d(6, 3, Padding = 1, Groups = 2)]"])
def _(): return nn.Sequential(nn.Conv2d(4, 6, 3, padding=1, groups=2))

@case("conv_depthwise", [8, 7, 7], ["[Conv2d(8, 3, Padding = 1, Groups = 8)]"])
def _(): return nn.Sequential(nn.Conv2d(8, 8, 3, padding=1, groups=8))

@case("conv_depthwise_mult2", [4, 7, 7], ["[Conv2d(8, 3, Stride = 2, Padding = 1, Groups = 4)]"])
def _(): return nn.Sequential(nn.Conv2d(4, 8, 3, stride=2, padding=1, groups=4))

# The three-argument form Conv2d(in, out, k), as pasted from PyTorch.
@case("conv_pointwise", [8, 5, 6], ["[Conv2d(8, 16, 1)]"])
def _(): return nn.Sequential(nn.Conv2d(8, 16, 1))

@case("conv_same_odd", [3, 7, 6], ["[Conv2d(4, 3, Padding = \"same\")]"])
def _(): return nn.Sequential(nn.Conv2d(3, 4, 3, padding="same"))

# Even total padding d*(k-1) = 3 on both axes: PyTorch pads 1 before and 2 after.
@case("conv_same_even", [3, 7, 6], ["[Conv2d(4, 4, Padding = \"same\")]"])
def _(): return nn.Sequential(nn.Conv2d(3, 4, 4, padding="same"))

# H: d*(k-1) = 2*3 = 6 -> 3 before, 3 after; W: 3*1 = 3 -> 1 before, 2 after.
@case("conv_same_even_dilated", [2, 9, 8],
      ["[Conv2d(3, new[] { 4, 2 }, Padding = \"same\", Dilation = new[] { 2, 3 })]"])
def _(): return nn.Sequential(nn.Conv2d(2, 3, (4, 2), padding="same", dilation=(2, 3)))

@case("conv_valid", [3, 8, 7], ["[Conv2d(4, 3, Padding = \"valid\")]"])
def _(): return nn.Sequential(nn.Conv2d(3, 4, 3, padding="valid"))

@case("conv_nobias", [3, 8, 8], ["[Conv2d(4, 3, Padding = 1, Bias = false)]"])
def _(): return nn.Sequential(nn.Conv2d(3, 4, 3, padding=1, bias=False))

@case("conv_asym_stride", [3, 7, 9],
      ["[Conv2d(4, 3, Stride = new[] { 1, 2 }, Padding = new[] { 0, 1 })]"])
def _(): return nn.Sequential(nn.Conv2d(3, 4, 3, stride=(1, 2), padding=(0, 1)))

# --- pooling
@case("maxpool_basic", [3, 8, 8], ["[MaxPool2d(2)]"])
def _(): return nn.Sequential(nn.MaxPool2d(2))

@case("maxpool_k3s2p1", [3, 9, 8], ["[MaxPool2d(3, Stride = 2, Padding = 1)]"])
def _(): return nn.Sequential(nn.MaxPool2d(3, stride=2, padding=1))

# 8 -> ceil((8-3)/2)+1 = 4: the last window starts at 6 and is clipped to 6..7 (floor mode would give 3).
@case("maxpool_ceil", [2, 8, 8], ["[MaxPool2d(3, Stride = 2, CeilMode = true)]"])
def _(): return nn.Sequential(nn.MaxPool2d(3, stride=2, ceil_mode=True))

# 5 and 8 with k3 s3 p1: ceil gives 3 windows, but the third would start at 2*3-1 = 5 >= in (5), i.e. in
# the right padding, so PyTorch drops it: out = 2 (H). W: ceil((8+2-3)/3)+1 = 4, 3*3-1 = 8 >= 8: out = 3.
@case("maxpool_ceil_drop", [2, 5, 8], ["[MaxPool2d(3, Stride = 3, Padding = 1, CeilMode = true)]"])
def _(): return nn.Sequential(nn.MaxPool2d(3, stride=3, padding=1, ceil_mode=True))

@case("maxpool_dilation2", [2, 9, 10], ["[MaxPool2d(3, Stride = 1, Padding = 1, Dilation = 2)]"])
def _(): return nn.Sequential(nn.MaxPool2d(3, stride=1, padding=1, dilation=2))

@case("avgpool_basic", [3, 8, 8], ["[AvgPool2d(2)]"])
def _(): return nn.Sequential(nn.AvgPool2d(2))

@case("avgpool_pad_include", [3, 7, 8], ["[AvgPool2d(3, Stride = 2, Padding = 1)]"])
def _(): return nn.Sequential(nn.AvgPool2d(3, stride=2, padding=1))

@case("avgpool_pad_exclude", [3, 7, 8], ["[AvgPool2d(3, Stride = 2, Padding = 1, CountIncludePad = false)]"])
def _(): return nn.Sequential(nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False))

# H 7: (7+2-3)/2 = 3 exactly -> 4. W 6: ceil(5/2)+1 = 4; the last window starts at 5, covers 5 and the
# pad column 6, and its overhang column 7 is beyond in+pad: divisor 3*2 (padding counted, overhang not).
@case("avgpool_ceil", [2, 7, 6], ["[AvgPool2d(3, Stride = 2, Padding = 1, CeilMode = true)]"])
def _(): return nn.Sequential(nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True))

@case("avgpool_ceil_exclude", [2, 7, 6],
      ["[AvgPool2d(3, Stride = 2, Padding = 1, CeilMode = true, CountIncludePad = false)]"])
def _(): return nn.Sequential(nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False))

@case("avgpool_divisor", [2, 6, 6], ["[AvgPool2d(2, DivisorOverride = 3)]"])
def _(): return nn.Sequential(nn.AvgPool2d(2, divisor_override=3))

@case("adaptive_avg_1", [4, 5, 7], ["[AdaptiveAvgPool2d(1)]"])
def _(): return nn.Sequential(nn.AdaptiveAvgPool2d(1))

# Bins: start = floor(i*in/out), end = ceil((i+1)*in/out): H 7 -> [0,3) [2,5) [4,7); W 5 -> [0,2) [1,4) [3,5).
@case("adaptive_avg_3", [3, 7, 5], ["[AdaptiveAvgPool2d(3)]"])
def _(): return nn.Sequential(nn.AdaptiveAvgPool2d(3))

@case("adaptive_max_1", [4, 5, 7], ["[AdaptiveMaxPool2d(1)]"])
def _(): return nn.Sequential(nn.AdaptiveMaxPool2d(1))

# --- batch normalisation
@case("batchnorm_standalone", [4, 5, 6], ["[BatchNorm2d]"])
def _(): return nn.Sequential(nn.BatchNorm2d(4))

@case("conv_bn_relu", [3, 8, 8], ["[Conv2d(6, 3, Padding = 1), BatchNorm2d, ReLU]"])
def _(): return nn.Sequential(nn.Conv2d(3, 6, 3, padding=1), nn.BatchNorm2d(6), nn.ReLU())

# Running variances of the order of eps, so that using 1e-5 instead of 1e-3 changes the output by far more
# than the tolerance.
@case("conv_bn_eps", [3, 8, 8], ["[Conv2d(6, 3, Padding = 1, Bias = false), BatchNorm2d(6, Eps = 1e-3)]"],
      bn_var=(1e-4, 4e-3))
def _(): return nn.Sequential(nn.Conv2d(3, 6, 3, padding=1, bias=False), nn.BatchNorm2d(6, eps=1e-3))

# --- activations (after a conv, input x3 so that values span both signs and the saturating ranges)
@case("act_relu", [3, 6, 6], ["[Conv2d(4, 3, Padding = 1), ReLU]"], scale=3.0)
def _(): return nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU())

@case("act_relu6", [3, 6, 6], ["[Conv2d(4, 3, Padding = 1), ReLU6]"], scale=3.0)
def _(): return nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU6())

@case("act_leaky", [3, 6, 6], ["[Conv2d(4, 3, Padding = 1), LeakyReLU(0.2)]"], scale=3.0)
def _(): return nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.LeakyReLU(0.2))

@case("act_sigmoid", [3, 6, 6], ["[Conv2d(4, 3, Padding = 1), Sigmoid]"], scale=3.0)
def _(): return nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.Sigmoid())

@case("act_tanh", [3, 6, 6], ["[Conv2d(4, 3, Padding = 1), Tanh]"], scale=3.0)
def _(): return nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.Tanh())

# --- linear
@case("linear_after_flatten", [3, 6, 6], ["[Conv2d(4, 3, Stride = 2, Padding = 1), Flatten, Linear(7)]"])
def _(): return nn.Sequential(nn.Conv2d(3, 4, 3, stride=2, padding=1), nn.Flatten(), nn.Linear(36, 7))

@case("linear_chain", [2, 4, 4], ["[Flatten, Linear(16), ReLU, Linear(12), Dropout, Linear(10)]"])
def _(): return nn.Sequential(nn.Flatten(), nn.Linear(32, 16), nn.ReLU(), nn.Linear(16, 12), nn.Dropout(),
                              nn.Linear(12, 10))

# Linear on a [C, H, W] tensor acts on the last dimension (W), as in PyTorch: [3, 4, 5] -> [3, 4, 6].
@case("linear_3d", [2, 6, 7], ["[Conv2d(3, 3), Linear(6)]"])
def _(): return nn.Sequential(nn.Conv2d(2, 3, 3), nn.Linear(5, 6))

# --- whole networks
# Exactly the contract's LeNet5 (section 1), random weights.
@case("lenet5", [1, 28, 28], cls="LeNet5", cs=["[Conv2d(6, 5, Padding = 2), ReLU, MaxPool2d(2)]",
                                              "[Conv2d(16, 5), ReLU, MaxPool2d(2)]",
                                              "[Flatten, Linear(120), ReLU, Linear(84), ReLU, Linear(10)]"])
def _(): return nn.Sequential(
    nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))

# MobileNet-style: conv3x3 s2 -> BN -> ReLU -> 2 x [depthwise 3x3 -> BN -> ReLU -> pointwise 1x1 -> BN ->
# ReLU] -> global average pool -> Flatten -> Linear. Convolutions before a BN have no bias, as usual.
@case("dw_separable_block", [3, 16, 16], [
    "[Conv2d(8, 3, Stride = 2, Padding = 1, Bias = false), BatchNorm2d, ReLU]",
    "[Conv2d(8, 3, Padding = 1, Groups = 8, Bias = false), BatchNorm2d, ReLU]",
    "[Conv2d(16, 1, Bias = false), BatchNorm2d, ReLU]",
    "[Conv2d(16, 3, Stride = 2, Padding = 1, Groups = 16, Bias = false), BatchNorm2d, ReLU]",
    "[Conv2d(16, 1, Bias = false), BatchNorm2d, ReLU]",
    "[AdaptiveAvgPool2d(1), Flatten, Linear(10)]"])
def _(): return nn.Sequential(
    nn.Conv2d(3, 8, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU(),
    nn.Conv2d(8, 8, 3, padding=1, groups=8, bias=False), nn.BatchNorm2d(8), nn.ReLU(),
    nn.Conv2d(8, 16, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU(),
    nn.Conv2d(16, 16, 3, stride=2, padding=1, groups=16, bias=False), nn.BatchNorm2d(16), nn.ReLU(),
    nn.Conv2d(16, 16, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU(),
    nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 10))

# Identity and Dropout take positions 1 and 3: the second conv is "4.weight".
@case("identity_dropout", [3, 6, 6], ["[Conv2d(4, 3, Padding = 1), Identity, ReLU, Dropout(0.25), Conv2d(5, 3)]"])
def _(): return nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.Identity(), nn.ReLU(), nn.Dropout(0.25),
                              nn.Conv2d(4, 5, 3))



# --- 1-D ([Network(C, L)] inputs)
@case("conv1d_basic", [3, 12], ["[Conv1d(4, 3)]"])
def _(): return nn.Sequential(nn.Conv1d(3, 4, 3))

# (11 + 2*2 - 2*2 - 1) / 2 = 5 exactly: 6 outputs, no column left unread.
@case("conv1d_stride_pad_dilation", [3, 11], ["[Conv1d(5, 3, Stride = 2, Padding = 2, Dilation = 2)]"])
def _(): return nn.Sequential(nn.Conv1d(3, 5, 3, stride=2, padding=2, dilation=2))

@case("conv1d_groups", [4, 10], ["[Conv1d(6, 3, Padding = 1, Groups = 2)]"])
def _(): return nn.Sequential(nn.Conv1d(4, 6, 3, padding=1, groups=2))

# Total padding 3: 1 before, 2 after, as in 2-D.
@case("conv1d_same_even", [3, 10], ["[Conv1d(4, 4, Padding = \"same\")]"])
def _(): return nn.Sequential(nn.Conv1d(3, 4, 4, padding="same"))

# ceil((10 + 2 - 3) / 2) + 1 = 6 (floor mode: 5); the last window starts at 9, the last input column.
@case("maxpool1d", [3, 10], ["[MaxPool1d(3, Stride = 2, Padding = 1, CeilMode = true)]"])
def _(): return nn.Sequential(nn.MaxPool1d(3, stride=2, padding=1, ceil_mode=True))

@case("avgpool1d", [3, 11], ["[AvgPool1d(3, Stride = 2, Padding = 1, CountIncludePad = false)]"])
def _(): return nn.Sequential(nn.AvgPool1d(3, stride=2, padding=1, count_include_pad=False))

@case("batchnorm1d_after_conv1d", [3, 10], ["[Conv1d(6, 3, Padding = 1), BatchNorm1d, ReLU]"])
def _(): return nn.Sequential(nn.Conv1d(3, 6, 3, padding=1), nn.BatchNorm1d(6), nn.ReLU())

# BatchNorm1d on a [features] vector (PyTorch's (N, C) form), folded into the Linear before it.
@case("batchnorm1d_after_linear", [3, 8], ["[Flatten, Linear(16), BatchNorm1d, ReLU]"])
def _(): return nn.Sequential(nn.Flatten(), nn.Linear(24, 16), nn.BatchNorm1d(16), nn.ReLU())

@case("adaptive_avg1d", [4, 9], ["[Conv1d(5, 3), AdaptiveAvgPool1d(1)]"])
def _(): return nn.Sequential(nn.Conv1d(4, 5, 3), nn.AdaptiveAvgPool1d(1))

# --- padding modes (padding 1 then 2, on a non-square input; torch pads with F.pad(mode) then convolves
# without padding)
@case("conv_reflect", [2, 7, 9], ["[Conv2d(3, 3, Padding = 1, PaddingMode = \"reflect\")]",
                                  "[Conv2d(4, 3, Padding = 2, PaddingMode = \"reflect\")]"])
def _(): return nn.Sequential(nn.Conv2d(2, 3, 3, padding=1, padding_mode="reflect"),
                              nn.Conv2d(3, 4, 3, padding=2, padding_mode="reflect"))

@case("conv_replicate", [2, 7, 9], ["[Conv2d(3, 3, Padding = 1, PaddingMode = \"replicate\")]",
                                    "[Conv2d(4, 3, Padding = 2, PaddingMode = \"replicate\")]"])
def _(): return nn.Sequential(nn.Conv2d(2, 3, 3, padding=1, padding_mode="replicate"),
                              nn.Conv2d(3, 4, 3, padding=2, padding_mode="replicate"))

@case("conv_circular", [2, 7, 9], ["[Conv2d(3, 3, Padding = 1, PaddingMode = \"circular\")]",
                                   "[Conv2d(4, 3, Padding = 2, PaddingMode = \"circular\")]"])
def _(): return nn.Sequential(nn.Conv2d(2, 3, 3, padding=1, padding_mode="circular"),
                              nn.Conv2d(3, 4, 3, padding=2, padding_mode="circular"))

# Per-axis padding with a mode: (1, 2) on a (3, 5) kernel.
@case("conv_reflect_nonsquare", [2, 6, 8],
      ["[Conv2d(3, new[] { 3, 5 }, Padding = new[] { 1, 2 }, PaddingMode = \"reflect\")]"])
def _(): return nn.Sequential(nn.Conv2d(2, 3, (3, 5), padding=(1, 2), padding_mode="reflect"))

@case("conv1d_reflect", [3, 10], ["[Conv1d(4, 3, Padding = 2, PaddingMode = \"reflect\")]"])
def _(): return nn.Sequential(nn.Conv1d(3, 4, 3, padding=2, padding_mode="reflect"))

# (left, right, top, bottom) = (1, 2, 0, 3): 6x7 -> 9x10, then a 3x3 conv ("1.weight").
@case("zeropad2d", [2, 6, 7], ["[ZeroPad2d(new[] { 1, 2, 0, 3 }), Conv2d(4, 3)]"])
def _(): return nn.Sequential(nn.ZeroPad2d((1, 2, 0, 3)), nn.Conv2d(2, 4, 3))

@case("reflectionpad2d", [2, 6, 7], ["[ReflectionPad2d(new[] { 2, 1, 3, 0 })]"])
def _(): return nn.Sequential(nn.ReflectionPad2d((2, 1, 3, 0)))

@case("reflectionpad2d_conv", [2, 6, 7], ["[ReflectionPad2d(1), Conv2d(4, 3)]"])
def _(): return nn.Sequential(nn.ReflectionPad2d(1), nn.Conv2d(2, 4, 3))

@case("replicationpad2d", [2, 6, 7], ["[ReplicationPad2d(new[] { 1, 3, 2, 0 }), Conv2d(4, 3)]"])
def _(): return nn.Sequential(nn.ReplicationPad2d((1, 3, 2, 0)), nn.Conv2d(2, 4, 3))

# TensorFlow-style "same" for a stride-2 conv: pad right/bottom by one, then convolve unpadded; ConvGen folds
# the pad into the conv. 8 + 1 = 9 -> (9 - 3) / 2 + 1 = 4.
@case("zeropad_fold", [3, 8, 8], ["[ZeroPad2d(new[] { 0, 1, 0, 1 }), Conv2d(4, 3, Stride = 2)]"])
def _(): return nn.Sequential(nn.ZeroPad2d((0, 1, 0, 1)), nn.Conv2d(3, 4, 3, stride=2))

# --- pooling extras
# H 10: ceil((10 + 2 - 4 - 1) / 2) + 1 = 5 (floor: 4), last window starts at 7; W 9: (9 + 2 - 5) / 2 = 3 exactly.
@case("maxpool_dilation_ceil", [2, 10, 9], ["[MaxPool2d(3, Stride = 2, Padding = 1, Dilation = 2, CeilMode = true)]"])
def _(): return nn.Sequential(nn.MaxPool2d(3, stride=2, padding=1, dilation=2, ceil_mode=True))

# The ceil-mode rule "the last window must start inside the input or the left padding", on the sides not
# covered by maxpool_ceil_drop (which drops a window starting at in + 0, in the right padding):
#   H: in 2, k 7, s 2, p 3: ceil((2 + 6 - 6) / 2) + 1 = 2 (floor: 1); the second window starts at -1, still in
#      the LEFT padding, so it is kept (it covers rows -1..5, i.e. both input rows).
#   W: in 6, k 3, s 3, p 1: ceil(5 / 3) + 1 = 3 (floor: 2); the third window starts at 5 = in - 1, the last
#      input column, so it is kept.
@case("maxpool_ceil_window_in_left_padding", [2, 2, 6],
      ["[MaxPool2d(new[] { 7, 3 }, Stride = new[] { 2, 3 }, Padding = new[] { 3, 1 }, CeilMode = true)]"])
def _(): return nn.Sequential(nn.MaxPool2d((7, 3), stride=(2, 3), padding=(3, 1), ceil_mode=True))

# The same windows averaged (count_include_pad=True): divisors clip each window to [-p, in + p) first: rows
# 7 then 6 ([-1, 5)), columns 3, 3, 2 ([5, 7)).
@case("avgpool_ceil_window_in_left_padding", [2, 2, 6],
      ["[AvgPool2d(new[] { 7, 3 }, Stride = new[] { 2, 3 }, Padding = new[] { 3, 1 }, CeilMode = true)]"])
def _(): return nn.Sequential(nn.AvgPool2d((7, 3), stride=(2, 3), padding=(3, 1), ceil_mode=True))

# Bins H 7 -> [0,4) [3,7); W 5 -> [0,2) [1,4) [3,5).
@case("adaptive_max_2", [3, 7, 5], ["[AdaptiveMaxPool2d(new[] { 2, 3 })]"])
def _(): return nn.Sequential(nn.AdaptiveMaxPool2d((2, 3)))

@case("adaptive_avg_2x3", [3, 7, 5], ["[AdaptiveAvgPool2d(new[] { 2, 3 })]"])
def _(): return nn.Sequential(nn.AdaptiveAvgPool2d((2, 3)))

@case("avgpool_stride1", [3, 7, 8], ["[AvgPool2d(3, Stride = 1, Padding = 1)]"])
def _(): return nn.Sequential(nn.AvgPool2d(3, stride=1, padding=1))

# --- more activations (after a conv, input x3)
@case("act_silu", [3, 6, 6], ["[Conv2d(4, 3, Padding = 1), SiLU]"], scale=3.0)
def _(): return nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.SiLU())

@case("act_gelu", [3, 6, 6], ["[Conv2d(4, 3, Padding = 1), GELU]"], scale=3.0)
def _(): return nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.GELU())

@case("act_gelu_tanh", [3, 6, 6], ["[Conv2d(4, 3, Padding = 1), GELU(Approximate = \"tanh\")]"], scale=3.0)
def _(): return nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.GELU(approximate="tanh"))

@case("act_hardswish", [3, 6, 6], ["[Conv2d(4, 3, Padding = 1), Hardswish]"], scale=3.0)
def _(): return nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.Hardswish())

# Softmax over the channels of a C x H x W map: one distribution per pixel.
@case("softmax_channels", [3, 5, 6], ["[Conv2d(5, 3, Padding = 1), Softmax(Dim = 1)]"], scale=3.0)
def _(): return nn.Sequential(nn.Conv2d(3, 5, 3, padding=1), nn.Softmax(dim=1))

@case("softmax_flat", [2, 5, 5], ["[Flatten, Linear(10), Softmax]"], scale=3.0)
def _(): return nn.Sequential(nn.Flatten(), nn.Linear(50, 10), nn.Softmax(dim=1))

# LogSoftmax over the last dimension (W) of a C x H x W map.
@case("logsoftmax_last", [3, 5, 6], ["[Conv2d(4, 3, Padding = 1), LogSoftmax(Dim = -1)]"], scale=3.0)
def _(): return nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.LogSoftmax(dim=-1))

# An activation with no conv or linear before it to fuse into.
@case("leaky_standalone", [3, 8, 10], ["[MaxPool2d(2), LeakyReLU(0.1)]"])
def _(): return nn.Sequential(nn.MaxPool2d(2), nn.LeakyReLU(0.1))

# --- shape
@case("upsample_nearest_2x", [3, 5, 6], ["[Upsample(ScaleFactor = 2)]"])
def _(): return nn.Sequential(nn.Upsample(scale_factor=2, mode="nearest"))

# Nearest with a size: src = floor(dst * (float)in / out) (5 -> 7, 6 -> 9).
@case("upsample_nearest_size", [3, 5, 6], ["[Upsample(Size = new[] { 7, 9 })]"])
def _(): return nn.Sequential(nn.Upsample(size=(7, 9), mode="nearest"))

# A fractional scale factor: out = floor(in * 1.7) (5 -> 8, 6 -> 10), and PyTorch maps back with the given
# factor, src = floor(dst / 1.7), NOT with in / out: dst 5 -> floor(2.94) = 2, where floor(5 * 5 / 8) = 3.
@case("upsample_nearest_frac", [2, 5, 6], ["[Upsample(ScaleFactor = 1.7)]"])
def _(): return nn.Sequential(nn.Upsample(scale_factor=1.7, mode="nearest"))

@case("upsample_bilinear", [3, 5, 6], ["[Upsample(ScaleFactor = 2, Mode = \"bilinear\")]"])
def _(): return nn.Sequential(nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False))

# Bilinear, align_corners=False, fractional factor: src = (dst + 0.5) / 1.7 - 0.5 (again the given factor).
@case("upsample_bilinear_frac", [2, 5, 6], ["[Upsample(ScaleFactor = 1.7, Mode = \"bilinear\")]"])
def _(): return nn.Sequential(nn.Upsample(scale_factor=1.7, mode="bilinear", align_corners=False))

@case("upsample_bilinear_align", [3, 5, 6], ["[Upsample(Size = new[] { 7, 9 }, Mode = \"bilinear\", AlignCorners = true)]"])
def _(): return nn.Sequential(nn.Upsample(size=(7, 9), mode="bilinear", align_corners=True))

@case("upsample_nearest_1d", [3, 7], ["[Upsample(ScaleFactor = 3)]"])
def _(): return nn.Sequential(nn.Upsample(scale_factor=3, mode="nearest"))

# 4 channels in 2 groups: output channel order 0, 2, 1, 3.
@case("channel_shuffle", [3, 6, 6], ["[Conv2d(4, 3, Padding = 1), ChannelShuffle(2)]"])
def _(): return nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ChannelShuffle(2))


# --- graphs. Each is a hand-written module whose attribute names are the C# Names, so that the state_dict
# keys are the ones the C# twin asks for ("shortcut.0.weight" is the Name "shortcut.0"). Merge order, as
# ConvGen defines it: Concat("x") is cat([current, x]); Concat("a", "b") is cat([a, b]).
def _module(**children):
    m = nn.Module()
    for name, child in children.items():
        m.add_module(name, child)
    return m


class ResidualAdd(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(4, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4)
        self.conv2, self.bn2 = nn.Conv2d(4, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4)

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(y)) + x)


@case("residual_add", [4, 8, 8], [
    "[Conv2d(4, 3, Padding = 1, Bias = false, Name = \"conv1\"), BatchNorm2d(Name = \"bn1\"), ReLU]",
    "[Conv2d(4, 3, Padding = 1, Bias = false, Name = \"conv2\"), BatchNorm2d(Name = \"bn2\"), Add(\"input\"), ReLU]"])
def _(): return ResidualAdd()


class ResidualProjection(nn.Module):
    """ResNet basic block, 4 -> 8 channels, stride 2, with a 1x1 stride-2 projection on the shortcut."""
    def __init__(self):
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(4, 8, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(8)
        self.conv2, self.bn2 = nn.Conv2d(8, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8)
        self.shortcut = nn.Sequential(nn.Conv2d(4, 8, 1, stride=2, bias=False), nn.BatchNorm2d(8))

    def forward(self, x):
        y = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        return F.relu(self.shortcut(x) + y)


@case("residual_projection", [4, 9, 9], [
    "[Conv2d(8, 3, Stride = 2, Padding = 1, Bias = false, Name = \"conv1\"), BatchNorm2d(Name = \"bn1\"), ReLU]",
    "[Conv2d(8, 3, Padding = 1, Bias = false, Name = \"conv2\"), BatchNorm2d(Name = \"bn2\")]",
    "[Conv2d(8, 1, Stride = 2, Bias = false, From = \"input\", Name = \"shortcut.0\"), BatchNorm2d(Name = \"shortcut.1\")]",
    "[Add(\"bn2\"), ReLU]"])
def _(): return ResidualProjection()


class Inception(nn.Module):
    """A named stem, then four branches reading it: 1x1; 1x1 -> 3x3; 1x1 -> 5x5; maxpool 3 s1 p1 -> 1x1."""
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 4, 3, padding=1)
        self.b1 = nn.Conv2d(4, 3, 1)
        self.b2_reduce, self.b2 = nn.Conv2d(4, 2, 1), nn.Conv2d(2, 3, 3, padding=1)
        self.b3_reduce, self.b3 = nn.Conv2d(4, 2, 1), nn.Conv2d(2, 2, 5, padding=2)
        self.b4 = nn.Conv2d(4, 2, 1)

    def forward(self, x):
        s = F.relu(self.stem(x))
        b1 = self.b1(s)
        b2 = self.b2(F.relu(self.b2_reduce(s)))
        b3 = self.b3(F.relu(self.b3_reduce(s)))
        b4 = self.b4(F.max_pool2d(s, 3, stride=1, padding=1))
        return F.relu(torch.cat([b1, b2, b3, b4], 1))


@case("inception", [3, 7, 8], [
    "[Conv2d(4, 3, Padding = 1, Name = \"stem\"), ReLU(Name = \"s\")]",
    "[Conv2d(3, 1, Name = \"b1\")]",
    "[Conv2d(2, 1, From = \"s\", Name = \"b2_reduce\"), ReLU, Conv2d(3, 3, Padding = 1, Name = \"b2\")]",
    "[Conv2d(2, 1, From = \"s\", Name = \"b3_reduce\"), ReLU, Conv2d(2, 5, Padding = 2, Name = \"b3\")]",
    "[MaxPool2d(3, Stride = 1, Padding = 1, From = \"s\"), Conv2d(2, 1, Name = \"b4\")]",
    "[Concat(\"b1\", \"b2\", \"b3\", \"b4\"), ReLU]"])
def _(): return Inception()


class DenseBlock(nn.Module):
    """DenseNet: two BN -> ReLU -> conv3x3 layers (growth 3), each concatenated with its input. Layer 1 uses
    Concat("input") (new features first), layer 2 Concat("c1", "l2.conv") (old features first, as DenseNet)."""
    def __init__(self):
        super().__init__()
        self.l1 = _module(norm=nn.BatchNorm2d(4), conv=nn.Conv2d(4, 3, 3, padding=1, bias=False))
        self.l2 = _module(norm=nn.BatchNorm2d(7), conv=nn.Conv2d(7, 3, 3, padding=1, bias=False))

    def forward(self, x):
        c1 = torch.cat([self.l1.conv(F.relu(self.l1.norm(x))), x], 1)
        return torch.cat([c1, self.l2.conv(F.relu(self.l2.norm(c1)))], 1)


@case("dense_block", [4, 6, 6], [
    "[BatchNorm2d(Name = \"l1.norm\"), ReLU, Conv2d(3, 3, Padding = 1, Bias = false, Name = \"l1.conv\"), Concat(\"input\", Name = \"c1\")]",
    "[BatchNorm2d(Name = \"l2.norm\"), ReLU, Conv2d(3, 3, Padding = 1, Bias = false, Name = \"l2.conv\"), Concat(\"c1\", \"l2.conv\")]"])
def _(): return DenseBlock()


class UNetTiny(nn.Module):
    """Encoder conv -> pool -> conv -> nearest upsample x2 -> concat with the encoder output -> 1x1 -> sigmoid."""
    def __init__(self):
        super().__init__()
        self.enc = nn.Conv2d(2, 4, 3, padding=1)
        self.mid = nn.Conv2d(4, 6, 3, padding=1)
        self.head = nn.Conv2d(10, 1, 1)

    def forward(self, x):
        e = F.relu(self.enc(x))
        m = F.relu(self.mid(F.max_pool2d(e, 2)))
        u = F.interpolate(m, scale_factor=2, mode="nearest")
        return torch.sigmoid(self.head(torch.cat([u, e], 1)))


@case("unet_tiny", [2, 8, 10], [
    "[Conv2d(4, 3, Padding = 1, Name = \"enc\"), ReLU(Name = \"e\"), MaxPool2d(2)]",
    "[Conv2d(6, 3, Padding = 1, Name = \"mid\"), ReLU, Upsample(ScaleFactor = 2)]",
    "[Concat(\"e\"), Conv2d(1, 1, Name = \"head\"), Sigmoid]"])
def _(): return UNetTiny()


class GatedConv(nn.Module):
    def __init__(self):
        super().__init__()
        self.feat = nn.Conv2d(3, 4, 3, padding=1)
        self.gate = nn.Conv2d(3, 4, 3, padding=1)

    def forward(self, x):
        return torch.sigmoid(self.gate(x)) * self.feat(x)


@case("gated_conv", [3, 7, 7], [
    "[Conv2d(4, 3, Padding = 1, Name = \"feat\")]",
    "[Conv2d(4, 3, Padding = 1, From = \"input\", Name = \"gate\"), Sigmoid, Multiply(\"feat\")]"], scale=2.0)
def _(): return GatedConv()


class Three(nn.Module):
    def __init__(self, combine):
        super().__init__()
        self.a = nn.Conv2d(3, 4, 3, padding=1)
        self.b = nn.Conv2d(3, 4, 1)
        self.c = nn.Conv2d(3, 4, 3, padding=2, dilation=2)
        self.combine = combine

    def forward(self, x):
        return self.combine(self.a(x), self.b(x), self.c(x))


# Add and Concat of three named outputs (several names: combined with each other, in the order written).
@case("add_three", [3, 6, 7], [
    "[Conv2d(4, 3, Padding = 1, Name = \"a\")]",
    "[Conv2d(4, 1, From = \"input\", Name = \"b\")]",
    "[Conv2d(4, 3, Padding = 2, Dilation = 2, From = \"input\", Name = \"c\")]",
    "[Add(\"a\", \"b\", \"c\"), ReLU]"])
def _(): return Three(lambda a, b, c: F.relu(a + b + c))

@case("concat_three", [3, 6, 7], [
    "[Conv2d(4, 3, Padding = 1, Name = \"a\")]",
    "[Conv2d(4, 1, From = \"input\", Name = \"b\")]",
    "[Conv2d(4, 3, Padding = 2, Dilation = 2, From = \"input\", Name = \"c\")]",
    "[Concat(\"c\", \"a\", \"b\")]"])
def _(): return Three(lambda a, b, c: torch.cat([c, a, b], 1))


# --- Sobel-x, separable and full, on one input (input_seed): both must give the same output (checked in
# check_case_relations). Cross-correlation with [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]] = [1, 2, 1]^T x [-1, 0, 1].
SOBEL_COLUMN = [1.0, 2.0, 1.0]
SOBEL_ROW = [-1.0, 0.0, 1.0]


def _fixed(conv, values):
    with torch.no_grad():
        conv.weight.copy_(torch.tensor(values).reshape(conv.weight.shape))
    return conv


@case("sobel_separable", [1, 10, 12], ["[Conv2d(1, new[] { 3, 1 }, Bias = false), Conv2d(1, new[] { 1, 3 }, Bias = false)]"],
      input_seed=4242)
def _(): return nn.Sequential(_fixed(nn.Conv2d(1, 1, (3, 1), bias=False), SOBEL_COLUMN),
                              _fixed(nn.Conv2d(1, 1, (1, 3), bias=False), SOBEL_ROW))

@case("sobel_full", [1, 10, 12], ["[Conv2d(1, 3, Bias = false)]"], input_seed=4242)
def _(): return nn.Sequential(_fixed(nn.Conv2d(1, 1, 3, bias=False),
                                     [[c * r for r in SOBEL_ROW] for c in SOBEL_COLUMN]))


# --- transposed convolutions
@case("convtranspose2d_basic", [3, 5, 6], ["[ConvTranspose2d(4, 3)]"])
def _(): return nn.Sequential(nn.ConvTranspose2d(3, 4, 3))

@case("convtranspose2d_stride2", [3, 5, 6], ["[ConvTranspose2d(4, 4, Stride = 2, Padding = 1)]"])
def _(): return nn.Sequential(nn.ConvTranspose2d(3, 4, 4, stride=2, padding=1))

@case("convtranspose2d_outpad", [3, 5, 6], ["[ConvTranspose2d(4, 3, Stride = 2, Padding = 1, OutputPadding = 1)]"])
def _(): return nn.Sequential(nn.ConvTranspose2d(3, 4, 3, stride=2, padding=1, output_padding=1))

@case("convtranspose2d_groups", [4, 5, 5], ["[ConvTranspose2d(4, 4, Groups = 2, Stride = 2)]"])
def _(): return nn.Sequential(nn.ConvTranspose2d(4, 4, 4, groups=2, stride=2))

@case("convtranspose2d_depthwise", [4, 4, 5], ["[ConvTranspose2d(4, 3, Groups = 4, Stride = 3, OutputPadding = 2)]"])
def _(): return nn.Sequential(nn.ConvTranspose2d(4, 4, 3, groups=4, stride=3, output_padding=2))

@case("convtranspose2d_dilation", [2, 6, 5], ["[ConvTranspose2d(3, 3, Dilation = 2, Padding = 1, Stride = 2, OutputPadding = 1)]"])
def _(): return nn.Sequential(nn.ConvTranspose2d(2, 3, 3, dilation=2, padding=1, stride=2, output_padding=1))

@case("convtranspose2d_nonsquare", [3, 5, 6], ["[ConvTranspose2d(3, new[] { 3, 4 }, Stride = new[] { 2, 1 }, Padding = new[] { 1, 2 })]"])
def _(): return nn.Sequential(nn.ConvTranspose2d(3, 3, (3, 4), stride=(2, 1), padding=(1, 2)))

@case("convtranspose2d_bn_relu", [3, 5, 5], ["[ConvTranspose2d(4, 2, Stride = 2, Bias = false), BatchNorm2d, ReLU]"])
def _(): return nn.Sequential(nn.ConvTranspose2d(3, 4, 2, stride=2, bias=False), nn.BatchNorm2d(4), nn.ReLU())

@case("convtranspose1d_basic", [3, 7], ["[ConvTranspose1d(4, 3, Stride = 2, Padding = 1, OutputPadding = 1)]"])
def _(): return nn.Sequential(nn.ConvTranspose1d(3, 4, 3, stride=2, padding=1, output_padding=1))


class UNetTransposed(nn.Module):
    """unet_tiny with a learned 2x upsampling (ConvTranspose2d) in the decoder."""

    def __init__(self):
        super().__init__()
        self.enc = nn.Conv2d(2, 4, 3, padding=1)
        self.mid = nn.Conv2d(4, 6, 3, padding=1)
        self.up = nn.ConvTranspose2d(6, 6, 2, stride=2)
        self.head = nn.Conv2d(10, 1, 1)

    def forward(self, x):
        e = F.relu(self.enc(x))
        m = F.relu(self.mid(F.max_pool2d(e, 2)))
        return torch.sigmoid(self.head(torch.cat([F.relu(self.up(m)), e], dim=1)))


@case("unet_transposed", [2, 8, 10], [
    "[Conv2d(4, 3, Padding = 1, Name = \"enc\"), ReLU(Name = \"e\"), MaxPool2d(2)]",
    "[Conv2d(6, 3, Padding = 1, Name = \"mid\"), ReLU, ConvTranspose2d(6, 2, Stride = 2, Name = \"up\"), ReLU]",
    "[Concat(\"e\"), Conv2d(1, 1, Name = \"head\"), Sigmoid]"])
def _(): return UNetTransposed()


# --- the channel-blocked plan (16 channels per block): channel counts that fill their blocks, so the planner picks
# the blocked kernels; each case crosses a layout boundary or a fusion the CHW cases above never reach.
class BlockedSelfResidual(nn.Module):
    """y = relu(x + bn(conv(x))): the residual is also the convolution's input, so its store may not overwrite it."""
    def __init__(self):
        super().__init__()
        self.x = nn.Conv2d(16, 16, 1)
        self.conv, self.bn = nn.Conv2d(16, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16)

    def forward(self, x):
        x = self.x(x)
        return F.relu(x + self.bn(self.conv(x)))


@case("blocked_self_residual", [16, 6, 7], [
    "[Conv2d(16, 1, Name = \"x\"), Conv2d(16, 3, Padding = 1, Bias = false, Name = \"conv\"), BatchNorm2d(Name = \"bn\")]",
    "[Add(\"x\"), ReLU]"])
def _(): return BlockedSelfResidual()


class BlockedMix(nn.Module):
    """Stem from CHW to blocked, Winograd-sized 3x3, depthwise with a depth multiplier, blocked pooling, a blocked
    concatenation (16 + 24 channels), Sigmoid on its own (f(0) != 0 on padding lanes), gating, a projection to 12
    channels (CHW), global pooling and a Linear on the flattened blocked map."""
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 16, 3, padding=1)
        self.body = nn.Conv2d(16, 32, 3, padding=1)
        self.dw = nn.Conv2d(32, 64, 3, stride=2, padding=1, groups=32)
        self.pw = nn.Conv2d(64, 24, 1)
        self.side = nn.Conv2d(16, 16, 1)
        self.head = nn.Linear(40 * 2 * 2, 7)

    def forward(self, x):
        s = F.relu(self.stem(x))
        a = F.leaky_relu(self.body(s), 0.1)
        a = self.pw(F.relu6(self.dw(a)))
        b = F.max_pool2d(self.side(s), 2)
        c = torch.cat([b, a], dim=1)
        g = torch.sigmoid(c)
        c = c * g
        return self.head(torch.flatten(F.adaptive_avg_pool2d(c, 2), 1))


@case("blocked_mix", [3, 12, 12], [
    "[Conv2d(16, 3, Padding = 1, Name = \"stem\"), ReLU(Name = \"s\")]",
    "[Conv2d(32, 3, Padding = 1, Name = \"body\"), LeakyReLU(0.1)]",
    "[Conv2d(64, 3, Stride = 2, Padding = 1, Groups = 32, Name = \"dw\"), ReLU6, Conv2d(24, 1, Name = \"pw\")]",
    "[Conv2d(16, 1, From = \"s\", Name = \"side\"), MaxPool2d(2, Name = \"b\")]",
    "[Concat(\"b\", \"pw\", Name = \"c\"), Sigmoid, Multiply(\"c\")]",
    "[AdaptiveAvgPool2d(2), Flatten, Linear(7, Name = \"head\")]"])
def _(): return BlockedMix()


# ----------------------------------------------------------------------------- PyTorch rules the C# side must match
def check_pytorch_rules():
    torch.manual_seed(12345)
    # padding="same", total padding d*(k-1) odd: the extra row/column goes at the end (bottom/right).
    x = torch.randn(1, 2, 9, 8)
    w = torch.randn(3, 2, 4, 2)
    same = F.conv2d(x, w, padding="same", dilation=(2, 3))
    manual = F.conv2d(F.pad(x, (1, 2, 3, 3)), w, dilation=(2, 3))  # F.pad order: (left, right, top, bottom)
    assert same.shape == manual.shape and torch.allclose(same, manual, atol=1e-5), "same padding split"
    # ceil_mode: out = ceil((in + 2p - d(k-1) - 1) / s) + 1, minus one if that last window would start at or
    # beyond in + p (entirely in the right padding).
    assert nn.MaxPool2d(3, stride=3, padding=1, ceil_mode=True)(torch.zeros(1, 1, 5, 8)).shape[2:] == (2, 3)
    assert nn.MaxPool2d(3, stride=2, ceil_mode=True)(torch.zeros(1, 1, 8, 8)).shape[2:] == (4, 4)
    # AvgPool ceil_mode + count_include_pad=True: divisor = (min(start+k, in+p) - start) per axis, so the
    # padding counts but the ceil overhang past in+p does not.
    y = nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True)(torch.ones(1, 1, 6, 6))
    assert y.shape[2:] == (4, 4)
    # Corner (0,0): window rows -1..1 -> 2 real of 3 counted; value 4/9. Last column: cols 5,6(pad) -> 1 real
    # of 2 counted (overhang col 7 not counted): (0,3) = 2/(3*2), (3,3) = 1/(2*2).
    assert abs(y[0, 0, 0, 0].item() - 4 / 9) < 1e-6
    assert abs(y[0, 0, 0, 3].item() - 2 / 6) < 1e-6
    assert abs(y[0, 0, 3, 3].item() - 1 / 4) < 1e-6
    # ceil_mode can add a window that starts in the LEFT padding (kept: only windows starting in the right
    # padding are dropped): in 2, k 7, s 2, p 3 gives 2 windows, starting at -3 and -1 (floor mode: 1).
    assert nn.MaxPool2d((7, 3), stride=(2, 3), padding=(3, 1), ceil_mode=True)(torch.zeros(1, 1, 2, 6)).shape[2:] == (2, 3)
    # Upsample with a scale factor maps back with that factor, not with in/out: 5 -> floor(5 * 1.7) = 8, and
    # output 5 reads floor(5 / 1.7) = 2 (in/out would give floor(5 * 5 / 8) = 3).
    up = F.interpolate(torch.arange(5.0).reshape(1, 1, 5), scale_factor=1.7, mode="nearest")
    assert up.shape[-1] == 8 and up[0, 0, 5].item() == 2.0
    # ChannelShuffle(2) on 4 channels: (g, c/g) -> (c/g, g), i.e. channel order 0, 2, 1, 3.
    assert nn.ChannelShuffle(2)(torch.arange(4.0).reshape(1, 4, 1, 1)).flatten().tolist() == [0.0, 2.0, 1.0, 3.0]
    # padding_mode: the conv pads with F.pad(mode) (reflect excludes the edge, replicate repeats it, circular
    # wraps) and then convolves without padding.
    x = torch.randn(1, 2, 7, 9)
    for mode in ("reflect", "replicate", "circular"):
        conv = nn.Conv2d(2, 3, 3, padding=2, padding_mode=mode)
        manual = F.conv2d(F.pad(x, (2, 2, 2, 2), mode=mode), conv.weight, conv.bias)
        assert torch.allclose(conv(x), manual, atol=1e-6), mode


def check_case_relations(outputs):
    """Relations between cases: the separable Sobel equals the full one on the same input."""
    separable, full = outputs["sobel_separable"], outputs["sobel_full"]
    assert separable.shape == full.shape, (separable.shape, full.shape)
    assert torch.allclose(separable, full, rtol=0, atol=1e-5), (separable - full).abs().max().item()


# ----------------------------------------------------------------------------- C# emission
def csharp_source(cases):
    lines = [
        "// <auto-generated>",
        "// Written by Tests/Golden/make_golden.py from the same table as the golden data; edit the script,",
        "// not this file, and rerun it (see Tests/Golden/README.md).",
        "// </auto-generated>",
        "#nullable enable",
        "using ConvGen;",
        "",
        "namespace ConvGen.Tests.Golden",
        "{",
    ]
    for c in cases:
        shape = ", ".join(str(d) for d in c["shape"])
        lines.append(f"    /// <summary>Golden case <c>{c['name']}</c>.</summary>")
        lines.append(f"    [Network({shape})]")
        for attr in c["cs"]:
            lines.append("    " + attr)
        lines.append(f"    public partial class {c['cls']};")
        lines.append("")
    lines.append("    /// <summary>Every golden case, with delegates that load and run its network.</summary>")
    lines.append("    internal static class GoldenCases")
    lines.append("    {")
    lines.append("        public static readonly GoldenCase[] All =")
    lines.append("        [")
    for c in cases:
        t = c["cls"]
        lines.append(f"            GoldenCase.Of<{t}>(\"{c['name']}\", {t}.InputLength, {t}.OutputLength, "
                     f"static path => {t}.Load(path), static (net, x, y) => net.Run(x, y)),")
    lines.append("        ];")
    lines.append("    }")
    lines.append("}")
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- main
def write_case(name, build, state, x, y):
    """Writes <name>.safetensors (the state_dict) and <name>.io.safetensors (input, output without the batch), then
    checks that the files round-trip and that a fresh build() loaded from them gives the same output."""
    weights_path = os.path.join(DATA, name + ".safetensors")
    io_path = os.path.join(DATA, name + ".io.safetensors")
    write_safetensors(state, weights_path)
    write_safetensors({"input": x[0], "output": y[0]}, io_path)

    back = read_safetensors(weights_path)
    assert list(back) == list(state), name
    for k, v in state.items():
        assert back[k].dtype == v.dtype and torch.equal(back[k], v), (name, k)
    clone = build()
    clone.load_state_dict(back)
    clone.eval()
    io = read_safetensors(io_path)
    with torch.no_grad():
        assert torch.equal(clone(io["input"].unsqueeze(0))[0], io["output"]), name


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cs-out", default=DEFAULT_CS_OUT, help="where to write the C# twins")
    args = parser.parse_args()

    torch.set_num_threads(1)  # one summation order, whatever the machine
    check_pytorch_rules()
    os.makedirs(DATA, exist_ok=True)
    names = [c["name"] for c in CASES]
    assert len(set(names)) == len(names), "duplicate case name"

    manifest, outputs = [], {}
    for index, c in enumerate(CASES):
        torch.manual_seed(1000 + index)
        model = c["build"]()
        if c["bn_var"]:
            randomise_batchnorm(model, *c["bn_var"])
        else:
            randomise_batchnorm(model)
        model.eval()
        if c["input_seed"] is None:
            x = c["scale"] * torch.randn(1, *c["shape"])
        else:
            x = c["scale"] * torch.randn(1, *c["shape"], generator=torch.Generator().manual_seed(c["input_seed"]))
        with torch.no_grad():
            y = model(x)

        state = model.state_dict()
        write_case(c["name"], c["build"], state, x, y)

        outputs[c["name"]] = y[0]
        manifest.append({"name": c["name"], "class": c["cls"],
                         "input": list(x.shape[1:]), "output": list(y.shape[1:])})
        print(f"{c['name']:24s} {str(list(x.shape[1:])):14s} -> {str(list(y.shape[1:])):14s} "
              f"max|y| {y.abs().max().item():8.4f}  keys {list(state)}")

    check_case_relations(outputs)
    with open(os.path.join(DATA, "cases.json"), "w") as f:
        f.write('{"cases": [\n')
        f.write(",\n".join("  " + json.dumps(m) for m in manifest))
        f.write("\n]}\n")
    os.makedirs(os.path.dirname(os.path.abspath(args.cs_out)), exist_ok=True)
    with open(args.cs_out, "w") as f:
        f.write(csharp_source(CASES))

    total = sum(os.path.getsize(os.path.join(DATA, n)) for n in os.listdir(DATA))
    print(f"{len(CASES)} cases, {total} bytes in {DATA}; C# twins in {args.cs_out}")


if __name__ == "__main__":
    sys.exit(main())
