"""PyTorch's output for large reference networks filled with counter-based pseudo-random weights, so CI can check
them without Python and without their weights files (MobileNetV2's is 14 MB).

    /usr/bin/python3 Tests/Golden/make_seeded.py [PEERS_DIR]

PEERS_DIR (default: shared/peers in the nearest ancestor folder that has one, i.e. ../shared/peers beside the checkout) provides models.py for the MLPerf Tiny VWW network;
MobileNetV2 is torchvision's `mobilenet_v2()`. For each network it writes `data/seeded_<model>.json`:

    tensors   every float tensor of model.state_dict(), in order: key, shape, low, high
    input     the input tensor: key "input", shape (no batch dimension), low, high
    probe     the first 4 values of the input as float32 bit patterns, so a test can tell a generator that differs
              from this one apart from a network that differs from PyTorch
    output    model(input) in eval mode, float32, batch dimension removed

Every value is `low + (high - low) * u` computed in double and rounded to float32, with `u` the top 24 bits of
SplitMix64 over a counter: value i of a tensor is mix(seed + (i + 1) * 0x9E3779B97F4A7C15) with seed the 64-bit
FNV-1a hash of the tensor's key (UTF-8). Only integer arithmetic, one multiply, one add and one rounding in
floating point: the C# twin (Tests/ConvGen.Tests/Golden/SeededNetworkTests.cs) reproduces every bit.

Ranges keep activations of order 1 through 50+ layers without calibration: conv and linear weights
U(±sqrt(6 / fan_in)) (He uniform), biases U(±0.2), BatchNorm gamma U(0.5, 1.5), beta U(±0.2), running mean
U(±0.2), running var U(0.5, 1.5); the input U(±1).
"""
import json
import pathlib
import struct
import sys

import numpy as np
import torch
import torchvision

HERE = pathlib.Path(__file__).resolve().parent
GAMMA = np.uint64(0x9E3779B97F4A7C15)
MASK = (1 << 64) - 1


def fnv1a64(text):
    h = 0xCBF29CE484222325
    for b in text.encode("utf-8"):
        h = ((h ^ b) * 0x100000001B3) & MASK
    return h


def splitmix64(seed, n):
    """SplitMix64's outputs 1..n from `seed` (its state after i steps is seed + i * GAMMA)."""
    with np.errstate(over="ignore"):
        z = np.uint64(seed) + np.arange(1, n + 1, dtype=np.uint64) * GAMMA
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def uniform(key, n, low, high):
    """n float32 values of tensor `key` in [low, high)."""
    u = (splitmix64(fnv1a64(key), n) >> np.uint64(40)).astype(np.float64) * 2.0 ** -24
    return (low + (high - low) * u).astype(np.float32)


def value_range(key, t):
    if key.endswith(".weight") and t.dim() >= 2:
        bound = (6.0 / (t.numel() // t.shape[0])) ** 0.5
        return -bound, bound
    if key.endswith(".running_var") or key.endswith(".weight"):  # BatchNorm gamma: a 1-D weight
        return 0.5, 1.5
    return -0.2, 0.2  # biases, BatchNorm beta and running mean


def bits(values):
    return [struct.unpack("<I", struct.pack("<f", float(v)))[0] for v in values]


def write(name, model, input_shape):
    model.eval()
    tensors = []
    with torch.no_grad():
        for key, t in model.state_dict().items():
            if t.dtype != torch.float32:
                continue  # num_batches_tracked (I64), which ConvGen ignores
            low, high = value_range(key, t)
            t.copy_(torch.from_numpy(uniform(key, t.numel(), low, high)).reshape(t.shape))
            tensors.append({"key": key, "shape": list(t.shape), "low": low, "high": high})
        x = uniform("input", int(np.prod(input_shape)), -1.0, 1.0)
        y = model(torch.from_numpy(x).reshape((1,) + tuple(input_shape)))[0].numpy()
    doc = {
        "model": name,
        "tensors": tensors,
        "input": {"key": "input", "shape": list(input_shape), "low": -1.0, "high": 1.0},
        "probe": bits(x[:4]),
        "output": [float(v) for v in y.reshape(-1)],
    }
    path = HERE / "data" / f"seeded_{name}.json"
    with open(path, "w") as f:
        # one tensor per line: readable diffs
        f.write("{\n" + ",\n".join(f' "{k}": {json.dumps(v, separators=(",", ":"))}' for k, v in doc.items() if k != "tensors"))
        f.write(',\n "tensors": [\n' + ",\n".join("  " + json.dumps(t, separators=(",", ":")) for t in tensors) + "\n ]\n}\n")
    print(f"{name}: {len(tensors)} tensors, {sum(int(np.prod(t['shape'])) for t in tensors):,} values, "
          f"output {y.shape} max |y| {np.abs(y).max():.3f} -> {path}")


def main():
    # Vigna's splitmix64.c from state 0 (also Java's SplittableRandom): the C# test checks the same three values.
    assert [int(v) for v in splitmix64(0, 3)] == [0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F]
    torch.set_num_threads(1)
    if len(sys.argv) > 1:
        peers = pathlib.Path(sys.argv[1])
    else:  # shared/peers in the nearest ancestor that has one (../shared beside the checkout)
        peers = next((d / "shared" / "peers" for d in HERE.parents if (d / "shared" / "peers" / "models.py").exists()), None)
        if peers is None:
            sys.exit("../shared/peers not found beside the checkout: pass PEERS_DIR")
    sys.path.insert(0, str(peers))
    import models  # the peers' reference definitions

    write("mobilenetv2", torchvision.models.mobilenet_v2(weights=None), (3, 224, 224))
    vww, shape = models.vww_mobilenetv1()
    write("vww_mobilenetv1", vww, tuple(shape[1:]))


if __name__ == "__main__":
    main()
