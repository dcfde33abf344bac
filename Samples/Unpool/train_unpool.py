"""Train a SegNet-style max-unpooling autoencoder to clean noisy synthetic images, and export what the Unpool sample needs.

    /usr/bin/python3 Samples/Unpool/train_unpool.py [--epochs N]

(Debian's torch 1.13 lives under /usr/bin/python3.) One CPU thread, fixed seeds, about a minute.

The task: a 32x32 single-channel image of 1 to 4 shapes (discs of radius 3..8, rectangles of 4..14 pixels a side,
brightness 0.4..1.0, later shapes painted over earlier ones) on a black background, seen through Gaussian noise
(std 0.35). The network gets the noisy image and reconstructs the clean one. noisy_shapes() below is the definition;
the C# sample (NoisyShapes.cs) is a line-by-line port with its own random generator, so it draws fresh images from
the same distribution.

The network (the C# declaration in SegNetAutoencoder.cs mirrors it layer by layer, with the same names): the encoder
max-pools with return_indices=True, and the decoder puts each value back where its maximum was (nn.MaxUnpool2d with
those indices), as SegNet and the DeepPainter decoder do, so edges come back at the right pixel without learning
where they were:
    enc1  conv3x3 1->16, ReLU            32x32
    pool1 max 2, indices                 16x16
    enc2  conv3x3 16->32, ReLU           16x16
    pool2 max 2, indices                  8x8
    mid   conv3x3 32->32, ReLU            8x8
    unpool2 (pool2's indices)            16x16
    dec2  conv3x3 32->16, ReLU           16x16
    unpool1 (pool1's indices)            32x32
    dec1  conv3x3 16->1                  32x32, the clean image

Training: 4,000 images, Adam (lr 3e-3, cosine to 0), batch 32, mean squared error to the clean image. Held out: 500
fresh images (another seed). Writes, next to this script (committed; the C# sample needs no Python):

    unpool.safetensors            the state_dict
    unpool.reference.safetensors  "inputs" [2, 1, 32, 32] (two held-out noisy images) and PyTorch's "outputs"

and prints the held-out mean squared error of the reconstruction and of the noisy input, against the clean images.
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
NOISE = 0.35
TRAIN_SEED, TEST_SEED = 20261202, 4242


def noisy_shapes(rng):
    """One (noisy, clean) pair, float32 [32, 32] each. rng: numpy.random.RandomState."""
    clean = np.zeros((SIZE, SIZE))
    ys, xs = np.mgrid[0:SIZE, 0:SIZE]
    for _ in range(rng.randint(1, 5)):                       # 1..4 shapes, later ones painted over earlier ones
        brightness = rng.uniform(0.4, 1.0)
        if rng.uniform() < 0.5:                              # disc: centre in [4, 28), radius in [3, 8]
            cx, cy, r = rng.uniform(4, SIZE - 4), rng.uniform(4, SIZE - 4), rng.uniform(3, 8)
            inside = (xs - cx) ** 2 + (ys - cy) ** 2 <= r * r
        else:                                                # rectangle: corner in [0, 26), sides 4..14, clipped
            x0, y0 = rng.randint(0, SIZE - 6), rng.randint(0, SIZE - 6)
            w, h = rng.randint(4, 15), rng.randint(4, 15)
            inside = (xs >= x0) & (xs < x0 + w) & (ys >= y0) & (ys < y0 + h)
        clean[inside] = brightness
    noisy = clean + rng.normal(0.0, NOISE, (SIZE, SIZE))
    return noisy.astype(np.float32), clean.astype(np.float32)


def dataset(count, seed):
    rng = np.random.RandomState(seed)
    pairs = [noisy_shapes(rng) for _ in range(count)]
    noisy = torch.from_numpy(np.stack([p[0] for p in pairs]))[:, None]
    clean = torch.from_numpy(np.stack([p[1] for p in pairs]))[:, None]
    return noisy, clean


class SegNetAutoencoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc1 = nn.Conv2d(1, 16, 3, padding=1)
        self.enc2 = nn.Conv2d(16, 32, 3, padding=1)
        self.mid = nn.Conv2d(32, 32, 3, padding=1)
        self.dec2 = nn.Conv2d(32, 16, 3, padding=1)
        self.dec1 = nn.Conv2d(16, 1, 3, padding=1)
        self.pool = nn.MaxPool2d(2, return_indices=True)
        self.unpool = nn.MaxUnpool2d(2)

    def forward(self, x):
        p1, i1 = self.pool(F.relu(self.enc1(x)))
        p2, i2 = self.pool(F.relu(self.enc2(p1)))
        m = F.relu(self.mid(p2))
        d2 = F.relu(self.dec2(self.unpool(m, i2)))
        return self.dec1(self.unpool(d2, i1))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=8)
    args = parser.parse_args()
    seed_everything(TRAIN_SEED)
    train_x, train_y = dataset(4000, TRAIN_SEED)
    test_x, test_y = dataset(500, TEST_SEED)

    model = SegNetAutoencoder()
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
            loss = F.mse_loss(model(train_x[idx]), train_y[idx])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            total += loss.item() * len(idx)
        model.eval()
        with torch.no_grad():
            held_out = F.mse_loss(model(test_x), test_y).item()
        print(f"epoch {epoch + 1:2d}  loss {total / len(train_x):.5f}  held-out MSE {held_out:.5f}  ({time.time() - start:.0f} s)")

    print(f"held-out MSE: reconstruction {held_out:.5f}; the noisy input itself {F.mse_loss(test_x, test_y).item():.5f}")
    write_safetensors(model.state_dict(), os.path.join(HERE, "unpool.safetensors"))
    write_reference(model, test_x[:2], os.path.join(HERE, "unpool.reference.safetensors"))


if __name__ == "__main__":
    main()
