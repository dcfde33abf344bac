"""A gated convolution (as in gated PixelCNN / free-form inpainting: y = sigmoid(gate(x)) * feat(x)) with fixed
random weights, and PyTorch's outputs for two inputs: what the GatedConv sample loads and checks against.

    /usr/bin/python3 Samples/GatedConv/make_gated_conv.py

(Debian's torch 1.13 lives under /usr/bin/python3.) No training. Two 3x3 convolutions read the same 3x16x16 input;
the gate's output goes through a sigmoid and multiplies the features element by element. To make the gating
visible, the gate's weights are doubled (so the gate varies from place to place) and its biases are set to
-3 .. +3 across the 8 channels (so channel 0 is mostly closed and channel 7 mostly open). Writes, next to this
script (committed; the C# sample needs no Python):

    gated_conv.safetensors            the state_dict: feat.weight/bias, gate.weight/bias
    gated_conv.reference.safetensors  "inputs" [2, 3, 16, 16] and PyTorch's "outputs" [2, 8, 16, 16]

Rerunning on the same torch version reproduces the same bytes.
"""
import os
import sys

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "Common"))
from sample_tools import seed_everything, write_safetensors, write_reference  # noqa: E402

SEED = 20240705
CHANNELS = 8


class GatedConv(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.feat = nn.Conv2d(cin, cout, 3, padding=1)
        self.gate = nn.Conv2d(cin, cout, 3, padding=1)

    def forward(self, x):
        return torch.sigmoid(self.gate(x)) * self.feat(x)


def main():
    seed_everything(SEED)
    module = GatedConv(3, CHANNELS)
    with torch.no_grad():
        module.gate.weight.mul_(2.0)
        module.gate.bias.copy_(torch.linspace(-3.0, 3.0, CHANNELS))
    module.eval()
    write_safetensors(module.state_dict(), os.path.join(HERE, "gated_conv.safetensors"))
    inputs = torch.randn(2, 3, 16, 16)
    outputs = write_reference(module, inputs, os.path.join(HERE, "gated_conv.reference.safetensors"))
    with torch.no_grad():
        gates = torch.sigmoid(module.gate(inputs[:1]))[0]
    print("mean gate per channel", [round(float(g), 3) for g in gates.mean((1, 2))])


if __name__ == "__main__":
    main()
