"""Small modules for the exporter's tests, written as PyTorch users write them (modules and functional calls mixed).
Each factory takes no argument and returns an nn.Module; Tests/Export/make_exported.py exports them with the
exporter's command line and records PyTorch's output. `CASES` lists (factory, input shape, uses layers without
generated code yet) in the order the files are made."""
import functools
import os
import sys
import zlib

import torch
import torch.nn as nn
import torch.nn.functional as F
from torchvision.ops import StochasticDepth

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Golden"))
from make_golden import randomise_batchnorm  # noqa: E402


def deterministic(factory):
    """Seeds torch by the factory's name, then gives every BatchNorm non-trivial statistics (as a trained model has),
    so that the exporter's command line and make_exported.py build the same weights."""
    @functools.wraps(factory)
    def build():
        torch.manual_seed(zlib.crc32(factory.__name__.encode()))
        module = factory()
        randomise_batchnorm(module, 0.5, 1.5)
        return module
    return build


@deterministic
def sequential():
    """nn.Sequential: unnamed layers keyed by position (0.weight, 4.weight, ...), Dropout and Flatten counting."""
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(4, 8, 3), nn.ReLU(inplace=True), nn.Dropout(0.2),
        nn.Flatten(), nn.Linear(8 * 3 * 3, 10))


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out += self.shortcut(x)
        return F.relu(out)


class Residual(nn.Module):
    """A stem, two residual blocks (one with a strided 1x1 projection), global average pooling, a classifier."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU(inplace=True))
        self.layer1 = BasicBlock(8, 8, 1)
        self.layer2 = BasicBlock(8, 16, 2)
        self.fc = nn.Linear(16, 5)

    def forward(self, x):
        x = self.layer2(self.layer1(self.stem(x)))
        x = F.adaptive_avg_pool2d(x, 1)
        return self.fc(torch.flatten(x, 1))


@deterministic
def residual():
    return Residual()


class Inception(nn.Module):
    """Four branches concatenated: 1x1; 1x1 then 3x3; 1x1 then 5x5; 3x3 max pool (functional) then 1x1."""

    def __init__(self):
        super().__init__()
        self.b1 = nn.Conv2d(4, 3, 1)
        self.b2 = nn.Sequential(nn.Conv2d(4, 2, 1), nn.ReLU(), nn.Conv2d(2, 4, 3, padding=1))
        self.b3 = nn.Sequential(nn.Conv2d(4, 2, 1), nn.ReLU(), nn.Conv2d(2, 3, 5, padding=2))
        self.b4 = nn.Conv2d(4, 2, 1)

    def forward(self, x):
        outs = [self.b1(x), self.b2(x), self.b3(x), self.b4(F.max_pool2d(x, 3, stride=1, padding=1))]
        return F.relu(torch.cat(outs, dim=1))


@deterministic
def inception():
    return Inception()


class UNet(nn.Module):
    """Encoder, max pool, bottleneck, nearest 2x upsampling, skip concatenation, 1x1 head, sigmoid."""

    def __init__(self):
        super().__init__()
        self.enc = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.ReLU())
        self.mid = nn.Sequential(nn.Conv2d(4, 8, 3, padding=1), nn.ReLU())
        self.dec = nn.Sequential(nn.Conv2d(12, 4, 3, padding=1), nn.ReLU())
        self.head = nn.Conv2d(4, 1, 1)

    def forward(self, x):
        e = self.enc(x)
        m = self.mid(F.max_pool2d(e, 2))
        u = F.interpolate(m, scale_factor=2, mode="nearest")
        return torch.sigmoid(self.head(self.dec(torch.cat([u, e], 1))))


@deterministic
def unet():
    return UNet()


class TextCnn(nn.Module):
    """1-D: a Conv1d over characters, max over positions (x.amax(-1)), a classifier, log_softmax."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(6, 8, 3, padding=1)
        self.conv2 = nn.Conv1d(8, 8, 5, padding=2, dilation=1)
        self.fc = nn.Linear(8, 4)

    def forward(self, x):
        x = F.relu(self.conv(x))
        x = F.relu(self.conv2(x))
        return F.log_softmax(self.fc(x.amax(dim=-1)), dim=1)


@deterministic
def conv1d():
    return TextCnn()


class Functional(nn.Module):
    """Functional calls and tensor methods: F.pad (reflect), F.leaky_relu, F.hardswish, F.gelu, F.avg_pool2d,
    a gate of the same shape, x.view(x.size(0), -1)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 6, 3)
        self.gate = nn.Conv2d(6, 6, 1)
        self.fc = nn.Linear(6 * 6 * 6, 4)

    def forward(self, x):
        x = self.conv(F.pad(x, (1, 1, 1, 1), mode="reflect"))
        x = F.leaky_relu(x, 0.1)
        x = F.avg_pool2d(F.hardswish(x), 2)
        x = x * torch.sigmoid(self.gate(x))
        x = F.gelu(x)
        x = x.view(x.size(0), -1)
        return self.fc(x)


@deterministic
def functional():
    return Functional()


class SqueezeExcitation(nn.Module):
    """A conv block with squeeze-excitation (x.mean((2, 3), keepdim=True), 1x1 convs, x * gate: a broadcast), then / 2
    and - 1 (numbers)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.fc1 = nn.Conv2d(8, 2, 1)
        self.fc2 = nn.Conv2d(2, 8, 1)

    def forward(self, x):
        x = F.relu(self.conv(x))
        s = torch.sigmoid(self.fc2(F.relu(self.fc1(x.mean((2, 3), keepdim=True)))))
        return x * s / 2 - 1


