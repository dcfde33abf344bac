"""Copy two of the peer reference networks into the golden data, so CI checks them end to end without Python.

    /usr/bin/python3 Tests/Golden/import_peers.py [PEERS_ARTIFACTS_DIR]

PEERS_ARTIFACTS_DIR defaults to ../shared/peers/artifacts beside the repository (written by the peers' export.py
with torch 1.13). For MLPerf Tiny ResNet-8 and DS-CNN it writes

    data/peer_<model>.safetensors      the state_dict, copied byte for byte (BatchNorm stats, I64 num_batches_tracked)
    data/peer_<model>.io.safetensors   "input" (the model's input without the batch dimension) and "output"
                                       (PyTorch's output, softmax included), F32
    data/peers.json                    their manifest, as cases.json

VWW MobileNetV1 (0.9 MB) and MobileNetV2 (14 MB) are left out to keep the golden data small: make_seeded.py checks them with
PRNG weights instead, and the benchmarks check their real outputs against PyTorch before timing them.
"""
import json
import pathlib
import shutil
import sys

import numpy as np
import torch

from make_golden import write_safetensors

MODELS = ["resnet8", "dscnn"]


def main():
    here = pathlib.Path(__file__).resolve().parent
    artifacts = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else here.parents[2] / "shared" / "peers" / "artifacts"
    manifest = []
    for model in MODELS:
        src = artifacts / model
        shutil.copyfile(src / "weights.safetensors", here / "data" / f"peer_{model}.safetensors")
        x = np.load(src / "input.npy")[0]
        y = np.load(src / "output.npy")[0]
        write_safetensors({"input": torch.from_numpy(x.copy()), "output": torch.from_numpy(y.copy())}, here / "data" / f"peer_{model}.io.safetensors")
        manifest.append({"name": f"peer_{model}", "input": list(x.shape), "output": list(y.shape)})
        print(f"{model}: input {x.shape}, output {y.shape}")
    with open(here / "data" / "peers.json", "w") as f:
        json.dump({"cases": manifest}, f, indent=1)


if __name__ == "__main__":
    main()
