"""Golden test data for ConvGen: small nn.Sequential networks, their state_dicts, one input each and
PyTorch's output for it.

    /usr/bin/python3 Tests/Golden/make_golden.py [--cs-out PATH]

(run from the repository root; Debian's torch 1.13 lives under /usr/bin/python3, not under the first
`python3` on PATH). Writes, for every case below:

    Tests/Golden/data/<case>.safetensors     model.state_dict() exactly as PyTorch names it (nn.Sequential
                                             indices), F32; BatchNorm's num_batches_tracked as I64 [].
    Tests/Golden/data/<case>.io.safetensors  "input" [C, H, W] and "output" = model(input) in eval mode,
                                             batch dimension removed.
    Tests/Golden/data/cases.json             manifest: name, C# class, input and output shape per case.

and the C# twins of the networks, plus the table the xunit test iterates over, to --cs-out (default
Tests/ConvGen.Tests/Golden/GoldenNetworks.cs). Each case below carries its PyTorch module and its C# declaration
side by side, so adding a case is one edit here.

Everything is deterministic: torch.manual_seed(case index) before building each case, and the
safetensors files are written by hand (sorted by state_dict order, no timestamps), so rerunning the
script reproduces the same bytes on the same torch version.

The script also asserts the PyTorch behaviours the C# side has to match and that are easy to get wrong
(padding="same" with an even total puts the extra row/column at the end; ceil_mode drops a window that
would start in the right padding; AvgPool's ceil-mode overhang is not counted in the divisor even with
count_include_pad=True); see check_pytorch_rules().
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
        if isinstance(m, nn.BatchNorm2d):
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
# Each case: (name, input shape [C, H, W], builder() -> nn.Sequential, C# layer attribute lines, options).
# The C# lines are the attribute lists that follow [Network(C, H, W)], in forward order; positions
# (state_dict indices) count every layer including ReLU, Dropout, Identity and Flatten, as nn.Sequential does.
CASES = []


def case(name, shape, cs, scale=1.0, bn_var=None, cls=None):
    def register(builder):
        CASES.append(dict(name=name, shape=shape, build=builder, cs=cs, scale=scale, bn_var=bn_var,
                          cls=cls or pascal(name)))
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
def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cs-out", default=DEFAULT_CS_OUT, help="where to write the C# twins")
    args = parser.parse_args()

    torch.set_num_threads(1)  # one summation order, whatever the machine
    check_pytorch_rules()
    os.makedirs(DATA, exist_ok=True)
    names = [c["name"] for c in CASES]
    assert len(set(names)) == len(names), "duplicate case name"

    manifest = []
    for index, c in enumerate(CASES):
        torch.manual_seed(1000 + index)
        model = c["build"]()
        if c["bn_var"]:
            randomise_batchnorm(model, *c["bn_var"])
        else:
            randomise_batchnorm(model)
        model.eval()
        x = c["scale"] * torch.randn(1, *c["shape"])
        with torch.no_grad():
            y = model(x)

        state = model.state_dict()
        weights_path = os.path.join(DATA, c["name"] + ".safetensors")
        io_path = os.path.join(DATA, c["name"] + ".io.safetensors")
        write_safetensors(state, weights_path)
        write_safetensors({"input": x[0], "output": y[0]}, io_path)

        # Check the files round-trip and that the model reloaded from them gives the same output.
        back = read_safetensors(weights_path)
        assert list(back) == list(state), c["name"]
        for k, v in state.items():
            assert back[k].dtype == v.dtype and torch.equal(back[k], v), (c["name"], k)
        clone = c["build"]()
        clone.load_state_dict(back)
        clone.eval()
        io = read_safetensors(io_path)
        with torch.no_grad():
            assert torch.equal(clone(io["input"].unsqueeze(0))[0], io["output"]), c["name"]

        manifest.append({"name": c["name"], "class": c["cls"],
                         "input": list(x.shape[1:]), "output": list(y.shape[1:])})
        print(f"{c['name']:24s} {str(list(x.shape[1:])):14s} -> {str(list(y.shape[1:])):14s} "
              f"max|y| {y.abs().max().item():8.4f}  keys {list(state)}")

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
