"""A ResNet basic block with a projection shortcut, as in torchvision's resnet18 layer2.0, with fixed random
weights, and PyTorch's outputs for two inputs: what the ResNetBlock sample loads and checks against.

    /usr/bin/python3 Samples/ResNetBlock/make_resnet_block.py

(Debian's torch 1.13 lives under /usr/bin/python3.) No training: the weights are drawn with a fixed seed, and every
BatchNorm gets non-trivial running statistics and affine parameters, as a trained network has. Writes, next to this
script (committed; the C# sample needs no Python):

    resnet_block.safetensors            the state_dict: conv1, bn1, conv2, bn2, shortcut.0 (1x1 conv), shortcut.1 (BN)
    resnet_block.reference.safetensors  "inputs" [2, 8, 16, 16] and PyTorch's "outputs" [2, 16, 8, 8], eval mode

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

SEED = 20240701
IN_CHANNELS, OUT_CHANNELS, SIZE = 8, 16, 16


class BasicBlock(nn.Module):
    """out = relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)), the first block of a ResNet stage."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


def main():
    seed_everything(SEED)
    block = BasicBlock(IN_CHANNELS, OUT_CHANNELS, stride=2)
    randomise_batchnorm(block)
    block.eval()
    write_safetensors(block.state_dict(), os.path.join(HERE, "resnet_block.safetensors"))
    inputs = torch.randn(2, IN_CHANNELS, SIZE, SIZE)
    outputs = write_reference(block, inputs, os.path.join(HERE, "resnet_block.reference.safetensors"))
    print("output", list(outputs.shape[1:]), "mean", float(outputs.mean()), "fraction > 0", float((outputs > 0).float().mean()))


if __name__ == "__main__":
    main()