@deterministic
def se():
    return SqueezeExcitation()


class ShuffleUnit(nn.Module):
    """ShuffleNetV2's stride-1 unit as its paper's code writes it: chunk, branch, cat, view/transpose/view shuffle."""

    def __init__(self):
        super().__init__()
        self.branch = nn.Sequential(nn.Conv2d(4, 4, 1, bias=False), nn.BatchNorm2d(4), nn.ReLU(inplace=True),
                                    nn.Conv2d(4, 4, 3, padding=1, groups=4, bias=False), nn.BatchNorm2d(4),
                                    nn.Conv2d(4, 4, 1, bias=False), nn.BatchNorm2d(4), nn.ReLU(inplace=True))

    def forward(self, x):
        a, b = x.chunk(2, dim=1)
        out = torch.cat((a, self.branch(b)), dim=1)
        n, c, h, w = out.size()
        return out.view(n, 2, c // 2, h, w).transpose(1, 2).contiguous().view(n, -1, h, w)


@deterministic
def shufflenet():
    return ShuffleUnit()


class ConvNeXtBlock(nn.Module):
    """ConvNeXt's block written by hand: depthwise 7x7, permute, LayerNorm, Linear, GELU, Linear, permute back,
    a learned gamma (nn.Parameter) times the branch, StochasticDepth, residual."""

    def __init__(self, dim=8):
        super().__init__()
        self.dwconv = nn.Conv2d(dim, dim, 7, padding=3, groups=dim)
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.pwconv1 = nn.Linear(dim, 4 * dim)
        self.pwconv2 = nn.Linear(4 * dim, dim)
        self.gamma = nn.Parameter(0.5 * torch.randn(dim))
        self.drop_path = StochasticDepth(0.1, "row")

    def forward(self, x):
        y = self.dwconv(x).permute(0, 2, 3, 1)
        y = self.pwconv2(F.gelu(self.pwconv1(self.norm(y))))
        y = self.gamma * y
        return x + self.drop_path(y.permute(0, 3, 1, 2))


@deterministic
def convnext():
    return ConvNeXtBlock()


class SegNet(nn.Module):
    """Max pooling with indices, a conv, unpooling to the pooled tensor's size (odd), a conv."""

    def __init__(self):
        super().__init__()
        self.enc = nn.Conv2d(3, 4, 3, padding=1)
        self.mid = nn.Conv2d(4, 4, 3, padding=1)
        self.dec = nn.Conv2d(4, 3, 3, padding=1)

    def forward(self, x):
        e = F.relu(self.enc(x))
        p, idx = F.max_pool2d(e, 2, return_indices=True)
        m = F.relu(self.mid(p))
        return self.dec(F.max_unpool2d(m, idx, 2, output_size=e.shape[-2:]))


@deterministic
def segnet():
    return SegNet()


class Highway(nn.Module):
    """A highway layer on features: t * h + (1 - t) * x, with PReLU and ELU for h."""

    def __init__(self):
        super().__init__()
        self.h = nn.Linear(12, 12)
        self.t = nn.Linear(12, 12)
        self.act = nn.PReLU(12)
        self.out = nn.Linear(12, 3)

    def forward(self, x):
        x = torch.flatten(x, 1)
        h = F.elu(self.act(self.h(x)), alpha=0.5)
        t = torch.sigmoid(self.t(x))
        return self.out(t * h + (1 - t) * x)


@deterministic
def highway():
    return Highway()


class Decoder(nn.Module):
    """Features to a map: Linear, x.view(b, 4, 3, 3) (an Unflatten), transposed convolutions, sigmoid."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(10, 36)
        self.up1 = nn.ConvTranspose2d(4, 4, 2, stride=2)
        self.up2 = nn.ConvTranspose2d(4, 1, 3, padding=1)

    def forward(self, x):
        x = F.relu(self.fc(torch.flatten(x, 1)))
        x = x.view(x.size(0), 4, 3, 3)
        return torch.sigmoid(self.up2(F.relu(self.up1(x))))


@deterministic
def decoder():
    return Decoder()


class SqueezeExcitationClassic(nn.Module):
    """Squeeze-excitation as its paper's code writes it: view(b, c), Linear layers, view(b, c, 1, 1), expand_as."""

    def __init__(self, channel=8, reduction=4):
        super().__init__()
        self.conv = nn.Conv2d(3, channel, 3, padding=1)
        self.avg_pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Sequential(nn.Linear(channel, channel // reduction, bias=False), nn.ReLU(inplace=True),
                                nn.Linear(channel // reduction, channel, bias=False), nn.Sigmoid())

    def forward(self, x):
        x = self.conv(x)
        b, c, _, _ = x.size()
        y = self.avg_pool(x).view(b, c)
        y = self.fc(y).view(b, c, 1, 1)
        return x * y.expand_as(x)


@deterministic
def se_classic():
    return SqueezeExcitationClassic()


CASES = [
    (sequential, [1, 10, 10], False),
    (residual, [3, 12, 12], False),
    (inception, [4, 9, 9], False),
    (unet, [2, 8, 10], False),
    (conv1d, [6, 20], False),
    (functional, [3, 12, 12], False),
    (decoder, [2, 5], False),
    (se_classic, [3, 8, 8], False),
    (se, [3, 8, 8], False),
    (shufflenet, [8, 6, 6], False),
    (convnext, [8, 9, 9], False),
    (segnet, [3, 9, 7], False),
    (highway, [3, 4], False),
]
