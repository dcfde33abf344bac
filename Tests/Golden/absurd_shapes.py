"""PyTorch's output shapes for the absurd declarations that ConvGen compiles
(Tests/ConvGen.Tests/Generator/AbsurdDeclarationTests.cs), on the meta device: no memory is allocated.

    /usr/bin/python3 Tests/Golden/absurd_shapes.py

Prints each case with PyTorch's shape (without the batch dimension) and the one the test expects; exits 1 on a mismatch.
"""
import sys
import torch
import torch.nn as nn

M = 2**31 - 1
meta = dict(device="meta")

CASES = [
    # (declaration as in the test, input shape, module, expected shape in the test)
    ("[Network(1, 32768, 32768)] [ReLU]", (1, 32768, 32768), nn.ReLU(), "1×32768×32768"),
    ("[Network(1, 1, 1)] [Flatten, Linear(1 << 29, Bias = false)]", (1, 1, 1),
     nn.Sequential(nn.Flatten(), nn.Linear(1, 2**29, bias=False, **meta)), "536870912"),
    ("[Network(1 << 14, 1, 1)] [Conv2d(1 << 14, 1, Bias = false)]", (2**14, 1, 1), nn.Conv2d(2**14, 2**14, 1, bias=False, **meta), "16384×1×1"),
    ("[Network(1, 32768, 32768)] [MaxPool2d(32768)]", (1, 32768, 32768), nn.MaxPool2d(32768), "1×1×1"),
    ("[Network(1, 16384, 16384)] [Conv2d(1, 16383, Stride = 2)]", (1, 16384, 16384), nn.Conv2d(1, 1, 16383, stride=2, **meta), "1×1×1"),
    ("[Network(1, 8, 8)] [Conv2d(8, 3, Stride = int.MaxValue)]", (1, 8, 8), nn.Conv2d(1, 8, 3, stride=M, **meta), "8×1×1"),
    ("[Network(1, 8, 8)] [Conv2d(8, 3, Stride = 50000)]", (1, 8, 8), nn.Conv2d(1, 8, 3, stride=50000, **meta), "8×1×1"),
    ("[Network(1, 8, 8)] [Conv2d(8, 3, Stride = new[] { int.MaxValue, 1 })]", (1, 8, 8), nn.Conv2d(1, 8, 3, stride=(M, 1), **meta), "8×1×6"),
    ("[Network(1, 16)] [Conv1d(8, 3, Stride = int.MaxValue)]", (1, 16), nn.Conv1d(1, 8, 3, stride=M, **meta), "8×1"),
    ("[Network(1, 8, 8)] [MaxPool2d(2, Stride = int.MaxValue)]", (1, 8, 8), nn.MaxPool2d(2, stride=M), "1×1×1"),
    ("[Network(1, 8, 8)] [MaxPool2d(3, Stride = 1 << 30, Padding = 1, CeilMode = true)]", (1, 8, 8),
     nn.MaxPool2d(3, stride=2**30, padding=1, ceil_mode=True), "1×1×1"),
    ("[Network(1, 1 << 29)] [MaxPool1d(1 << 28, Stride = (1 << 28) - 1)]", (1, 2**29), nn.MaxPool1d(2**28, stride=2**28 - 1), "1×2"),
    ("[Network(1, 8, 8)] [Conv2d(8, 3, Padding = 1000)]", (1, 8, 8), nn.Conv2d(1, 8, 3, padding=1000, **meta), "8×2006×2006"),
    ("[Network(1, 8, 8)] [ZeroPad2d(1 << 13), Conv2d(1, 3)]", (1, 8, 8),
     nn.Sequential(nn.ZeroPad2d(2**13), nn.Conv2d(1, 1, 3, **meta)), "1×16390×16390"),
    ("[Network(1, 8, 8)] [Conv2d(8, 3, Dilation = 1 << 16, Padding = 1 << 16)]", (1, 8, 8),
     nn.Conv2d(1, 8, 3, dilation=2**16, padding=2**16, **meta), "8×8×8"),
    ("[Network(1, 8, 8)] [Upsample(ScaleFactor = 4096)]", (1, 8, 8), nn.Upsample(scale_factor=4096), "1×32768×32768"),
    ("[Network(1, 1, 8)] [AdaptiveAvgPool2d(new[] { 1, 1 << 29 })]", (1, 1, 8), nn.AdaptiveAvgPool2d((1, 2**29)), "1×1×536870912"),
    ("[Network(1, 8, 8)] [BatchNorm2d(Eps = double.PositiveInfinity)]", (1, 8, 8), nn.BatchNorm2d(1, eps=float("inf"), **meta).eval(), "1×8×8"),
    ("[Network(1, 8, 8)] [Conv2d(8, 3), BatchNorm2d(8, Eps = double.PositiveInfinity)]", (1, 8, 8),
     nn.Sequential(nn.Conv2d(1, 8, 3, **meta), nn.BatchNorm2d(8, eps=float("inf"), **meta)).eval(), "8×6×6"),
    ("[Network(1, 8, 8)] [LeakyReLU(double.PositiveInfinity)]", (1, 8, 8), nn.LeakyReLU(float("inf")), "1×8×8"),
    ("[Network(1 << 29, 1, 1)] [Concat(\"input\", \"input\")]", (2**29, 1, 1), lambda x: torch.cat([x, x], 1), "1073741824×1×1"),
]

failed = 0
for declaration, shape, module, expected in CASES:
    y = module(torch.empty((1,) + shape, device="meta"))
    got = "×".join(str(d) for d in y.shape[1:])
    ok = got == expected
    failed += not ok
    print(f"{'ok  ' if ok else 'DIFF'} {got:>16}  {declaration}")
sys.exit(1 if failed else 0)
