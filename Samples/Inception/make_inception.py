"""An Inception module (GoogLeNet, Szegedy et al. 2014) with fixed random weights, and PyTorch's outputs for two
inputs: what the Inception sample loads and checks against.

    /usr/bin/python3 Samples/Inception/make_inception.py

(Debian's torch 1.13 lives under /usr/bin/python3.) Four branches read the same input and are concatenated along
the channels: 1x1; 1x1 -> 3x3; 1x1 -> 5x5; 3x3 max-pool (stride 1, padding 1, ceil_mode) -> 1x1. Every convolution
is torchvision's BasicConv2d (conv without bias, BatchNorm with eps=0.001, ReLU), named as torchvision's GoogLeNet
names them (branch1.conv, branch2.0.bn, ...). No training: fixed seed, BatchNorm statistics randomised as a
trained network has them. Writes, next to this script (committed; the C# sample needs no Python):

    inception.safetensors            the state_dict
    inception.reference.safetensors  "inputs" [2, 16, 8, 8] and PyTorch's "outputs" [2, 32, 8, 8], eval mode

Rerunning on the same torch version reproduces the same bytes.
"""
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "Common"))
from sample_tools import seed_everything, randomise_batchnorm, write_safetensors, write_reference  # noqa: E402

SEED = 20240702


class BasicConv2d(nn.Module):
    def __init__(self, cin, cout, **kwargs):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, bias=False, **kwargs)
        self.bn = nn.BatchNorm2d(cout, eps=0.001)

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)))


class Inception(nn.Module):
    """torchvision.models.googlenet.Inception, with the paper's 5x5 in branch 3."""

    def __init__(self, cin, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj):
        super().__init__()
        self.branch1 = BasicConv2d(cin, ch1x1, kernel_size=1)
        self.branch2 = nn.Sequential(BasicConv2d(cin, ch3x3red, kernel_size=1), BasicConv2d(ch3x3red, ch3x3, kernel_size=3, padding=1))
        self.branch3 = nn.Sequential(BasicConv2d(cin, ch5x5red, kernel_size=1), BasicConv2d(ch5x5red, ch5x5, kernel_size=5, padding=2))
        self.branch4 = nn.Sequential(nn.MaxPool2d(kernel_size=3, stride=1, padding=1, ceil_mode=True), BasicConv2d(cin, pool_proj, kernel_size=1))

    def forward(self, x):
        return torch.cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)], 1)


def main():
    seed_everything(SEED)
    module = Inception(16, 8, 8, 12, 4, 6, 6)
    randomise_batchnorm(module)
    module.eval()
    write_safetensors(module.state_dict(), os.path.join(HERE, "inception.safetensors"))
    inputs = torch.randn(2, 16, 8, 8)
    outputs = write_reference(module, inputs, os.path.join(HERE, "inception.reference.safetensors"))
    print("output", list(outputs.shape[1:]), "mean", float(outputs.mean()))


if __name__ == "__main__":
    main()
