"""Train a tiny U-Net to segment synthetic shapes, and export what the UNet sample needs.

    /usr/bin/python3 Samples/UNet/train_unet.py [--epochs N]

(Debian's torch 1.13 lives under /usr/bin/python3.) One CPU thread, fixed seeds, about 45 s.

The task: a 32x32 single-channel image of Gaussian noise (std 0.3) with 1 to 3 bright shapes (discs of radius 3..7,
rectangles of 4..12 pixels a side, brightness 0.5..1.0 added) and 0 to 2 bright distractor lines (1 pixel wide,
8..20 long, horizontal or vertical, brightness 0.5..1.0 added, NOT part of the mask). The mask is the union of the
shapes. A per-pixel threshold cannot separate shapes from noise and lines; the network has to look at
neighbourhoods. synthetic_image() below is the definition; the C# sample (Shapes.cs) is a line-by-line port with
its own random generator, so it draws fresh images from the same distribution.

The network (the C# declaration in TinyUNet.cs mirrors it layer by layer, with the same names):
    enc1  conv3x3 1->8,  BN, ReLU          32x32  (skip e1)
    pool 2
    enc2  conv3x3 8->16, BN, ReLU          16x16  (skip e2)
    pool 2
    mid   conv3x3 16->32, BN, ReLU          8x8
    up    bilinear upsample x2             16x16, concat [up, e2]  (48 channels)
    dec2  conv3x3 48->16, BN, ReLU
    up    bilinear upsample x2             32x32, concat [up, e1]  (24 channels)
    dec1  conv3x3 24->8, BN, ReLU
    head  conv1x1 8->1, Sigmoid            the probability that a pixel belongs to a shape

Training: 4,000 images, Adam (lr 3e-3, cosine to 0), batch 32, binary cross-entropy on the logits. Held out: 500
fresh images (another seed). Writes, next to this script (committed; the C# sample needs no Python):

    unet.safetensors            the state_dict (BatchNorm in eval mode; running statistics included)
    unet.reference.safetensors  "inputs" [2, 1, 32, 32] (two held-out images) and PyTorch's "outputs" [2, 1, 32, 32]

and prints the held-out IoU (intersection over union of the thresholded output, p > 0.5, with the true mask,
pooled over all pixels) and that of the best single global threshold on the raw image, for comparison. With torch
1.13: held-out IoU 0.948 after 6 epochs (the best global threshold, 0.55: 0.571).

The decoder upsamples bilinearly; ConvTranspose2d(k=2, s=2) would be the other classic choice, and the C# side
would declare it the same way once the runtime has the transposed-convolution kernel.
"""
import argparse
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "Common"))
from sample_tools import seed_everything, write_safetensors, write_reference  # noqa: E402

SIZE = 32
NOISE = 0.3
TRAIN_SEED, TEST_SEED = 20240703, 777


def synthetic_image(rng):
    """One (image, mask) pair, float32 [32, 32] and bool [32, 32]. rng: numpy.random.RandomState."""
    image = rng.normal(0.0, NOISE, (SIZE, SIZE))
    mask = np.zeros((SIZE, SIZE), dtype=bool)
    ys, xs = np.mgrid[0:SIZE, 0:SIZE]
    for _ in range(rng.randint(1, 4)):                       # 1..3 shapes
        brightness = rng.uniform(0.5, 1.0)
        if rng.uniform() < 0.5:                              # disc: centre in [4, 28), radius in [3, 7]
            cx, cy, r = rng.uniform(4, SIZE - 4), rng.uniform(4, SIZE - 4), rng.uniform(3, 7)
            inside = (xs - cx) ** 2 + (ys - cy) ** 2 <= r * r
        else:                                                # rectangle: corner in [0, 26), sides 4..12, clipped
            x0, y0 = rng.randint(0, SIZE - 6), rng.randint(0, SIZE - 6)
            w, h = rng.randint(4, 13), rng.randint(4, 13)
            inside = (xs >= x0) & (xs < x0 + w) & (ys >= y0) & (ys < y0 + h)
        image[inside] += brightness
        mask |= inside
    for _ in range(rng.randint(0, 3)):                       # 0..2 distractor lines, not in the mask
        brightness = rng.uniform(0.5, 1.0)
        length = rng.randint(8, 21)
        if rng.uniform() < 0.5:                              # horizontal
            y, x0 = rng.randint(0, SIZE), rng.randint(0, SIZE - length + 1)
            image[y, x0:x0 + length] += brightness
        else:                                                # vertical
            x, y0 = rng.randint(0, SIZE), rng.randint(0, SIZE - length + 1)
            image[y0:y0 + length, x] += brightness
    return image.astype(np.float32), mask


def dataset(count, seed):
    rng = np.random.RandomState(seed)
    pairs = [synthetic_image(rng) for _ in range(count)]
    images = torch.from_numpy(np.stack([p[0] for p in pairs]))[:, None]
    masks = torch.from_numpy(np.stack([p[1] for p in pairs]).astype(np.float32))[:, None]
    return images, masks


def block(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU())


def up(x):
    """nn.Upsample(scale_factor=2, mode="bilinear"), align_corners False (the default)."""
    return F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)


class TinyUNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc1, self.enc2, self.mid = block(1, 8), block(8, 16), block(16, 32)
        self.dec2, self.dec1 = block(48, 16), block(24, 8)
        self.head = nn.Conv2d(8, 1, 1)

    def logits(self, x):
        e1 = self.enc1(x)
        e2 = self.enc2(F.max_pool2d(e1, 2))
        m = self.mid(F.max_pool2d(e2, 2))
        d2 = self.dec2(torch.cat([up(m), e2], 1))
        d1 = self.dec1(torch.cat([up(d2), e1], 1))
        return self.head(d1)

    def forward(self, x):
        return torch.sigmoid(self.logits(x))


def iou(predicted, truth):
    intersection = (predicted & truth).sum().item()
    union = (predicted | truth).sum().item()
    return intersection / max(union, 1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=6)
    args = parser.parse_args()
    seed_everything(TRAIN_SEED)
    train_x, train_y = dataset(4000, TRAIN_SEED)
    test_x, test_y = dataset(500, TEST_SEED)

    model = TinyUNet()
    optimiser = torch.optim.Adam(model.parameters(), lr=3e-3)
    steps = args.epochs * math.ceil(len(train_x) / 32)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda s: 0.5 * (1 + math.cos(math.pi * s / steps)))
    start = time.time()
    for epoch in range(args.epochs):
        model.train()
        order = torch.randperm(len(train_x))
        total = 0.0
        for i in range(0, len(order), 32):
            idx = order[i:i + 32]
            loss = F.binary_cross_entropy_with_logits(model.logits(train_x[idx]), train_y[idx])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            total += loss.item() * len(idx)
        model.eval()
        with torch.no_grad():
            held_out = iou(model(test_x) > 0.5, test_y > 0.5)
        print(f"epoch {epoch + 1:2d}  loss {total / len(train_x):.4f}  held-out IoU {held_out:.4f}  ({time.time() - start:.0f} s)")

    truth = test_y > 0.5
    best_threshold = max((iou(test_x > t, truth), t) for t in np.arange(0.0, 1.5, 0.05))
    print(f"held-out IoU: network {held_out:.4f}; best global threshold on the raw image ({best_threshold[1]:.2f}): {best_threshold[0]:.4f}")

    write_safetensors(model.state_dict(), os.path.join(HERE, "unet.safetensors"))
    write_reference(model, test_x[:2], os.path.join(HERE, "unet.reference.safetensors"))


if __name__ == "__main__":
    main()
