"""A small MobileNet (v1: depthwise-separable blocks) as an nn.Sequential with fixed random weights, and PyTorch's
outputs for two inputs: what the MobileNet sample loads and checks against.

    /usr/bin/python3 Samples/MobileNet/make_mobilenet.py

(Debian's torch 1.13 lives under /usr/bin/python3.) No training: the weights are drawn with a fixed seed (so the
ten outputs are not classes of anything); every BatchNorm gets random affine parameters and the running statistics
of 256 random inputs, as training leaves them (with arbitrary statistics a deep untrained stack saturates and
gives the same output for every input, which would make a poor check). The network, for a 3x32x32 input:

    0..2    stem: Conv2d(3, 16, 3, stride 2, padding 1, no bias), BatchNorm2d, ReLU6           -> 16x16x16
    3..8    dw 3x3 (groups 16) + BN + ReLU6, pw 1x1 16->24 + BN + ReLU6                         -> 24x16x16
    9..14   dw 3x3 stride 2 (groups 24) + BN + ReLU6, pw 24->48 + BN + ReLU6                    -> 48x8x8
    15..20  dw 3x3 (groups 48) + BN + ReLU6, pw 48->48 + BN + ReLU6                             -> 48x8x8
    21..26  dw 3x3 stride 2 (groups 48) + BN + ReLU6, pw 48->96 + BN + ReLU6                    -> 96x4x4
    27..30  AdaptiveAvgPool2d(1), Flatten, Dropout(0.2), Linear(96, 10)                         -> 10

Writes, next to this script (committed; the C# sample needs no Python):

    mobilenet.safetensors            the state_dict, keyed by nn.Sequential index (0.weight, 1.running_mean, ...)
    mobilenet.reference.safetensors  "inputs" [2, 3, 32, 32] and PyTorch's "outputs" [2, 10], eval mode

Rerunning on the same torch version reproduces the same bytes.
"""
import os
import sys

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "Common"))
from sample_tools import seed_everything, calibrate_batchnorm, write_safetensors, write_reference  # noqa: E402

SEED = 20240704
BLOCKS = [(16, 24, 1), (24, 48, 2), (48, 48, 1), (48, 96, 2)]  # (in, out, depthwise stride)


def mobilenet():
    layers = [nn.Conv2d(3, 16, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU6()]
    for cin, cout, stride in BLOCKS:
        layers += [nn.Conv2d(cin, cin, 3, stride=stride, padding=1, groups=cin, bias=False), nn.BatchNorm2d(cin), nn.ReLU6(),
                   nn.Conv2d(cin, cout, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU6()]
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.2), nn.Linear(BLOCKS[-1][1], 10)]
    return nn.Sequential(*layers)


def main():
    seed_everything(SEED)
    model = mobilenet()
    calibrate_batchnorm(model, torch.randn(256, 3, 32, 32))
    model.eval()
    write_safetensors(model.state_dict(), os.path.join(HERE, "mobilenet.safetensors"))
    inputs = torch.randn(2, 3, 32, 32)
    outputs = write_reference(model, inputs, os.path.join(HERE, "mobilenet.reference.safetensors"))
    print("parameters", sum(p.numel() for p in model.parameters()))
    print("outputs", outputs)


if __name__ == "__main__":
    main()
