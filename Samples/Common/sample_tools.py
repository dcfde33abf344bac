"""Helpers shared by the samples' PyTorch scripts (imported by path; not a package).

Debian's torch 1.13 under /usr/bin/python3 has no `safetensors` module, so the file format is written by hand:
u64 little-endian header length N, N bytes of JSON {name: {"dtype", "shape", "data_offsets": [begin, end]}}
padded with spaces to a multiple of 8, then the raw little-endian tensor data in the header's order. The result is
byte-for-byte what `safetensors.torch.save_file` would read, and ConvGen's `Load` reads it.
"""
import json
import os
import random
import struct

import numpy as np
import torch

ST_DTYPES = {torch.float32: ("F32", "<f4"), torch.int64: ("I64", "<i8")}


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(1)


def write_safetensors(tensors, path):
    """tensors: an ordered {name: tensor} (a state_dict, or reference inputs/outputs). Deterministic bytes."""
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        t = t.detach().cpu().contiguous()
        code, np_dtype = ST_DTYPES[t.dtype]
        raw = t.numpy().astype(np_dtype).tobytes()
        header[name] = {"dtype": code, "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    hjson = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hjson += b" " * (-len(hjson) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hjson)))
        f.write(hjson)
        for raw in blobs:
            f.write(raw)
    print(f"wrote {os.path.relpath(path)} ({os.path.getsize(path):,} bytes)")


def read_safetensors(path):
    """Reads back what write_safetensors wrote (used to check the files)."""
    dtypes = {"F32": torch.float32, "I64": torch.int64}
    with open(path, "rb") as f:
        blob = f.read()
    n = struct.unpack("<Q", blob[:8])[0]
    header = json.loads(blob[8:8 + n])
    out = {}
    for name, spec in header.items():
        begin, end = spec["data_offsets"]
        raw = bytearray(blob[8 + n + begin:8 + n + end])
        out[name] = torch.frombuffer(raw, dtype=dtypes[spec["dtype"]]).reshape(spec["shape"]).clone()
    return out


def randomise_batchnorm(model, generator=None):
    """Give every BatchNorm the non-trivial affine parameters and running statistics a trained model has (the
    defaults 1/0/0/1 would make BatchNorm an identity and hide a missing or misordered term)."""
    for m in model.modules():
        if isinstance(m, (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d)):
            c = m.num_features
            with torch.no_grad():
                m.weight.copy_(1.0 + 0.3 * torch.randn(c, generator=generator))
                m.bias.copy_(0.2 * torch.randn(c, generator=generator))
                m.running_mean.copy_(0.5 * torch.randn(c, generator=generator))
                m.running_var.copy_(0.5 + torch.rand(c, generator=generator))
                m.num_batches_tracked.fill_(1000)


def calibrate_batchnorm(model, inputs, generator=None):
    """Random affine parameters for every BatchNorm, then running statistics measured on `inputs` (train-mode
    forward passes, cumulative average), as training leaves them: every layer then sees roughly normalised
    activations, so that a deep untrained stack still responds to its input instead of saturating."""
    for m in model.modules():
        if isinstance(m, (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d)):
            c = m.num_features
            with torch.no_grad():
                m.weight.copy_(1.0 + 0.3 * torch.randn(c, generator=generator))
                m.bias.copy_(0.2 * torch.randn(c, generator=generator))
            m.reset_running_stats()
            m.momentum = None
    model.train()
    with torch.no_grad():
        for batch in inputs.split(64):
            model(batch)
    model.eval()
    for m in model.modules():
        if isinstance(m, (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d)):
            m.momentum = 0.1


def write_reference(model, inputs, path):
    """Runs the model (eval mode, no grad) on inputs [N, ...] and writes "inputs" and "outputs" (batch dimension N
    kept: the C# side runs them one at a time)."""
    model.eval()
    with torch.no_grad():
        outputs = model(inputs)
    write_safetensors({"inputs": inputs.float(), "outputs": outputs.float()}, path)
    return outputs
