#!/usr/bin/env python3
"""ConvGen exporter: a PyTorch module to a ConvGen declaration (C#) and its weights (safetensors).

    python3 Export/convgen_export.py MODULE:CALLABLE --input C,H,W --out DIR --name CLASSNAME [--namespace NS]

CALLABLE() returns a torch.nn.Module (MODULE is imported from the current directory or sys.path; a file path
`path/to/file.py` works too). The exporter puts it in eval mode, traces it with torch.fx, maps every operation to
ConvGen's layers (contract sections 1-3 and the 2026-12 row) and writes

    DIR/CLASSNAME.cs            [Network(C, H, W)] and the layers, in namespace NS (default ConvGenModels)
    DIR/CLASSNAME.safetensors   the state_dict tensors the declaration uses, under the keys it expects

Layers that own tensors are named after their module path (Name = "layer1.0.conv1"), so the keys are PyTorch's own
and a retrained state_dict saved with safetensors.torch.save_file loads unchanged. Before writing anything, the
exporter parses the C# it is about to write, runs it with PyTorch ops on those tensors (an interpreter of ConvGen's
semantics that never looks at the traced graph) and compares the result with the module's own output on a random
batch of two: a mismatch beyond the contract's bound |y - y_ref| <= 1e-4 * max(1, max|y_ref|) is an error, never a
written file. An operation ConvGen cannot express stops the export with a message naming the operation, its module
path and what to do. Exit status: 0 written, 2 not expressible or failed the self-check, 1 bad usage.

One file, torch >= 1.13, no other dependency (the safetensors file is written by hand). Python API: export(module,
input_shape, name) returns an Export (declaration text, tensors, self-check error); Export.write(directory).
"""
import argparse
import dis
import importlib
import importlib.util
import inspect
import json
import math
import operator
import os
import re
import struct
import sys

import torch
import torch.fx as fx
from torch.fx import _symbolic_trace
import torch.nn as nn
import torch.nn.functional as F
from torch.fx.passes.shape_prop import ShapeProp

TOLERANCE = 1e-4  # contract section 7: |y - y_ref| <= 1e-4 * max(1, max|y_ref|)
BATCH = 2  # the batch the module is traced and shape-propagated with


class ExportError(Exception):
    """An operation ConvGen cannot express, with where it is and what to do."""

    def __init__(self, op, path, why, fix):
        self.op, self.path, self.why, self.fix = op, path, why, fix
        where = f" at '{path}'" if path else ""
        super().__init__(f"cannot export {op}{where}: {why}. {fix}")


# ============================================================================ tracing
def _unpack_count(frame):
    """The length of `a, b = proxy` at the frame's current instruction (Python 3.11 moved f_lasti's unit, which
    torch 1.13's own Proxy.__iter__ assumes), or None when the proxy is not being unpacked."""
    for inst in dis.get_instructions(frame.f_code):
        if inst.offset == frame.f_lasti:
            return inst.argval if inst.opname == "UNPACK_SEQUENCE" else None
    return None


class _Proxy(fx.Proxy):
    """A proxy that also knows the value its node takes on the example input (computed as the trace goes), so that
    sizes are plain numbers while tracing: ConvGen's shapes are fixed, and code such as UNet's
    `F.pad(x1, [x2.size()[3] - x1.size()[3], ...])` then traces instead of failing on proxies."""

    def __iter__(self):
        count = _unpack_count(inspect.currentframe().f_back)
        if count is not None:
            return (self[i] for i in range(count))
        return self.tracer.iter(self)

    def _concrete(self):
        value = self.__dict__.get("_value")
        return value if isinstance(value, torch.Tensor) else None

    def size(self, dim=None):
        value = self._concrete()
        if value is None:
            return self.tracer.create_proxy("call_method", "size", (self,) if dim is None else (self, dim), {})
        return value.size() if dim is None else value.size(dim)

    @property
    def shape(self):
        value = self._concrete()
        return value.shape if value is not None else self.size()

    def dim(self):
        value = self._concrete()
        return value.dim() if value is not None else self.tracer.create_proxy("call_method", "dim", (self,), {})

    @property
    def ndim(self):
        return self.dim()


# torchvision modules kept whole (not traced into): their own forward is one ConvGen layer.
_TORCHVISION_LEAVES = ("StochasticDepth", "Permute")


class _Tracer(fx.Tracer):
    """torch.fx's tracer, recording for every node the module path it was traced in (for messages), keeping
    torchvision's StochasticDepth and Permute whole, and unpacking proxies under Python 3.11."""

    def __init__(self, example):
        super().__init__()
        self.path = []
        self.failed_in = None  # the module path where tracing failed
        self.example = example

    def proxy(self, node):
        return _Proxy(node, self)

    def create_proxy(self, kind, target, args, kwargs, name=None, type_expr=None, proxy_factory_fn=None):
        proxy = super().create_proxy(kind, target, args, kwargs, name, type_expr, proxy_factory_fn)
        try:
            proxy._value = self._evaluate(kind, target, args, kwargs)
        except Exception:
            proxy._value = None  # the value is only for sizes; tracing goes on without it
        return proxy

    def _evaluate(self, kind, target, args, kwargs):
        unwrap = lambda a: a.__dict__.get("_value") if isinstance(a, fx.Proxy) else a
        args = fx.node.map_aggregate(args, unwrap)
        kwargs = fx.node.map_aggregate(kwargs, unwrap)
        # While it traces, torch.fx routes Module.__call__ and __getattr__ through the tracer: run on the originals.
        patched = torch.nn.Module.__call__, torch.nn.Module.__getattr__
        torch.nn.Module.__call__, torch.nn.Module.__getattr__ = _symbolic_trace._orig_module_call, _symbolic_trace._orig_module_getattr
        try:
            return self._run(kind, target, args, kwargs)
        finally:
            torch.nn.Module.__call__, torch.nn.Module.__getattr__ = patched

    def _run(self, kind, target, args, kwargs):
        with torch.no_grad():
            if kind == "placeholder":
                return self.example
            if kind == "get_attr":
                obj = self.root
                for part in target.split("."):
                    obj = getattr(obj, part)
                return obj
            if kind == "call_function":
                return target(*args, **kwargs)
            if kind == "call_method":
                return getattr(args[0], target)(*args[1:], **kwargs)
            if kind == "call_module":
                return self.root.get_submodule(target)(*args, **kwargs)
        return None

    def is_leaf_module(self, m, qualname):
        if type(m).__name__ in _TORCHVISION_LEAVES and type(m).__module__.startswith("torchvision"):
            return True
        return super().is_leaf_module(m, qualname)

    def call_module(self, m, forward, args, kwargs):
        self.path.append(self.path_of_module(m))
        try:
            return super().call_module(m, forward, args, kwargs)
        except Exception:
            if self.failed_in is None:
                self.failed_in = self.path[-1]
            raise
        finally:
            self.path.pop()

    def create_node(self, kind, target, args, kwargs, name=None, type_expr=None):
        node = super().create_node(kind, target, args, kwargs, name, type_expr)
        node.meta["convgen_path"] = self.path[-1] if self.path else ""
        return node


# ============================================================================ values flowing through the graph
class Tensor:
    """A batched tensor computed from the input: the output of declaration layer `layer` (-1 = the input)."""

    def __init__(self, layer, shape):
        self.layer, self.shape = layer, tuple(shape)  # shape without the batch dimension


class Learned:
    """A tensor of the state_dict (key) or computed from them at export time (key None until named)."""

    def __init__(self, tensor, key):
        self.tensor, self.key = tensor.detach(), key
        self.layer = None  # the Parameter layer once emitted


class Pieces:
    """The tuple of torch.chunk/split: each piece becomes a Chunk/Split layer when it is used."""

    def __init__(self, source, kind, arg, dim, count, shapes):
        self.source, self.kind, self.arg, self.dim, self.count, self.shapes = source, kind, arg, dim, count, shapes
        self.cache = {}


class PoolWithIndices:
    """MaxPool2d(return_indices=True)'s (values, indices)."""

    def __init__(self, values, pool):
        self.values, self.pool = values, pool


class Indices:
    def __init__(self, pool):
        self.pool = pool


class ShuffleView:
    """x.view(N, g, C/g, H, W), then .transpose(1, 2): on its way to a channel shuffle. Read by anything else before
    the transpose, the view is an Unflatten."""

    def __init__(self, source, groups, transposed, shape=None):
        self.source, self.groups, self.transposed, self.shape = source, groups, transposed, shape
        self.unflattened = None


class Expanded:
    """x.expand_as(y) / x.expand(...): the same values broadcast, which +, - and * do by themselves."""

    def __init__(self, source):
        self.source = source


class Layer:
    """One declared layer: kind, C# arguments, the values it reads, and the tensors it owns (suffix -> tensor)."""

    def __init__(self, kind, pos=(), named=None, operands=(), prefix=None, tensors=None, node=None):
        self.kind, self.pos, self.named = kind, list(pos), dict(named or {})
        self.operands = list(operands)
        self.prefix = prefix          # state_dict key prefix (module path), or the whole key of a Parameter
        self.tensors = tensors or {}  # suffix ("weight", or "" for a Parameter) -> tensor
        self.node = node
        self.name = None


# ============================================================================ C# literals
def cs_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            raise ValueError(f"non-finite number {v}")
        text = repr(v)
        return text if any(c in text for c in ".e") else text + ".0"
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, (list, tuple)):
        return "new[] { " + ", ".join(cs_value(x) for x in v) + " }"
    raise TypeError(type(v))


def _tuple_arg(v):
    """A per-axis argument: an int when every axis agrees, else the list."""
    if isinstance(v, (list, tuple)):
        v = [int(x) for x in v]
        return v[0] if all(x == v[0] for x in v) else v
    return int(v)


def layer_text(layer):
    parts = [cs_value(v) for v in layer.pos]
    parts += [f"{k} = {cs_value(v)}" for k, v in layer.named.items()]
    return layer.kind + ("(" + ", ".join(parts) + ")" if parts else "")


# ============================================================================ the translation
_MERGES = ("Add", "Multiply", "Subtract", "Concat")


def _bind(args, kwargs, names, defaults=None):
    """Positional and keyword arguments of a call, by parameter name."""
    out = dict(defaults or {})
    for name, value in zip(names, args):
        out[name] = value
    out.update(kwargs)
    return out


class _Translator:
    def __init__(self, gm, input_shape):
        self.gm = gm
        self.modules = dict(gm.named_modules())
        self.input_shape = tuple(input_shape)
        self.layers = []
        self.values = {}
        self.node = None
        self.folded = set()  # state_dict keys of tensors used only through constants computed at export

    # -- helpers -------------------------------------------------------------------------------------------
    def fail(self, why, fix, op=None):
        node = self.node
        raise ExportError(op or _op_name(node, self.modules), node.meta.get("convgen_path", "") if node else "", why, fix)

    def shape_of(self, node):
        meta = node.meta.get("tensor_meta")
        if meta is None or not hasattr(meta, "shape"):
            self.fail("its output shape is unknown", "export a module whose forward returns tensors")
        return tuple(meta.shape)[1:]

    def emit(self, kind, pos=(), named=None, operands=(), prefix=None, tensors=None, shape=None):
        layer = Layer(kind, pos, named, operands, prefix, tensors, self.node)
        self.layers.append(layer)
        return Tensor(len(self.layers) - 1, shape if shape is not None else self.shape_of(self.node))

    def tensor(self, value, what="input"):
        if isinstance(value, Tensor):
            return value
        if isinstance(value, Pieces):
            self.fail(f"its {what} is the whole tuple of a chunk/split", "index the tuple (x.chunk(2, 1)[0]) or unpack it")
        if isinstance(value, ShuffleView):
            if value.transposed:
                self.fail("it reads a transposed 5-D view of a tensor", "ConvGen knows that view only as part of a channel shuffle "
                          "(view(N, g, C/g, H, W), transpose(1, 2), view(N, C, H, W)); use nn.ChannelShuffle(g)")
            if value.unflattened is None:
                value.unflattened = self.emit("Unflatten", [1, [value.groups, value.shape[1]]], {}, [value.source], shape=value.shape)
            return value.unflattened
        if isinstance(value, Expanded):
            self.fail("it reads an expanded tensor", "use expand/expand_as only as an operand of +, - or * (which broadcast by themselves)")
        if isinstance(value, Learned):
            self.fail(f"its {what} is a learned tensor, not computed from the network input",
                      "ConvGen takes learned tensors only as operands of +, - and * (Parameter)")
        self.fail(f"its {what} is not a tensor computed from the network input ({type(value).__name__})",
                  "export a module whose forward computes on its input")

    def module_tensors(self, module):
        return {k: v for k, v in module.state_dict().items()}

    # -- the walk ------------------------------------------------------------------------------------------
    def run(self):
        graph = self.gm.graph
        output = None
        for node in graph.nodes:
            self.node = node
            if node.op == "placeholder":
                if sum(1 for n in graph.nodes if n.op == "placeholder") > 1:
                    self.fail("forward takes more than one input", "export a module whose forward takes one tensor")
                self.values[node] = Tensor(-1, self.input_shape)
            elif node.op == "get_attr":
                self.values[node] = self.get_attr(node)
            elif node.op == "output":
                output = node.args[0]
            else:
                args = fx.node.map_arg(node.args, lambda n: self.values[n])
                kwargs = fx.node.map_arg(node.kwargs, lambda n: self.values[n])
                self.values[node] = self.call(node, args, kwargs)
        self.node = None
        if not isinstance(output, fx.Node):
            raise ExportError("output", "", "forward returns several values (or none)", "export a module whose forward returns one tensor")
        result = self.values[output]
        self.node = output
        result = self.tensor(result, "output")
        if result.layer != len(self.layers) - 1 or result.layer < 0:
            self.emit("Identity", operands=[result], shape=result.shape)
        return self.layers

    def get_attr(self, node):
        target = node.target
        obj = self.gm
        for part in target.split("."):
            obj = getattr(obj, part)
        if not isinstance(obj, torch.Tensor):
            self.fail("it reads a module attribute that is not a tensor", "export a module whose forward uses tensors only")
        return Learned(obj, target)

    def call(self, node, args, kwargs):
        # Anything computed from learned tensors and numbers only is computed now (a folded constant).
        if node.op != "call_module" and _all_static(args) and _all_static(kwargs) and _has_learned(args, kwargs):
            return self.fold(node, args, kwargs)
        if node.op != "call_module" and _all_const(args) and _all_const(kwargs):
            return self.const(node, args, kwargs)
        if node.op == "call_module":
            module = self.modules[node.target]
            handler = _MODULES.get(type(module))
            if handler is None:
                for cls, h in _MODULES.items():
                    if isinstance(module, cls) and type(module).forward is cls.forward:
                        handler = h
                        break
            if handler is None:
                handler = _TORCHVISION.get(type(module).__name__) if type(module).__module__.startswith("torchvision") else None
            if handler is None:
                self.fail(f"ConvGen has no layer for {type(module).__module__}.{type(module).__name__}",
                          "replace the module by layers of the README's table, or export the part of the model before it")
            result = handler(self, module, node.target, args, kwargs)
            # nn.ReLU(inplace=True) and friends: later reads of the input see the result, as in eager PyTorch.
            if getattr(module, "inplace", False) and node.args and isinstance(node.args[0], fx.Node):
                self.values[node.args[0]] = result
            return result
        if node.op == "call_function":
            handler = _FUNCTIONS.get(node.target)
            if handler is None:
                self.fail("ConvGen has no layer for this function", "replace it by layers of the README's table, or export the part of the model before it")
            return handler(self, args, kwargs)
        if node.op == "call_method":
            handler = _METHODS.get(node.target)
            if handler is None:
                self.fail("ConvGen has no layer for this tensor method", "replace it by layers of the README's table, or export the part of the model before it")
            return handler(self, args[0], args[1:], kwargs)
        self.fail("unknown node kind", "export a module that torch.fx traces")

    def const(self, node, args, kwargs):
        unwrap = lambda v: v.value if isinstance(v, _Const) else v
        a = [_map(unwrap, x) for x in args]
        k = {key: _map(unwrap, v) for key, v in kwargs.items()}
        if node.op == "call_function":
            return _Const(node.target(*a, **k))
        if node.op == "call_method":
            return _Const(getattr(a[0], node.target)(*a[1:], **k))
        self.fail("unexpected constant", "export a module that torch.fx traces")

    def fold(self, node, args, kwargs):
        unwrap = lambda v: v.tensor if isinstance(v, Learned) else (v.value if isinstance(v, _Const) else v)
        a = [_map(unwrap, x) for x in args]
        k = {key: _map(unwrap, v) for key, v in kwargs.items()}
        with torch.no_grad():
            if node.op == "call_function":
                result = node.target(*a, **k)
            else:
                result = getattr(a[0], node.target)(*a[1:], **k)
        self.folded.update(v.key for v in _walk((args, kwargs)) if isinstance(v, Learned) and v.key is not None)
        if isinstance(result, torch.Tensor):
            return Learned(result, f"const.{node.name}")
        return _Const(result)


class _Const:
    def __init__(self, value):
        self.value = value


def _map(fn, v):
    if isinstance(v, (list, tuple)):
        return type(v)(_map(fn, x) for x in v)
    if isinstance(v, dict):
        return {k: _map(fn, x) for k, x in v.items()}
    return fn(v)


def _walk(v):
    if isinstance(v, (list, tuple)):
        for x in v:
            yield from _walk(x)
    elif isinstance(v, dict):
        for x in v.values():
            yield from _walk(x)
    else:
        yield v


def _all_static(v):
    return all(not isinstance(x, (Tensor, Pieces, PoolWithIndices, Indices, ShuffleView, Expanded)) for x in _walk(v))


def _all_const(v):
    return all(not isinstance(x, (Tensor, Learned, Pieces, PoolWithIndices, Indices, ShuffleView, Expanded)) for x in _walk(v))


def _has_learned(args, kwargs):
    return any(isinstance(x, Learned) for x in _walk((args, kwargs)))


def _plain(v):
    """Python value of a constant argument (a torch.Size, an int computed from shapes, ...)."""
    v = v.value if isinstance(v, _Const) else v
    if isinstance(v, torch.Size):
        return tuple(v)
    if isinstance(v, (list, tuple)):
        return type(v)(_plain(x) for x in v)
    return v


def _op_name(node, modules):
    if node is None:
        return "the module"
    if node.op == "call_module":
        m = modules.get(node.target)
        return f"{type(m).__module__}.{type(m).__name__}" if m is not None else str(node.target)
    if node.op == "call_function":
        t = node.target
        mod = getattr(t, "__module__", None) or ""
        name = getattr(t, "__name__", str(t))
        if mod in ("_operator", "operator"):
            return f"operator.{name} ('{name}' in forward)"
        if mod.startswith("torch._C") or mod == "torch" or isinstance(t, type(torch.relu)):
            return f"torch.{name}"
        return f"{mod}.{name}" if mod else name
    if node.op == "call_method":
        return f"Tensor.{node.target}"
    return node.op


# ============================================================================ handlers: modules
def _conv(t, m, path, args, kwargs):
    x = t.tensor(args[0])
    if len(args) > 1 or kwargs:
        t.fail("it is called with extra arguments", "call the convolution on one tensor")
    transposed = isinstance(m, (nn.ConvTranspose1d, nn.ConvTranspose2d))
    dims = 1 if isinstance(m, (nn.Conv1d, nn.ConvTranspose1d)) else 2
    kind = ("ConvTranspose" if transposed else "Conv") + f"{dims}d"
    named = {}
    if m.stride != (1,) * dims:
        named["Stride"] = _tuple_arg(m.stride)
    if isinstance(m.padding, str):
        named["Padding"] = m.padding
    elif m.padding != (0,) * dims:
        named["Padding"] = _tuple_arg(m.padding)
    if transposed and m.output_padding != (0,) * dims:
        named["OutputPadding"] = _tuple_arg(m.output_padding)
    if m.dilation != (1,) * dims:
        named["Dilation"] = _tuple_arg(m.dilation)
    if m.groups != 1:
        named["Groups"] = m.groups
    if m.bias is None:
        named["Bias"] = False
    if m.padding_mode != "zeros":
        if transposed:
            t.fail(f"padding_mode '{m.padding_mode}' on a transposed convolution", "use padding_mode='zeros'")
        named["PaddingMode"] = m.padding_mode
    return t.emit(kind, [m.out_channels, _tuple_arg(m.kernel_size)], named, [x], path, t.module_tensors(m))


def _linear(t, m, path, args, kwargs):
    named = {} if m.bias is not None else {"Bias": False}
    return t.emit("Linear", [m.out_features], named, [t.tensor(args[0])], path, t.module_tensors(m))


def _batchnorm(t, m, path, args, kwargs):
    x = t.tensor(args[0])
    if not m.track_running_stats or m.running_mean is None:
        t.fail("it has no running statistics, so it normalises with the batch's own statistics even in eval mode",
               "train with track_running_stats=True")
    kind = "BatchNorm2d" if isinstance(m, nn.BatchNorm2d) else "BatchNorm1d"
    if isinstance(m, nn.BatchNorm2d) and len(x.shape) != 3 or isinstance(m, nn.BatchNorm1d) and len(x.shape) not in (1, 2):
        t.fail(f"its input has shape {list(x.shape)}", "use BatchNorm2d on C×H×W and BatchNorm1d on C×L or features")
    named = {}
    if m.eps != 1e-5:
        named["Eps"] = float(m.eps)
    if not m.affine:
        named["Affine"] = False
    return t.emit(kind, [], named, [x], path, t.module_tensors(m))


def _layernorm(t, m, path, args, kwargs):
    named = {}
    if m.eps != 1e-5:
        named["Eps"] = float(m.eps)
    if not m.elementwise_affine:
        named["ElementwiseAffine"] = False
    elif getattr(m, "bias", True) is None:
        named["Bias"] = False
    return t.emit("LayerNorm", list(m.normalized_shape), named, [t.tensor(args[0])], path, t.module_tensors(m))


def _simple(kind, read=None):
    """An activation or no-op module whose arguments `read(module)` returns as (positional, named)."""
    def handler(t, m, path, args, kwargs):
        pos, named = read(m) if read else ([], {})
        return t.emit(kind, pos, named, [t.tensor(args[0])], path if kind in ("PReLU",) else None,
                      t.module_tensors(m) if kind == "PReLU" else None)
    return handler


def _prelu_args(m):
    return ([m.num_parameters] if m.num_parameters != 1 else []), {}


def _hardtanh(t, m, path, args, kwargs):
    return _clamp(t, t.tensor(args[0]), m.min_val, m.max_val)


def _clamp(t, x, lo, hi):
    if lo == 0 and hi == 6:
        return t.emit("ReLU6", [], {}, [x])
    if lo == -1 and hi == 1:
        return t.emit("Hardtanh", [], {}, [x])
    return t.emit("Hardtanh", [float(lo), float(hi)], {}, [x])


def _softmax_module(kind):
    def handler(t, m, path, args, kwargs):
        return _softmax(t, kind, t.tensor(args[0]), m.dim)
    return handler


def _softmax(t, kind, x, dim):
    if dim is None:  # PyTorch's legacy implicit dim: 0 for 0-, 1- and 3-D inputs, else 1
        dim = 0 if len(x.shape) + 1 in (0, 1, 3) else 1
    if dim == 0 or dim == -(len(x.shape) + 1):
        t.fail(f"{kind} over dim {dim}, the batch", "normalise over dim 1 (or another dimension of one sample)")
    return t.emit(kind, [], {"Dim": int(dim)} if dim != 1 else {}, [x])


def _pool(t, m, path, args, kwargs):
    x = t.tensor(args[0])
    is_max = isinstance(m, (nn.MaxPool1d, nn.MaxPool2d))
    dims = 1 if isinstance(m, (nn.MaxPool1d, nn.AvgPool1d)) else 2
    return _pool_layer(t, x, is_max, dims, m.kernel_size, m.stride, m.padding, getattr(m, "dilation", 1), m.ceil_mode,
                       getattr(m, "count_include_pad", True), getattr(m, "divisor_override", None),
                       getattr(m, "return_indices", False))


def _pool_layer(t, x, is_max, dims, kernel, stride, padding, dilation, ceil_mode, count_include_pad, divisor, return_indices):
    kind = ("MaxPool" if is_max else "AvgPool") + f"{dims}d"
    if len(x.shape) != dims + 1:
        t.fail(f"{kind} on an input of shape {list(x.shape)}", f"use a {'1-D' if len(x.shape) == 2 else '2-D'} pooling")
    named = {}
    stride = stride if stride not in (None, [], ()) else kernel
    if _tuple_arg(stride) != _tuple_arg(kernel):
        named["Stride"] = _tuple_arg(stride)
    if _tuple_arg(padding) != 0:
        named["Padding"] = _tuple_arg(padding)
    if is_max and _tuple_arg(dilation) != 1:
        named["Dilation"] = _tuple_arg(dilation)
    if ceil_mode:
        named["CeilMode"] = True
    if not is_max and not count_include_pad:
        named["CountIncludePad"] = False
    if not is_max and divisor:
        if dims == 1:
            t.fail("divisor_override on a 1-D pooling", "ConvGen's AvgPool1d has no divisor_override")
        named["DivisorOverride"] = int(divisor)
    if return_indices:
        if dims != 2:
            t.fail("return_indices on a 1-D max pooling", "ConvGen unpools 2-D maps only (MaxPool2d, MaxUnpool2d)")
        named["ReturnIndices"] = True
        shape = t.node.meta["tensor_meta"][0].shape[1:]
        values = t.emit(kind, [_tuple_arg(kernel)], named, [x], shape=shape)
        return PoolWithIndices(values, values.layer)
    return t.emit(kind, [_tuple_arg(kernel)], named, [x])


def _adaptive(t, m, path, args, kwargs):
    is_max = isinstance(m, (nn.AdaptiveMaxPool1d, nn.AdaptiveMaxPool2d))
    dims = 1 if isinstance(m, (nn.AdaptiveAvgPool1d, nn.AdaptiveMaxPool1d)) else 2
    if getattr(m, "return_indices", False):
        t.fail("return_indices on an adaptive max pooling", "use MaxPool2d(return_indices=True)")
    return _adaptive_layer(t, t.tensor(args[0]), is_max, dims, m.output_size)


def _adaptive_layer(t, x, is_max, dims, size):
    kind = ("AdaptiveMaxPool" if is_max else "AdaptiveAvgPool") + f"{dims}d"
    if len(x.shape) != dims + 1:
        t.fail(f"{kind} on an input of shape {list(x.shape)}", "use the pooling of the input's dimensionality")
    size = list(size) if isinstance(size, (list, tuple)) else [size] * dims
    size = [x.shape[1 + i] if s is None else int(s) for i, s in enumerate(size)]
    return t.emit(kind, [_tuple_arg(size)], {}, [x], shape=(x.shape[0],) + tuple(size))


def _unpool(t, m, path, args, kwargs):
    a = _bind(args, kwargs, ["input", "indices", "output_size"])
    return _unpool_layer(t, a["input"], a["indices"], m.kernel_size, m.stride, m.padding)


def _unpool_layer(t, x, indices, kernel, stride, padding):
    x = t.tensor(x)
    if not isinstance(indices, Indices):
        t.fail("its indices do not come from a MaxPool2d(return_indices=True) of this module",
               "unpool with the indices of a max pooling of the same forward")
    k = _pair(kernel)
    s = _pair(stride if stride is not None else kernel)
    p = _pair(padding)
    named = {}
    if s != k:
        named["Stride"] = _tuple_arg(s)
    if p != [0, 0]:
        named["Padding"] = _tuple_arg(p)
    named["Indices"] = indices  # resolved to the pool's name when names are given
    out = t.shape_of(t.node)
    default = [(x.shape[1 + i] - 1) * s[i] - 2 * p[i] + k[i] for i in range(2)]
    if list(out[1:]) != default:
        named["OutputSize"] = [int(v) for v in out[1:]]
    return t.emit("MaxUnpool2d", [_tuple_arg(k)], named, [x])


def _pair(v):
    return [int(x) for x in v] if isinstance(v, (list, tuple)) else [int(v), int(v)]


def _flatten_module(t, m, path, args, kwargs):
    return _flatten(t, t.tensor(args[0]), m.start_dim, m.end_dim, keep_layer=True)


def _flatten(t, x, start, end, keep_layer=False):
    rank = len(x.shape) + 1
    start, end = (start + rank if start < 0 else start), (end + rank if end < 0 else end)
    if start == 0:
        t.fail("it flattens the batch dimension into the others", "flatten from dim 1 (torch.flatten(x, 1))")
    if start >= end and not keep_layer:
        return x
    named = {}
    if start != 1:
        named["StartDim"] = start
    if end != rank - 1:
        named["EndDim"] = end if end < rank - 1 else -1
    return t.emit("Flatten", [], named, [x])


def _noop_module(kind, read=None):
    def handler(t, m, path, args, kwargs):
        pos, named = read(m) if read else ([], {})
        return t.emit(kind, pos, named, [t.tensor(args[0])])
    return handler


def _pad_module(kind):
    def handler(t, m, path, args, kwargs):
        if isinstance(m, nn.ConstantPad2d) and m.value != 0:
            t.fail(f"constant padding with the value {m.value}", "ConvGen pads with zeros (ZeroPad2d)")
        return _pad(t, kind, t.tensor(args[0]), m.padding)
    return handler


def _pad(t, kind, x, padding):
    padding = list(padding) if isinstance(padding, (list, tuple)) else [padding] * 4
    if len(padding) != 4 or len(x.shape) != 3:
        t.fail(f"padding {padding} on an input of shape {list(x.shape)}", "pad a C×H×W map on its four sides (left, right, top, bottom)")
    if min(padding) < 0:
        t.fail(f"negative padding {padding} (a crop)", "crop with a slice before exporting, or pad with 0 or more")
    if max(padding) == 0:
        return x
    return t.emit(kind, [padding[0] if len(set(padding)) == 1 else [int(p) for p in padding]], {}, [x])


def _upsample_module(t, m, path, args, kwargs):
    align = m.align_corners
    if isinstance(m, nn.UpsamplingBilinear2d):
        align = True
    return _upsample(t, t.tensor(args[0]), m.size, m.scale_factor, m.mode, align, getattr(m, "recompute_scale_factor", None))


def _upsample(t, x, size, scale, mode, align, recompute):
    if mode not in ("nearest", "bilinear", "linear"):
        t.fail(f"mode '{mode}'", "ConvGen's Upsample has 'nearest' and 'bilinear' (2-D)")
    if mode == "linear":
        t.fail("1-D linear interpolation", "use mode='nearest', or a 2-D bilinear Upsample")
    named = {}
    out = t.shape_of(t.node)
    if scale is not None and not recompute:
        named["ScaleFactor"] = _scale(scale)
    else:
        named["Size"] = _tuple_arg([int(v) for v in out[1:]])
    if mode == "bilinear":
        named["Mode"] = "bilinear"
        if align:
            named["AlignCorners"] = True
    return t.emit("Upsample", [], named, [x])


def _scale(scale):
    values = [float(s) for s in (scale if isinstance(scale, (list, tuple)) else [scale])]
    if all(v == values[0] for v in values):
        v = values[0]
        return int(v) if v == int(v) else v
    return values


def _shuffle_module(t, m, path, args, kwargs):
    return t.emit("ChannelShuffle", [int(m.groups)], {}, [t.tensor(args[0])])


def _stochastic_depth(t, m, path, args, kwargs):
    return t.emit("StochasticDepth", [float(m.p), m.mode], {}, [t.tensor(args[0])])


def _permute_module(t, m, path, args, kwargs):
    return _permute(t, t.tensor(args[0]), list(m.dims))


def _permute(t, x, dims):
    dims = [int(d) for d in dims]
    rank = len(x.shape) + 1
    if sorted(d % rank for d in dims) != list(range(rank)):
        t.fail(f"dims {dims}", "give one entry per dimension")
    if dims[0] % rank != 0:
        t.fail(f"permute {dims} moves the batch dimension", "keep the batch first")
    if [d % rank for d in dims] == list(range(rank)):
        return x
    return t.emit("Permute", dims, {}, [x])


_MODULES = {
    nn.Conv1d: _conv, nn.Conv2d: _conv, nn.ConvTranspose1d: _conv, nn.ConvTranspose2d: _conv,
    nn.Linear: _linear,
    nn.BatchNorm1d: _batchnorm, nn.BatchNorm2d: _batchnorm,
    nn.LayerNorm: _layernorm,
    nn.ReLU: _simple("ReLU"), nn.ReLU6: _simple("ReLU6"),
    nn.LeakyReLU: _simple("LeakyReLU", lambda m: ([float(m.negative_slope)] if m.negative_slope != 0.01 else [], {})),
    nn.Sigmoid: _simple("Sigmoid"), nn.Tanh: _simple("Tanh"), nn.SiLU: _simple("SiLU"),
    nn.GELU: _simple("GELU", lambda m: ([], {"Approximate": "tanh"} if m.approximate == "tanh" else {})),
    nn.Hardswish: _simple("Hardswish"), nn.Hardsigmoid: _simple("Hardsigmoid"), nn.Mish: _simple("Mish"),
    nn.Hardtanh: _hardtanh,
    nn.PReLU: _simple("PReLU", _prelu_args),
    nn.ELU: _simple("ELU", lambda m: ([float(m.alpha)] if m.alpha != 1.0 else [], {})),
    nn.Softplus: _simple("Softplus", lambda m: ([float(m.beta), float(m.threshold)] if m.threshold != 20
                                                 else [float(m.beta)] if m.beta != 1 else [], {})),
    nn.Softmax: _softmax_module("Softmax"), nn.LogSoftmax: _softmax_module("LogSoftmax"),
    nn.MaxPool1d: _pool, nn.MaxPool2d: _pool, nn.AvgPool1d: _pool, nn.AvgPool2d: _pool,
    nn.AdaptiveAvgPool1d: _adaptive, nn.AdaptiveAvgPool2d: _adaptive,
    nn.AdaptiveMaxPool1d: _adaptive, nn.AdaptiveMaxPool2d: _adaptive,
    nn.MaxUnpool2d: _unpool,
    nn.Flatten: _flatten_module,
    nn.Unflatten: lambda t, m, path, args, kwargs: t.emit("Unflatten", [int(m.dim), [int(v) for v in m.unflattened_size]], {}, [t.tensor(args[0])]),
    nn.Dropout: _noop_module("Dropout", lambda m: ([float(m.p)] if m.p != 0.5 else [], {})),
    nn.Dropout1d: _noop_module("Dropout", lambda m: ([float(m.p)] if m.p != 0.5 else [], {})),
    nn.Dropout2d: _noop_module("Dropout", lambda m: ([float(m.p)] if m.p != 0.5 else [], {})),
    nn.AlphaDropout: _noop_module("Dropout", lambda m: ([float(m.p)] if m.p != 0.5 else [], {})),
    nn.Identity: _noop_module("Identity"),
    nn.ZeroPad2d: _pad_module("ZeroPad2d"), nn.ConstantPad2d: _pad_module("ZeroPad2d"),
    nn.ReflectionPad2d: _pad_module("ReflectionPad2d"), nn.ReplicationPad2d: _pad_module("ReplicationPad2d"),
    nn.Upsample: _upsample_module, nn.UpsamplingNearest2d: _upsample_module, nn.UpsamplingBilinear2d: _upsample_module,
    nn.ChannelShuffle: _shuffle_module,
}

_TORCHVISION = {"StochasticDepth": _stochastic_depth, "Permute": _permute_module}


# ============================================================================ handlers: functions and methods
def _activation(kind, names=(), read=None):
    """F.relu(x, inplace), torch.sigmoid(x), x.relu_() ...: `read(bound)` gives the C# (positional, named)."""
    def handler(t, args, kwargs):
        a = _bind(args, kwargs, ["input"] + list(names))
        x = t.tensor(a["input"])
        pos, named = read(a) if read else ([], {})
        return t.emit(kind, pos, named, [x])
    return handler


def _inplace(handler):
    """x.relu_(), F.relu(x, inplace=True): later reads of x see the result, as in eager PyTorch."""
    def wrapped(t, args, kwargs):
        result = handler(t, args, kwargs)
        source = t.node.args[0] if t.node.args else None
        if isinstance(source, fx.Node):
            t.values[source] = result
        return result
    return wrapped


def _maybe_inplace(handler, position):
    def wrapped(t, args, kwargs):
        inplace = kwargs.get("inplace", args[position] if len(args) > position else False)
        return (_inplace(handler) if _plain(inplace) else handler)(t, args, kwargs)
    return wrapped


def _method(handler):
    """Tensor methods come as (self, rest, kwargs); function handlers take (args, kwargs)."""
    return lambda t, self, rest, kwargs: handler(t, (self,) + tuple(rest), kwargs)


def _leaky_args(a):
    slope = float(_plain(a.get("negative_slope", 0.01)))
    return ([slope] if slope != 0.01 else []), {}


def _gelu_args(a):
    return [], ({"Approximate": "tanh"} if _plain(a.get("approximate", "none")) == "tanh" else {})


def _elu_args(a):
    alpha = float(_plain(a.get("alpha", 1.0)))
    return ([alpha] if alpha != 1.0 else []), {}


def _softplus_args(a):
    beta, threshold = float(_plain(a.get("beta", 1))), float(_plain(a.get("threshold", 20)))
    return ([beta, threshold] if threshold != 20 else [beta] if beta != 1 else []), {}


def _f_hardtanh(t, args, kwargs):
    a = _bind(args, kwargs, ["input", "min_val", "max_val", "inplace"], {"min_val": -1.0, "max_val": 1.0})
    return _clamp(t, t.tensor(a["input"]), _plain(a["min_val"]), _plain(a["max_val"]))


def _f_clamp(t, args, kwargs):
    a = _bind(args, kwargs, ["input", "min", "max"], {"min": None, "max": None})
    lo, hi = _plain(a["min"]), _plain(a["max"])
    if lo is None or hi is None or isinstance(lo, torch.Tensor):
        if lo == 0 and hi is None:
            return t.emit("ReLU", [], {}, [t.tensor(a["input"])])
        t.fail("a clamp without both bounds", "use torch.clamp(x, lo, hi) (Hardtanh), or relu")
    return _clamp(t, t.tensor(a["input"]), lo, hi)


def _f_softmax(kind):
    def handler(t, args, kwargs):
        a = _bind(args, kwargs, ["input", "dim"], {"dim": None})
        if a.get("dtype") is not None:
            t.fail("softmax with a dtype", "leave the dtype out")
        return _softmax(t, kind, t.tensor(a["input"]), _plain(a["dim"]))
    return handler


def _f_max_pool(dims):
    def handler(t, args, kwargs):
        a = _bind(args, kwargs, ["input", "kernel_size", "stride", "padding", "dilation", "ceil_mode", "return_indices"],
                  {"stride": None, "padding": 0, "dilation": 1, "ceil_mode": False, "return_indices": False})
        return _pool_layer(t, t.tensor(a["input"]), True, dims, _plain(a["kernel_size"]), _plain(a["stride"]),
                           _plain(a["padding"]), _plain(a["dilation"]), _plain(a["ceil_mode"]), True, None, _plain(a["return_indices"]))
    return handler


def _f_avg_pool(dims):
    def handler(t, args, kwargs):
        a = _bind(args, kwargs, ["input", "kernel_size", "stride", "padding", "ceil_mode", "count_include_pad", "divisor_override"],
                  {"stride": None, "padding": 0, "ceil_mode": False, "count_include_pad": True, "divisor_override": None})
        return _pool_layer(t, t.tensor(a["input"]), False, dims, _plain(a["kernel_size"]), _plain(a["stride"]),
                           _plain(a["padding"]), 1, _plain(a["ceil_mode"]), _plain(a["count_include_pad"]),
                           _plain(a["divisor_override"]), False)
    return handler


def _f_adaptive(is_max, dims):
    def handler(t, args, kwargs):
        a = _bind(args, kwargs, ["input", "output_size", "return_indices"], {"return_indices": False})
        if _plain(a["return_indices"]):
            t.fail("return_indices on an adaptive max pooling", "use max_pool2d(return_indices=True)")
        return _adaptive_layer(t, t.tensor(a["input"]), is_max, dims, _plain(a["output_size"]))
    return handler


def _f_unpool(t, args, kwargs):
    a = _bind(args, kwargs, ["input", "indices", "kernel_size", "stride", "padding", "output_size"], {"stride": None, "padding": 0})
    return _unpool_layer(t, a["input"], a["indices"], _plain(a["kernel_size"]), _plain(a["stride"]), _plain(a["padding"]))


def _f_interpolate(t, args, kwargs):
    a = _bind(args, kwargs, ["input", "size", "scale_factor", "mode", "align_corners", "recompute_scale_factor", "antialias"],
              {"size": None, "scale_factor": None, "mode": "nearest", "align_corners": None, "recompute_scale_factor": None, "antialias": False})
    if _plain(a["antialias"]):
        t.fail("antialiased interpolation", "use antialias=False")
    return _upsample(t, t.tensor(a["input"]), _plain(a["size"]), _plain(a["scale_factor"]), _plain(a["mode"]),
                     _plain(a["align_corners"]), _plain(a["recompute_scale_factor"]))


def _f_pad(t, args, kwargs):
    a = _bind(args, kwargs, ["input", "pad", "mode", "value"], {"mode": "constant", "value": None})
    mode, value, pad = _plain(a["mode"]), _plain(a["value"]), list(_plain(a["pad"]))
    kinds = {"constant": "ZeroPad2d", "reflect": "ReflectionPad2d", "replicate": "ReplicationPad2d"}
    if mode not in kinds:
        t.fail(f"padding mode '{mode}'", "ConvGen pads with zeros, reflection or replication (circular only inside a Conv2d)")
    if mode == "constant" and value not in (None, 0, 0.0):
        t.fail(f"constant padding with the value {value}", "pad with zeros")
    return _pad(t, kinds[mode], t.tensor(a["input"]), pad)


def _f_dropout(t, args, kwargs):
    a = _bind(args, kwargs, ["input", "p", "training", "inplace"], {"training": True})
    if _plain(a["training"]):
        t.fail("a functional dropout that is active in eval mode (training=True)", "pass training=self.training")
    return t.tensor(a["input"])


def _identity(t, args, kwargs):
    return args[0] if isinstance(args[0], (Tensor, ShuffleView)) else t.tensor(args[0])


def _f_flatten(t, args, kwargs):
    a = _bind(args, kwargs, ["input", "start_dim", "end_dim"], {"start_dim": 0, "end_dim": -1})
    return _flatten(t, t.tensor(a["input"]), _plain(a["start_dim"]), _plain(a["end_dim"]))


def _m_flatten(t, x, rest, kwargs):
    a = _bind(rest, kwargs, ["start_dim", "end_dim"], {"start_dim": 0, "end_dim": -1})
    return _flatten(t, t.tensor(x), _plain(a["start_dim"]), _plain(a["end_dim"]))


def _reshape(t, x, rest, kwargs):
    """view/reshape/squeeze/unsqueeze: a Flatten when it merges one run of dimensions, part of a channel shuffle when
    it is that pattern's view, nothing when it keeps the shape."""
    out = t.shape_of(t.node)
    if isinstance(x, ShuffleView):
        if x.transposed and len(out) == 3 and tuple(out) == tuple(x.source.shape):
            return t.emit("ChannelShuffle", [x.groups], {}, [x.source])
        t.tensor(x)
    x = t.tensor(x)
    src = x.shape
    if tuple(out) == tuple(src):
        return x
    if len(src) == 3 and len(out) == 4 and out[2:] == src[1:] and out[0] * out[1] == src[0]:
        return ShuffleView(x, out[0], False, tuple(out))
    # Merging dims [s, e] of (batch,) + src gives out: a Flatten.
    full = (1,) + tuple(src)
    for s in range(1, len(full)):
        for e in range(s + 1, len(full)):
            merged = full[:s] + (math.prod(full[s:e + 1]),) + full[e + 1:]
            if merged[1:] == tuple(out):
                return _flatten(t, x, s, e)
    # Splitting dim d into consecutive sizes: an Unflatten (x.view(b, c, 1, 1) in squeeze-excitation code).
    for d in range(1, len(full)):
        parts = len(out) - len(src) + 1
        if parts >= 2 and tuple(out[:d - 1]) == tuple(src[:d - 1]) and tuple(out[d - 1 + parts:]) == tuple(src[d:]) \
                and math.prod(out[d - 1:d - 1 + parts]) == src[d - 1]:
            return t.emit("Unflatten", [d, [int(v) for v in out[d - 1:d - 1 + parts]]], {}, [x])
    t.fail(f"it reshapes {list(src)} to {list(out)} (batch dimension not counted)",
           "ConvGen expresses a reshape as a Flatten or an Unflatten of consecutive dimensions (torch.flatten(x, 1), "
           "x.view(b, c, 1, 1)); rewrite the module so, or export the part before it")


def _transpose(t, x, rest, kwargs):
    a = _bind(rest, kwargs, ["dim0", "dim1"])
    d0, d1 = _plain(a["dim0"]), _plain(a["dim1"])
    if isinstance(x, ShuffleView) and not x.transposed and {d0 % 5, d1 % 5} == {1, 2}:
        return ShuffleView(x.source, x.groups, True)
    x = t.tensor(x)
    rank = len(x.shape) + 1
    dims = list(range(rank))
    dims[d0 % rank], dims[d1 % rank] = dims[d1 % rank], dims[d0 % rank]
    return _permute(t, x, dims)


def _m_permute(t, x, rest, kwargs):
    dims = _plain(rest[0]) if len(rest) == 1 and isinstance(_plain(rest[0]), (list, tuple)) else [_plain(d) for d in rest]
    dims = list(kwargs.get("dims", dims))
    if isinstance(x, ShuffleView) and not x.transposed and [d % 5 for d in dims] == [0, 2, 1, 3, 4]:
        return ShuffleView(x.source, x.groups, True)
    return _permute(t, t.tensor(x), dims)


def _f_permute(t, args, kwargs):
    return _m_permute(t, args[0], args[1:], kwargs)


def _expand(t, x, rest, kwargs):
    return Expanded(x if isinstance(x, Learned) else t.tensor(x))


def _contiguous(t, x, rest, kwargs):
    return x if isinstance(x, ShuffleView) else t.tensor(x)


def _size(t, x, rest, kwargs):
    x = t.tensor(x)
    full = torch.Size((BATCH,) + tuple(x.shape))
    if rest:
        return _Const(full[_plain(rest[0])])
    return _Const(full)


def _getattr(t, args, kwargs):
    obj, name = args
    if name == "shape" and isinstance(obj, Tensor):
        return _Const(torch.Size((BATCH,) + tuple(obj.shape)))
    if name in ("dtype", "device") and isinstance(obj, Tensor):
        return _Const(torch.float32 if name == "dtype" else torch.device("cpu"))
    t.fail(f"it reads the attribute '{name}' of a tensor", "use shapes only (x.shape, x.size())")


def _getitem(t, args, kwargs):
    obj, index = args
    index = _plain(index)
    if isinstance(obj, Pieces):
        if not isinstance(index, int):
            t.fail("it slices the tuple of a chunk/split", "take one piece at a time (x.chunk(2, 1)[0])")
        return _piece(t, obj, index)
    if isinstance(obj, PoolWithIndices):
        if index in (0, -2):
            return obj.values
        if index in (1, -1):
            return Indices(obj.pool)
    if isinstance(obj, Tensor):
        return _slice(t, obj, index)
    t.fail("it indexes something ConvGen cannot express", "index tensors along one dimension with a slice (x[:, :16])")


def _piece(t, pieces, index):
    if index < 0:
        index += pieces.count
    if index not in pieces.cache:
        kind = pieces.kind
        pos = [pieces.arg, index]
        named = {"Dim": pieces.dim} if pieces.dim != 1 else {}
        pieces.cache[index] = t.emit(kind, pos, named, [pieces.source], shape=pieces.shapes[index])
    return pieces.cache[index]


def _slice(t, x, index):
    """x[:, a:b] (one dimension sliced with step 1) is one piece of a Split."""
    index = index if isinstance(index, tuple) else (index,)
    rank = len(x.shape) + 1
    if any(i is Ellipsis or i is None or not isinstance(i, slice) for i in index) or len(index) > rank:
        t.fail("it indexes a tensor with integers, None or ...", "slice one dimension (x[:, :16]) or use torch.split")
    cut = [(d, s) for d, s in enumerate(index) if s != slice(None)]
    if not cut:
        return x
    if len(cut) != 1 or cut[0][0] == 0:
        t.fail("it slices several dimensions, or the batch", "slice one dimension of a sample at a time")
    d, s = cut[0]
    size = x.shape[d - 1]
    start, stop, step = s.indices(size)
    if step != 1 or stop <= start:
        t.fail(f"slice {s} with a step or an empty result", "slice with step 1")
    sections = [v for v in (start, stop - start, size - stop) if v > 0]
    piece = 0 if start == 0 else 1
    if sections == [size]:
        return x
    named = {"Dim": d} if d != 1 else {}
    return t.emit("Split", [sections, piece], named, [x])


def _chunk(t, x, rest, kwargs):
    a = _bind(rest, kwargs, ["chunks", "dim"], {"dim": 0})
    return _pieces(t, t.tensor(x), "Chunk", int(_plain(a["chunks"])), _plain(a["dim"]))


def _split(t, x, rest, kwargs):
    a = _bind(rest, kwargs, ["split_size_or_sections", "dim"], {"dim": 0})
    if "split_size" in kwargs:
        a["split_size_or_sections"] = kwargs["split_size"]
    arg = _plain(a["split_size_or_sections"])
    arg = [int(v) for v in arg] if isinstance(arg, (list, tuple)) else int(arg)
    return _pieces(t, t.tensor(x), "Split", arg, _plain(a["dim"]))


def _pieces(t, x, kind, arg, dim):
    rank = len(x.shape) + 1
    dim = int(dim)
    if dim % rank == 0:
        t.fail(f"torch.{kind.lower()} along the batch dimension", "split a sample's dimension (dim=1 for the channels)")
    shapes = [tuple(m.shape)[1:] for m in t.node.meta["tensor_meta"]]
    return Pieces(x, kind, arg, dim, len(shapes), shapes)


def _f_chunk(t, args, kwargs):
    return _chunk(t, args[0], args[1:], kwargs)


def _f_split(t, args, kwargs):
    return _split(t, args[0], args[1:], kwargs)


def _cat(t, args, kwargs):
    a = _bind(args, kwargs, ["tensors", "dim"], {"dim": 0})
    items = a["tensors"]
    if isinstance(items, Pieces):
        items = [_piece(t, items, i) for i in range(items.count)]
    items = [t.tensor(v) for v in items]
    rank = len(items[0].shape) + 1
    dim = int(_plain(a["dim"]))
    if dim % rank != 1 or rank < 2:
        t.fail(f"concatenation along dim {dim}", "ConvGen concatenates along the channels (dim=1)")
    if len(items) == 1:
        return items[0]
    return t.emit("Concat", [], {}, items)


def _mean(is_max):
    def handler(t, x, rest, kwargs):
        a = _bind(rest, kwargs, ["dim", "keepdim"], {"dim": None, "keepdim": False})
        if a.get("dtype") is not None:
            t.fail("a reduction with a dtype", "leave the dtype out")
        x = t.tensor(x)
        rank = len(x.shape) + 1
        dims = _plain(a["dim"])
        if dims is None:
            t.fail("a reduction over every dimension, batch included", "reduce over the spatial dimensions (x.mean((2, 3)))")
        dims = sorted({int(d) % rank for d in (dims if isinstance(dims, (list, tuple)) else [dims])})
        if 0 in dims or 1 in dims or rank not in (3, 4):
            t.fail(f"a reduction over dims {dims}", "ConvGen reduces over spatial dimensions only (global average or max pooling)")
        size = [1 if d in dims else x.shape[d - 1] for d in range(2, rank)]
        out = _adaptive_layer(t, x, is_max, rank - 2, size)
        if _plain(a["keepdim"]):
            return out
        # Drop the reduced dimensions (now of size 1): each run of them merges into the kept dimension before it,
        # one Flatten per run, from the right so that the dimensions on the left keep their numbers.
        runs, d = [], rank - 1
        while d >= 2:
            if d in dims:
                end = d
                while d - 1 in dims:
                    d -= 1
                runs.append((d - 1, end))
            d -= 1
        for start, end in runs:
            shape = list(out.shape)
            del shape[start:end]
            last = len(out.shape)
            out = t.emit("Flatten", [], {**({"StartDim": start} if start != 1 else {}), **({"EndDim": end} if end != last else {})},
                         [out], shape=tuple(shape))
        return out
    return handler


def _f_mean(is_max):
    h = _mean(is_max)
    return lambda t, args, kwargs: h(t, args[0], args[1:], kwargs)


# ---------------------------------------------------------------- arithmetic
def _number(v):
    v = _plain(v)
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    return float(v)


def _arith(op):
    """+, -, *, / between tensors, learned tensors and numbers, with PyTorch's broadcasting."""
    def handler(t, args, kwargs):
        a = _bind(args, kwargs, ["input", "other", "alpha"], {"alpha": 1})
        x, y, alpha = a["input"], a["other"], _plain(a["alpha"])
        x, y = (v.source if isinstance(v, Expanded) else v for v in (x, y))
        if alpha != 1:
            if op not in ("add", "sub") or _number(y) is None:
                t.fail(f"alpha={alpha} with a tensor", "multiply the tensor first")
            y = _Const(float(_number(y)) * alpha)
        kind = {"add": "Add", "sub": "Subtract", "mul": "Multiply", "div": "Divide", "rsub": "Subtract"}[op]
        if op == "rsub":
            x, y = y, x
        nx, ny = _number(x), _number(y)
        if nx is not None and ny is not None:
            t.fail("arithmetic between numbers only", "compute it in Python")
        if kind == "Divide" and isinstance(y, Learned):
            # x / std with a learned or buffered tensor: a product with its reciprocal, computed now.
            y = Learned(1.0 / y.tensor, f"const.{t.node.name}")
            t.folded.add(a["other"].key) if a["other"].key else None
            kind = "Multiply"
        if kind == "Divide":
            if ny is None:
                t.fail("a division by a tensor computed from the input", "ConvGen divides only by a number or a learned tensor (Multiply(1.0 / c))")
            if ny == 0:
                t.fail("a division by zero", "divide by a non-zero number")
            return t.emit("Multiply", [1.0 / ny], {}, [t.tensor(x)])
        if ny is not None:
            if kind == "Subtract":
                return t.emit("Add", [-ny], {}, [t.tensor(x)])
            return t.emit(kind, [ny], {}, [t.tensor(x)])
        if nx is not None:
            if kind == "Subtract":
                return t.emit("Subtract", [nx, None], {}, [t.tensor(y)])
            return t.emit(kind, [nx], {}, [t.tensor(y)])
        operands = []
        for v in (x, y):
            if isinstance(v, Learned):
                operands.append(v)
            else:
                operands.append(t.tensor(v))
        batched = [o for o in operands if isinstance(o, Tensor)]
        rank = len(batched[0].shape)
        if any(len(o.shape) != rank for o in batched):
            t.fail(f"operands of shapes {[list(o.shape) for o in batched]} have different ranks, so PyTorch lines the batch of "
                   "one up with a dimension of the other", "give both the same rank (keepdim=True, or no flatten)")
        for o in operands:
            if isinstance(o, Learned) and (o.tensor.dim() > rank + 1 or (o.tensor.dim() == rank + 1 and o.tensor.shape[0] != 1)):
                t.fail(f"a learned operand of shape {list(o.tensor.shape)} meets the batch dimension", "give it at most one dimension of 1 more than the other operand")
        return t.emit(kind, [], {}, operands)
    return handler


def _inplace_arith(op):
    base = _arith(op)
    return _inplace(base)


def _neg(t, args, kwargs):
    return t.emit("Multiply", [-1.0], {}, [t.tensor(args[0])])


# ---------------------------------------------------------------- functional layers with learned tensors
def _owner(t, *learned):
    """The module path that owns these learned tensors (module.weight, module.bias), if they are named so."""
    keys = [v.key for v in learned if v is not None]
    if not keys or any(k is None for k in keys):
        return None, None
    prefixes = {k.rsplit(".", 1)[0] if "." in k else "" for k in keys}
    suffixes = [k.rsplit(".", 1)[-1] for k in keys]
    if len(prefixes) == 1 and "" not in prefixes and all(s in ("weight", "bias", "running_mean", "running_var") for s in suffixes):
        return prefixes.pop(), None
    return None, "the learned tensors are not a module's weight and bias"


def _learned(t, v, what):
    if v is None or isinstance(v, Learned):
        return v
    t.fail(f"its {what} is computed from the input", "use learned tensors (parameters) as weights")


def _functional_owned(t, kind, pos, named, x, pairs):
    """A functional layer whose tensors are learned: named after their module when they are module.weight/.bias,
    otherwise after the node, with the written keys renamed to match."""
    learned = [v for _, v in pairs if v is not None]
    prefix, _ = _owner(t, *learned)
    if prefix is None:
        prefix = "fn." + t.node.name
    tensors = {suffix: v.tensor for suffix, v in pairs if v is not None}
    return t.emit(kind, pos, named, [x], prefix, tensors)


def _f_conv(dims):
    def handler(t, args, kwargs):
        a = _bind(args, kwargs, ["input", "weight", "bias", "stride", "padding", "dilation", "groups"],
                  {"bias": None, "stride": 1, "padding": 0, "dilation": 1, "groups": 1})
        x = t.tensor(a["input"])
        w, b = _learned(t, a["weight"], "weight"), _learned(t, a["bias"], "bias")
        named = {}
        for key, arg, default in (("Stride", "stride", 1), ("Padding", "padding", 0), ("Dilation", "dilation", 1)):
            v = _plain(a[arg])
            v = v if isinstance(v, str) else _tuple_arg(v)
            if v != default:
                named[key] = v
        if _plain(a["groups"]) != 1:
            named["Groups"] = int(_plain(a["groups"]))
        if b is None:
            named["Bias"] = False
        kernel = list(w.tensor.shape[2:])
        return _functional_owned(t, f"Conv{dims}d", [int(w.tensor.shape[0]), _tuple_arg(kernel)], named, x,
                                 [("weight", w), ("bias", b)])
    return handler


def _f_linear(t, args, kwargs):
    a = _bind(args, kwargs, ["input", "weight", "bias"], {"bias": None})
    x = t.tensor(a["input"])
    w, b = _learned(t, a["weight"], "weight"), _learned(t, a["bias"], "bias")
    return _functional_owned(t, "Linear", [int(w.tensor.shape[0])], {} if b is not None else {"Bias": False}, x,
                             [("weight", w), ("bias", b)])


def _f_layer_norm(t, args, kwargs):
    a = _bind(args, kwargs, ["input", "normalized_shape", "weight", "bias", "eps"], {"weight": None, "bias": None, "eps": 1e-5})
    x = t.tensor(a["input"])
    w, b = _learned(t, a["weight"], "weight"), _learned(t, a["bias"], "bias")
    named = {}
    eps = float(_plain(a["eps"]))
    if eps != 1e-5:
        named["Eps"] = eps
    if w is None:
        if b is not None:
            t.fail("a layer norm with a bias but no weight", "give it both, or neither")
        named["ElementwiseAffine"] = False
    elif b is None:
        named["Bias"] = False
    return _functional_owned(t, "LayerNorm", [int(s) for s in _plain(a["normalized_shape"])], named, x, [("weight", w), ("bias", b)])


def _f_batch_norm(t, args, kwargs):
    a = _bind(args, kwargs, ["input", "running_mean", "running_var", "weight", "bias", "training", "momentum", "eps"],
              {"weight": None, "bias": None, "training": False, "momentum": 0.1, "eps": 1e-5})
    x = t.tensor(a["input"])
    if _plain(a["training"]) or a["running_mean"] is None:
        t.fail("a batch norm on the batch's statistics", "use running statistics (training=False)")
    mean, var = _learned(t, a["running_mean"], "running_mean"), _learned(t, a["running_var"], "running_var")
    w, b = _learned(t, a["weight"], "weight"), _learned(t, a["bias"], "bias")
    named = {}
    eps = float(_plain(a["eps"]))
    if eps != 1e-5:
        named["Eps"] = eps
    if w is None or b is None:
        if w is not None or b is not None:
            t.fail("a batch norm with only one of weight and bias", "give it both, or neither")
        named["Affine"] = False
    kind = "BatchNorm2d" if len(x.shape) == 3 else "BatchNorm1d"
    return _functional_owned(t, kind, [], named, x, [("weight", w), ("bias", b), ("running_mean", mean), ("running_var", var)])


def _f_prelu(t, args, kwargs):
    a = _bind(args, kwargs, ["input", "weight"])
    x = t.tensor(a["input"])
    w = _learned(t, a["weight"], "weight")
    n = w.tensor.numel()
    return _functional_owned(t, "PReLU", [n] if n != 1 else [], {}, x, [("weight", w)])


_FUNCTIONS = {
    F.relu: _maybe_inplace(_activation("ReLU", ["inplace"]), 1), torch.relu: _activation("ReLU"), torch.relu_: _inplace(_activation("ReLU")),
    F.relu_: _inplace(_activation("ReLU")),
    F.relu6: _maybe_inplace(_activation("ReLU6", ["inplace"]), 1),
    F.leaky_relu: _maybe_inplace(_activation("LeakyReLU", ["negative_slope", "inplace"], _leaky_args), 2),
    torch.sigmoid: _activation("Sigmoid"), F.sigmoid: _activation("Sigmoid"),
    torch.tanh: _activation("Tanh"), F.tanh: _activation("Tanh"),
    F.silu: _maybe_inplace(_activation("SiLU", ["inplace"]), 1),
    F.gelu: _activation("GELU", ["approximate"], _gelu_args),
    F.hardswish: _maybe_inplace(_activation("Hardswish", ["inplace"]), 1),
    F.hardsigmoid: _maybe_inplace(_activation("Hardsigmoid", ["inplace"]), 1),
    F.mish: _maybe_inplace(_activation("Mish", ["inplace"]), 1),
    F.elu: _maybe_inplace(_activation("ELU", ["alpha", "inplace"], _elu_args), 2),
    F.softplus: _activation("Softplus", ["beta", "threshold"], _softplus_args),
    F.hardtanh: _f_hardtanh, torch.clamp: _f_clamp, torch.clip: _f_clamp,
    F.prelu: _f_prelu, torch.prelu: _f_prelu,
    F.softmax: _f_softmax("Softmax"), torch.softmax: _f_softmax("Softmax"),
    F.log_softmax: _f_softmax("LogSoftmax"), torch.log_softmax: _f_softmax("LogSoftmax"),
    F.max_pool1d: _f_max_pool(1), F.max_pool2d: _f_max_pool(2),
    F.max_pool2d_with_indices: _f_max_pool(2),
    F.avg_pool1d: _f_avg_pool(1), F.avg_pool2d: _f_avg_pool(2),
    F.adaptive_avg_pool1d: _f_adaptive(False, 1), F.adaptive_avg_pool2d: _f_adaptive(False, 2),
    F.adaptive_max_pool1d: _f_adaptive(True, 1), F.adaptive_max_pool2d: _f_adaptive(True, 2),
    F.max_unpool2d: _f_unpool,
    F.interpolate: _f_interpolate, F.upsample: _f_interpolate,
    F.pad: _f_pad,
    F.dropout: _f_dropout, F.dropout1d: _f_dropout, F.dropout2d: _f_dropout, F.alpha_dropout: _f_dropout,
    torch.flatten: _f_flatten,
    torch.cat: _cat, torch.concat: _cat,
    torch.chunk: _f_chunk, torch.split: _f_split,
    torch.permute: _f_permute, torch.transpose: lambda t, args, kwargs: _transpose(t, args[0], args[1:], kwargs),
    torch.mean: _f_mean(False), torch.amax: _f_mean(True),
    operator.add: _arith("add"), torch.add: _arith("add"), operator.iadd: _inplace_arith("add"),
    operator.sub: _arith("sub"), torch.sub: _arith("sub"), torch.subtract: _arith("sub"), operator.isub: _inplace_arith("sub"),
    torch.rsub: _arith("rsub"),
    operator.mul: _arith("mul"), torch.mul: _arith("mul"), torch.multiply: _arith("mul"), operator.imul: _inplace_arith("mul"),
    operator.truediv: _arith("div"), torch.div: _arith("div"), torch.true_divide: _arith("div"), operator.itruediv: _inplace_arith("div"),
    operator.neg: _neg, torch.neg: _neg,
    operator.getitem: _getitem, getattr: _getattr,
    F.conv1d: _f_conv(1), F.conv2d: _f_conv(2), F.linear: _f_linear, F.layer_norm: _f_layer_norm, F.batch_norm: _f_batch_norm,
    torch.squeeze: lambda t, args, kwargs: _reshape(t, args[0], args[1:], kwargs),
    torch.unsqueeze: lambda t, args, kwargs: _reshape(t, args[0], args[1:], kwargs),
    torch.reshape: lambda t, args, kwargs: _reshape(t, args[0], args[1:], kwargs),
}

_METHODS = {
    "relu": _method(_activation("ReLU")), "relu_": _method(_inplace(_activation("ReLU"))),
    "sigmoid": _method(_activation("Sigmoid")), "sigmoid_": _method(_inplace(_activation("Sigmoid"))),
    "tanh": _method(_activation("Tanh")), "tanh_": _method(_inplace(_activation("Tanh"))),
    "softmax": _method(_f_softmax("Softmax")), "log_softmax": _method(_f_softmax("LogSoftmax")),
    "clamp": _method(_f_clamp), "clamp_": _method(_inplace(_f_clamp)), "clip": _method(_f_clamp),
    "flatten": _m_flatten,
    "view": _reshape, "reshape": _reshape, "squeeze": _reshape, "unsqueeze": _reshape, "view_as": _reshape, "reshape_as": _reshape,
    "permute": _m_permute, "transpose": _transpose,
    "expand": _expand, "expand_as": _expand, "unflatten": _reshape,
    "contiguous": _contiguous, "clone": _contiguous, "detach": _contiguous, "float": _contiguous,
    "size": _size, "dim": lambda t, x, rest, kwargs: _Const(len(t.tensor(x).shape) + 1),
    "chunk": _chunk, "split": _split,
    "mean": _mean(False), "amax": _mean(True),
    "add": _method(_arith("add")), "add_": _method(_inplace_arith("add")),
    "sub": _method(_arith("sub")), "sub_": _method(_inplace_arith("sub")),
    "mul": _method(_arith("mul")), "mul_": _method(_inplace_arith("mul")),
    "div": _method(_arith("div")), "div_": _method(_inplace_arith("div")),
    "neg": _method(_neg),
}


# ============================================================================ from layers to a declaration
def _fuse_layernorm2d(layers):
    """Permute(0, 2, 3, 1), LayerNorm(C), Permute(0, 3, 1, 2), each read only by the next: torchvision's
    LayerNorm2d traced through, declared as one LayerNorm2d."""
    readers = {}
    for i, layer in enumerate(layers):
        for o in layer.operands:
            if isinstance(o, Tensor):
                readers.setdefault(o.layer, []).append(i)
    out, remap, i = [], {}, 0
    while i < len(layers):
        a = layers[i]
        if (i + 2 < len(layers) and a.kind == "Permute" and a.pos in ([0, 2, 3, 1], [0, -2, -1, -3])
                and layers[i + 1].kind == "LayerNorm" and len(layers[i + 1].pos) == 1
                and layers[i + 2].kind == "Permute" and layers[i + 2].pos in ([0, 3, 1, 2], [0, -1, -3, -2])
                and readers.get(i, []) == [i + 1] and readers.get(i + 1, []) == [i + 2]
                and layers[i + 1].operands[0].layer == i and layers[i + 2].operands[0].layer == i + 1):
            ln = layers[i + 1]
            fused = Layer("LayerNorm2d", [], {k: v for k, v in ln.named.items() if k != "Bias"}, a.operands, ln.prefix, ln.tensors, ln.node)
            remap[i + 2] = len(out)
            out.append(fused)
            i += 3
            continue
        remap[i] = len(out)
        out.append(a)
        i += 1
    # Renumber operands.
    for layer in out:
        layer.operands = [Tensor(remap.get(o.layer, o.layer) if o.layer >= 0 else -1, o.shape) if isinstance(o, Tensor) else o
                          for o in layer.operands]
        for k, v in list(layer.named.items()):
            if isinstance(v, Indices):
                layer.named[k] = Indices(remap[v.pool])
    return out


def _materialise_learned(layers):
    """Learned operands become Parameter layers, emitted just before their first reader (and named by their key)."""
    out, remap = [], {}
    for i, layer in enumerate(layers):
        new_ops = []
        for o in layer.operands:
            if isinstance(o, Learned):
                if o.layer is None:
                    key = o.key
                    param = Layer("Parameter", list(o.tensor.shape), {}, [], key, {"": o.tensor.float()}, layer.node)
                    param.learned = o
                    out.append(param)
                    o.layer = len(out) - 1
                new_ops.append(Tensor(o.layer, tuple(o.tensor.shape)))
            else:
                new_ops.append(Tensor(remap[o.layer], o.shape) if o.layer >= 0 else o)
        layer.operands = new_ops
        for k, v in list(layer.named.items()):
            if isinstance(v, Indices):
                layer.named[k] = Indices(remap[v.pool])
        remap[i] = len(out)
        out.append(layer)
    return out


def _wire(layers):
    """Names, From and the operand lists of the merges, following ConvGen's reading rules (contract section 3)."""
    used_names = set()
    folded = 0
    for i, layer in enumerate(layers):
        if layer.kind == "Parameter" and layer.prefix is None:
            folded += 1
            layer.prefix = f"const.{layer.node.name}"

    needs_name = set()

    def current(i):
        return i - 1

    def ref(o, i):
        if o.layer >= 0:
            needs_name.add(o.layer)

    plans = []
    for i, layer in enumerate(layers):
        ops = [o for o in layer.operands if isinstance(o, Tensor)]
        if layer.kind == "Parameter":
            plans.append(None)
        elif layer.kind in _MERGES and layer.kind != "Concat" and (len(layer.pos) == 1 or (layer.kind == "Subtract" and len(layer.pos) == 2)):
            if layer.kind == "Subtract" and len(layer.pos) == 2:
                ref(ops[0], i)
                plans.append(("subtrahend", ops[0]))
            else:
                plans.append(("from", ops[0]))
                if ops[0].layer != current(i):
                    ref(ops[0], i)
        elif layer.kind in _MERGES:
            if len(ops) == 2 and ops[0].layer == current(i):
                ref(ops[1], i)
                plans.append(("one", ops[1]))
            else:
                for o in ops:
                    ref(o, i)
                plans.append(("names", ops))
        elif layer.kind == "MaxUnpool2d":
            plans.append(("from", ops[0]))
            if ops[0].layer != current(i):
                ref(ops[0], i)
            needs_name.add(layer.named["Indices"].pool)
        else:
            plans.append(("from", ops[0]))
            if ops[0].layer != current(i):
                ref(ops[0], i)

    # Names: a layer that owns tensors is named after its key prefix (unless that is its position, nn.Sequential's
    # key); a referenced layer without tensors takes its node's name.
    for i, layer in enumerate(layers):
        if layer.prefix is not None and (layer.kind == "Parameter" or layer.prefix != str(i)):
            layer.name = layer.prefix
        elif i in needs_name:
            layer.name = layer.prefix if layer.prefix is not None else _node_name(layer)
    for i, layer in enumerate(layers):
        if layer.name is None:
            continue
        base, n = layer.name, 1
        while layer.name in used_names or layer.name == "input":
            if layer.prefix is not None and layer.name == layer.prefix:
                raise ExportError(_layer_op(layer), layer.prefix, "the same module is called twice, so two layers would own one set of weights",
                                  "ConvGen gives each layer its own weights; use two modules")
            n += 1
            layer.name = f"{base}_{n}"
        used_names.add(layer.name)

    def name(o):
        return "input" if o.layer < 0 else layers[o.layer].name

    for i, (layer, plan) in enumerate(zip(layers, plans)):
        if plan is None:
            continue
        how, arg = plan
        if how == "from":
            if arg.layer != current(i):
                layer.named["From"] = name(arg)
        elif how == "subtrahend":
            layer.pos = [layer.pos[0], name(arg)]
        elif how == "one":
            layer.pos = [name(arg)]
        elif how == "names":
            layer.pos = [name(o) for o in arg]
        if "Indices" in layer.named:
            layer.named["Indices"] = layers[layer.named["Indices"].pool].name
        # Name and From go last, as users write them.
        for key in ("Name", "From"):
            if key in layer.named:
                layer.named[key] = layer.named.pop(key)
    for layer in layers:
        if layer.name is not None:
            layer.named["Name"] = layer.name
            if "From" in layer.named:
                layer.named["From"] = layer.named.pop("From")
    return layers


def _node_name(layer):
    return layer.node.name if layer.node is not None else "t"


def _layer_op(layer):
    return layer.kind


# ============================================================================ the export
class Export:
    """What the exporter produced: the C# source, the tensors under their keys, and the self-check."""

    def __init__(self, name, namespace, source, tensors, layers, max_error, tolerance, notes):
        self.name, self.namespace, self.source, self.tensors = name, namespace, source, tensors
        self.layers, self.max_error, self.tolerance, self.notes = layers, max_error, tolerance, notes

    def write(self, directory):
        os.makedirs(directory, exist_ok=True)
        cs = os.path.join(directory, self.name + ".cs")
        st = os.path.join(directory, self.name + ".safetensors")
        with open(cs, "w", encoding="utf-8", newline="\n") as f:
            f.write(self.source)
        write_safetensors(self.tensors, st)
        return cs, st


def export(module, input_shape, name, namespace="ConvGenModels", source_label=None, seed=0):
    """Traces `module` (put in eval mode), maps it to ConvGen layers, checks the declaration against the module,
    and returns an Export; raises ExportError when something is not expressible or the self-check fails."""
    if not isinstance(module, nn.Module):
        raise ExportError(type(module).__name__, "", "the callable did not return a torch.nn.Module", "return the model from CALLABLE()")
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise ExportError("--name", "", f"'{name}' is not a C# class name", "use letters, digits and _")
    input_shape = tuple(int(d) for d in input_shape)
    if len(input_shape) not in (2, 3) or min(input_shape) < 1:
        raise ExportError("--input", "", f"input shape {list(input_shape)}", "give C,L or C,H,W (no batch dimension)")
    module = module.float().eval()
    # A batch of two: shapes then show which dimension is the batch (x.squeeze() keeps it, as it does in use), and a
    # module that hard-codes a batch of one fails here with a clear message.
    example = torch.randn(BATCH, *input_shape, generator=torch.Generator().manual_seed(seed))
    tracer = _Tracer(example.clone())
    try:
        graph = tracer.trace(module)
    except Exception as e:  # torch.fx's own errors: control flow on values, iteration, ...
        raise ExportError("the module's forward", tracer.failed_in or "", f"torch.fx cannot trace it ({type(e).__name__}: {str(e).splitlines()[0]})",
                          "make forward free of Python control flow that depends on tensor values, or export the part that is") from e
    gm = fx.GraphModule(module, graph)
    _eliminate_dead_code(gm)
    try:
        with torch.no_grad():
            ShapeProp(gm).propagate(example)
    except Exception as e:
        cause = e.__cause__ or e.__context__ or e
        raise ExportError("the module", "", f"it fails on a batch of two inputs of shape {list(input_shape)}: {str(cause).splitlines()[0]}",
                          "check --input (C,H,W without the batch dimension), and that forward does not hard-code the batch size "
                          "(x.view(x.size(0), -1), torch.flatten(x, 1))") from e

    translator = _Translator(gm, input_shape)
    layers = translator.run()
    folded = translator.folded
    layers = _fuse_layernorm2d(layers)
    layers = _materialise_learned(layers)
    layers = _wire(layers)

    tensors, notes = {}, []
    for i, layer in enumerate(layers):
        key = layer.prefix if layer.prefix is not None and layer.name == layer.prefix else (layer.name or str(i))
        for suffix, tensor in layer.tensors.items():
            full = key if suffix == "" else f"{key}.{suffix}"
            if full in tensors:
                raise ExportError(layer.kind, layer.prefix or "", f"two layers would own the tensor '{full}'", "use separate modules")
            tensors[full] = tensor.detach().contiguous() if tensor.dtype == torch.int64 else tensor.detach().float().contiguous()
    state = module.state_dict()
    unused = [k for k in state if k not in tensors and k not in folded and not k.endswith("num_batches_tracked")]
    renamed = [k for k in tensors if k not in state]
    if unused:
        notes.append(f"not used in eval mode, not written: {_summarise(unused)}")
    if renamed:
        notes.append(f"tensors computed at export{' from ' + _summarise(sorted(folded)) if folded else ''} or taken from "
                     f"functional calls, under new keys: {_summarise(renamed)}")

    source = declaration_source(layers, input_shape, name, namespace, source_label, notes, expected_warnings(layers))
    max_error, tolerance = self_check(module, source, tensors, input_shape, seed)
    return Export(name, namespace, source, tensors, layers, max_error, tolerance, notes)


def _eliminate_dead_code(gm):
    """Drops nodes nothing reads (shape queries, unused branches), but keeps in-place operations, whose effect is on
    their input (torch.fx's own pass drops `x.relu_()` when its result is not used)."""
    modules = dict(gm.named_modules())

    def in_place(node):
        if node.op == "call_method":
            return node.target.endswith("_") and not node.target.endswith("__")
        if node.op == "call_function":
            name = getattr(node.target, "__name__", "")
            return node.kwargs.get("inplace", False) is True or (name.endswith("_") and not name.endswith("__")) or name.startswith("i") and node.target in (
                operator.iadd, operator.isub, operator.imul, operator.itruediv)
        if node.op == "call_module":
            return getattr(modules.get(node.target), "inplace", False) is True
        return False

    for node in reversed(list(gm.graph.nodes)):
        if node.op in ("call_function", "call_method", "call_module", "get_attr") and not node.users and not in_place(node):
            gm.graph.erase_node(node)
    gm.recompile()


def _summarise(keys):
    groups = {}
    for k in keys:
        head = k.split(".")[0]
        groups.setdefault(head, []).append(k)
    parts = [f"{h}.* ({len(v)})" if len(v) > 1 else v[0] for h, v in groups.items()]
    return ", ".join(parts)


def expected_warnings(layers):
    """The warnings ConvGen will report on a faithful declaration of this module (its rules, replicated): CG0002 where
    the PyTorch model itself leaves trailing input rows unread, CG0005 for a transposed kernel not divisible by its
    stride. They describe the model, not the export; the declaration disables them, naming the layers."""
    found = {}
    for i, layer in enumerate(layers):
        name = layer.named.get("Name", f"#{i}")
        kind = layer.kind
        if kind in ("Conv1d", "Conv2d", "MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d") and not layer.named.get("CeilMode"):
            n = 1 if kind.endswith("1d") else 2
            x = layer.operands[0].shape
            kernel_index = 1 if kind.startswith("Conv") else 0
            k = _per_axis(layer.pos[kernel_index], n)
            s = _per_axis(layer.named.get("Stride", 1 if kind.startswith("Conv") else layer.pos[kernel_index]), n)
            d = _per_axis(layer.named.get("Dilation", 1), n)
            padding = layer.named.get("Padding", 0)
            if isinstance(padding, str):
                if padding == "same":
                    continue
                padding = 0
            p = _per_axis(padding, n)
            for axis in range(n):
                size = x[1 + axis]
                span = d[axis] * (k[axis] - 1) + 1
                if span < s[axis]:
                    continue
                eff = size + 2 * p[axis] - span
                if eff >= 0 and eff % s[axis] - p[axis] > 0:
                    found.setdefault("CG0002", []).append(name)
                    break
        elif kind in ("ConvTranspose1d", "ConvTranspose2d"):
            n = 1 if kind.endswith("1d") else 2
            k, s = _per_axis(layer.pos[1], n), _per_axis(layer.named.get("Stride", 1), n)
            if any(k[a] % s[a] for a in range(n)):
                found.setdefault("CG0005", []).append(name)
    return found


def declaration_source(layers, input_shape, name, namespace, source_label, notes, warnings=None):
    lines = [
        "// <auto-generated>",
        f"// Exported by Export/convgen_export.py{(' from ' + source_label) if source_label else ''} (torch {torch.__version__}).",
        "// The weights file next to this one holds the tensors below, under the keys they have in the module's state_dict.",
    ]
    lines += [f"// Note: {n}." for n in notes]
    lines += ["// </auto-generated>", "using ConvGen;", "", f"namespace {namespace};", ""]
    why = {"CG0002": "the PyTorch model leaves trailing input rows or columns unread too",
           "CG0005": "the PyTorch model has these transposed kernels not divisible by their stride"}
    for id_, names in sorted((warnings or {}).items()):
        shown = ", ".join(names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")
        lines += [f"// {id_}: {why[id_]} ({shown}).", f"#pragma warning disable {id_}"]
    if warnings:
        lines.append("")
    shape = ", ".join(str(d) for d in input_shape)
    lines.append(f"/// <summary>Exported from <c>{_xml(source_label or name)}</c>: input {'×'.join(map(str, input_shape))}, {len(layers)} layers.</summary>")
    lines.append(f"[Network({shape})]")
    group, width = [], 0
    for i, layer in enumerate(layers):
        text = layer_text(layer)
        head = _group_key(layer)
        if group and (width + len(text) > 150 or head != _group_key(layers[i - 1]) or len(group) >= 8):
            lines.append("[" + ", ".join(group) + "]")
            group, width = [], 0
        group.append(text)
        width += len(text) + 2
    if group:
        lines.append("[" + ", ".join(group) + "]")
    lines.append(f"public partial class {name};")
    return "\n".join(lines) + "\n"


def _group_key(layer):
    """The module whose forward the layer comes from: one attribute list per block."""
    if layer.node is None:
        return ""
    path = layer.node.meta.get("convgen_path", "")
    if layer.node.op == "call_module":
        path = path.rsplit(".", 1)[0] if "." in path else ""
    return path


def _xml(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# ============================================================================ the self-check: ConvGen's semantics in PyTorch
def self_check(module, source, tensors, input_shape, seed=0):
    """Runs the declaration text on the tensors with an interpreter of ConvGen's semantics, sample by sample, and
    compares it with the module on a random batch of two. Returns (max error, tolerance); raises on a mismatch."""
    x = torch.randn(2, *input_shape, generator=torch.Generator().manual_seed(seed + 1))
    try:
        with torch.no_grad():
            reference = module(x)
    except Exception as e:
        raise ExportError("the module", "", f"it fails on a batch of two ({str(e).splitlines()[0]}), so its samples are not independent",
                          "ConvGen runs one sample at a time: do not hard-code the batch size (x.view(x.size(0), -1), torch.flatten(x, 1))") from e
    if not isinstance(reference, torch.Tensor):
        raise ExportError("output", "", "forward did not return a tensor", "export a module whose forward returns one tensor")
    program = parse_declaration(source)
    worst = 0.0
    for b in range(x.shape[0]):
        y = interpret(program, tensors, x[b:b + 1])
        ref = reference[b:b + 1]
        if tuple(y.shape) != tuple(ref.shape):
            raise ExportError("the declaration", "", f"its output shape {list(y.shape[1:])} differs from the module's {list(ref.shape[1:])}",
                              "report this exporter bug with the module")
        worst = max(worst, (y - ref).abs().max().item())
    magnitude = reference.abs().max().item()
    tolerance = TOLERANCE * max(1.0, magnitude)
    # The contract's bound, and a relative one: with small outputs (random weights) the absolute bound alone could let
    # a wiring error through, while the interpreter's ops are PyTorch's own and differ from the module only in rounding.
    if not (worst <= tolerance and worst <= 1e-3 * magnitude + 1e-30 or worst == 0):
        raise ExportError("the declaration", "", f"it computes something else than the module: max |difference| {worst:.3g} (bound {tolerance:.3g}, outputs up to {magnitude:.3g}) "
                          "on a random input (the module may depend on the batch, or use an in-place operation on a value it reads again)",
                          "nothing was written; report this with the module")
    return worst, tolerance


_TOKEN = re.compile(r'\s*(?:(?P<num>-?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?)|(?P<str>"(?:[^"\\]|\\.)*")|(?P<id>[A-Za-z_][A-Za-z0-9_.]*)|(?P<op>[\[\](){},=/*]))')


def parse_declaration(source):
    """The [Network(...)] and layer attributes of a declaration, as (kind, positional, named) tuples."""
    body = []
    for line in source.splitlines():
        line = line.strip()
        if line.startswith("[") and not line.startswith("[assembly"):
            body.append(line)
    tokens = []
    text = "\n".join(body)
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            if text[pos:].strip() == "":
                break
            raise ValueError(f"cannot parse the declaration at: {text[pos:pos + 40]!r}")
        pos = m.end()
        kind = m.lastgroup
        value = m.group(kind)
        if kind == "num":
            value = float(value) if any(c in value for c in ".eE") else int(value)
        elif kind == "str":
            value = json.loads(value)
        tokens.append((kind, value))
    i = 0

    def peek():
        return tokens[i] if i < len(tokens) else (None, None)

    def take(expected=None):
        nonlocal i
        tok = tokens[i]
        if expected is not None and tok[1] != expected:
            raise ValueError(f"expected {expected!r}, got {tok[1]!r}")
        i += 1
        return tok

    def value():
        v = primary()
        while peek()[1] in ("/", "*"):  # a constant expression such as 1.0 / 6
            op = take()[1]
            rhs = primary()
            v = v / rhs if op == "/" else v * rhs
            v = float(v)
        return v

    def primary():
        kind, v = peek()
        if kind == "id" and v == "new":
            take()
            take("[")
            take("]")
            take("{")
            items = []
            while peek()[1] != "}":
                items.append(value())
                if peek()[1] == ",":
                    take(",")
            take("}")
            return items
        if kind == "id" and v in ("true", "false"):
            take()
            return v == "true"
        take()
        return v

    attributes = []
    while i < len(tokens):
        take("[")
        while True:
            _, kind = take()
            pos_args, named = [], {}
            if peek()[1] == "(":
                take("(")
                while peek()[1] != ")":
                    if peek()[0] == "id" and i + 1 < len(tokens) and tokens[i + 1][1] == "=":
                        key = take()[1]
                        take("=")
                        named[key] = value()
                    else:
                        pos_args.append(value())
                    if peek()[1] == ",":
                        take(",")
                take(")")
            attributes.append((kind, pos_args, named))
            if peek()[1] == ",":
                take(",")
                continue
            take("]")
            break
    if not attributes or attributes[0][0] != "Network":
        raise ValueError("no [Network(...)] in the declaration")
    return attributes


_CTOR = {  # positional constructor arguments of each attribute, by argument count (the attributes' overloads)
    "Conv1d": {2: ["OutChannels", "KernelSize"], 3: ["InChannels", "OutChannels", "KernelSize"]},
    "Conv2d": {2: ["OutChannels", "KernelSize"], 3: ["InChannels", "OutChannels", "KernelSize"]},
    "ConvTranspose1d": {2: ["OutChannels", "KernelSize"], 3: ["InChannels", "OutChannels", "KernelSize"]},
    "ConvTranspose2d": {2: ["OutChannels", "KernelSize"], 3: ["InChannels", "OutChannels", "KernelSize"]},
    "Linear": {1: ["OutFeatures"], 2: ["InFeatures", "OutFeatures"]},
    "BatchNorm1d": {1: ["NumFeatures"]}, "BatchNorm2d": {1: ["NumFeatures"]},
    "LeakyReLU": {1: ["NegativeSlope"]}, "Softmax": {1: ["Dim"]}, "LogSoftmax": {1: ["Dim"]}, "Dropout": {1: ["P"]},
    "ELU": {1: ["Alpha"]}, "Hardtanh": {2: ["MinVal", "MaxVal"]}, "PReLU": {1: ["NumParameters"]},
    "Softplus": {1: ["Beta"], 2: ["Beta", "Threshold"]},
    "MaxPool1d": {1: ["KernelSize"]}, "MaxPool2d": {1: ["KernelSize"]}, "AvgPool1d": {1: ["KernelSize"]}, "AvgPool2d": {1: ["KernelSize"]},
    "AdaptiveAvgPool1d": {1: ["OutputSize"]}, "AdaptiveAvgPool2d": {1: ["OutputSize"]},
    "AdaptiveMaxPool1d": {1: ["OutputSize"]}, "AdaptiveMaxPool2d": {1: ["OutputSize"]},
    "MaxUnpool2d": {1: ["KernelSize"]},
    "ZeroPad2d": {1: ["Padding"]}, "ReflectionPad2d": {1: ["Padding"]}, "ReplicationPad2d": {1: ["Padding"]},
    "ChannelShuffle": {1: ["Groups"]}, "LayerNorm2d": {1: ["NormalizedShape"]},
    "Chunk": {2: ["Chunks", "Index"]}, "Split": {2: ["SplitSizeOrSections", "Index"]}, "Unflatten": {2: ["Dim", "UnflattenedSize"]},
    "StochasticDepth": {2: ["P", "Mode"]},
}


def _arguments(kind, pos, named):
    a = dict(named)
    if kind in ("Add", "Multiply", "Concat", "Subtract"):
        if kind == "Subtract" and len(pos) == 2 and isinstance(pos[0], (int, float)):
            a["Minuend"], a["Subtrahend"] = float(pos[0]), pos[1]
        elif len(pos) == 1 and isinstance(pos[0], (int, float)):
            a["Other"] = float(pos[0])
        else:
            a["Inputs"] = list(pos)
    elif kind in ("Parameter", "LayerNorm", "Permute"):
        a[{"Parameter": "Shape", "LayerNorm": "NormalizedShape", "Permute": "Dims"}[kind]] = list(pos)
    elif pos:
        names = _CTOR.get(kind, {}).get(len(pos))
        if names is None:
            raise ValueError(f"{kind} with {len(pos)} positional arguments")
        a.update(zip(names, pos))
    return a


def _per_axis(v, n):
    return list(v) if isinstance(v, list) else [v] * n


def interpret(program, tensors, x):
    """Runs a parsed declaration on one sample (batch 1) with PyTorch ops; every tensor of `tensors` must be read."""
    F_ = F
    values, indices, names = {}, {}, {"input": -1}
    values[-1] = x
    consumed = set()
    current = -1

    def weight(key):
        if key not in tensors:
            raise ExportError("the declaration", "", f"it reads the tensor '{key}', which the weights do not have", "report this exporter bug")
        consumed.add(key)
        return tensors[key]

    for index, (kind, pos, named) in enumerate(program[1:]):
        a = _arguments(kind, pos, named)
        key = a.get("Name", str(index))
        source = names[a["From"]] if "From" in a else current
        v = values.get(source)
        if kind in ("Conv1d", "Conv2d", "ConvTranspose1d", "ConvTranspose2d"):
            n = 1 if kind.endswith("1d") else 2
            w, b = weight(key + ".weight"), (weight(key + ".bias") if a.get("Bias", True) else None)
            stride, dilation = _per_axis(a.get("Stride", 1), n), _per_axis(a.get("Dilation", 1), n)
            padding, groups = a.get("Padding", 0), a.get("Groups", 1)
            if kind.startswith("ConvTranspose"):
                op = F_.conv_transpose1d if n == 1 else F_.conv_transpose2d
                y = op(v, w, b, stride, _per_axis(padding, n), _per_axis(a.get("OutputPadding", 0), n), groups, dilation)
            else:
                mode = a.get("PaddingMode", "zeros")
                if mode != "zeros":
                    p = _per_axis(padding, n)
                    v = F_.pad(v, [q for q in reversed(p) for _ in (0, 1)], mode=mode)
                    padding = 0
                op = F_.conv1d if n == 1 else F_.conv2d
                y = op(v, w, b, stride, padding if isinstance(padding, str) else _per_axis(padding, n), dilation, groups)
        elif kind == "Linear":
            y = F_.linear(v, weight(key + ".weight"), weight(key + ".bias") if a.get("Bias", True) else None)
        elif kind in ("BatchNorm1d", "BatchNorm2d"):
            affine = a.get("Affine", True)
            tensors_key = key + ".num_batches_tracked"
            if tensors_key in tensors:
                consumed.add(tensors_key)
            y = F_.batch_norm(v, weight(key + ".running_mean"), weight(key + ".running_var"),
                              weight(key + ".weight") if affine else None, weight(key + ".bias") if affine else None,
                              False, 0.0, a.get("Eps", 1e-5))
        elif kind == "LayerNorm":
            shape = a["NormalizedShape"]
            affine = a.get("ElementwiseAffine", True)
            y = F_.layer_norm(v, shape, weight(key + ".weight") if affine else None,
                              weight(key + ".bias") if affine and a.get("Bias", True) else None, a.get("Eps", 1e-5))
        elif kind == "LayerNorm2d":
            affine = a.get("ElementwiseAffine", True)
            c = v.shape[1]
            y = F_.layer_norm(v.permute(0, 2, 3, 1), [c], weight(key + ".weight") if affine else None,
                              weight(key + ".bias") if affine else None, a.get("Eps", 1e-5)).permute(0, 3, 1, 2)
        elif kind == "ReLU":
            y = F_.relu(v)
        elif kind == "ReLU6":
            y = F_.relu6(v)
        elif kind == "LeakyReLU":
            y = F_.leaky_relu(v, a.get("NegativeSlope", 0.01))
        elif kind == "Sigmoid":
            y = torch.sigmoid(v)
        elif kind == "Tanh":
            y = torch.tanh(v)
        elif kind == "SiLU":
            y = F_.silu(v)
        elif kind == "GELU":
            y = F_.gelu(v, approximate=a.get("Approximate", "none"))
        elif kind == "Hardswish":
            y = F_.hardswish(v)
        elif kind == "Hardsigmoid":
            y = F_.hardsigmoid(v)
        elif kind == "Hardtanh":
            y = F_.hardtanh(v, a.get("MinVal", -1.0), a.get("MaxVal", 1.0))
        elif kind == "Mish":
            y = F_.mish(v)
        elif kind == "ELU":
            y = F_.elu(v, a.get("Alpha", 1.0))
        elif kind == "Softplus":
            y = F_.softplus(v, a.get("Beta", 1.0), a.get("Threshold", 20.0))
        elif kind == "PReLU":
            y = F_.prelu(v, weight(key + ".weight"))
        elif kind == "Softmax":
            y = F_.softmax(v, a.get("Dim", 1))
        elif kind == "LogSoftmax":
            y = F_.log_softmax(v, a.get("Dim", 1))
        elif kind in ("MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d"):
            n = 1 if kind.endswith("1d") else 2
            k = _per_axis(a["KernelSize"], n)
            s = _per_axis(a.get("Stride", a["KernelSize"]), n)
            p = _per_axis(a.get("Padding", 0), n)
            if kind.startswith("Max"):
                op = F_.max_pool1d if n == 1 else F_.max_pool2d
                y = op(v, k, s, p, _per_axis(a.get("Dilation", 1), n), a.get("CeilMode", False), a.get("ReturnIndices", False))
                if a.get("ReturnIndices", False):
                    y, indices[index] = y
            else:
                if n == 1:
                    y = F_.avg_pool1d(v, k, s, p, a.get("CeilMode", False), a.get("CountIncludePad", True))
                else:
                    y = F_.avg_pool2d(v, k, s, p, a.get("CeilMode", False), a.get("CountIncludePad", True), a.get("DivisorOverride") or None)
        elif kind.startswith("Adaptive"):
            n = 1 if kind.endswith("1d") else 2
            size = _per_axis(a["OutputSize"], n)
            op = {"AdaptiveAvgPool1d": F_.adaptive_avg_pool1d, "AdaptiveAvgPool2d": F_.adaptive_avg_pool2d,
                  "AdaptiveMaxPool1d": F_.adaptive_max_pool1d, "AdaptiveMaxPool2d": F_.adaptive_max_pool2d}[kind]
            y = op(v, size if n == 2 else size[0])
        elif kind == "MaxUnpool2d":
            pool = names[a["Indices"]]
            k = _per_axis(a["KernelSize"], 2)
            s = _per_axis(a.get("Stride", a["KernelSize"]), 2)
            p = _per_axis(a.get("Padding", 0), 2)
            size = a.get("OutputSize")
            y = F_.max_unpool2d(v, indices[pool], k, s, p, _per_axis(size, 2) if size is not None else None)
        elif kind == "Flatten":
            y = torch.flatten(v, a.get("StartDim", 1), a.get("EndDim", -1))
        elif kind == "Unflatten":
            y = v.unflatten(a["Dim"], a["UnflattenedSize"])
        elif kind in ("Dropout", "Identity", "StochasticDepth"):
            y = v
        elif kind in ("ZeroPad2d", "ReflectionPad2d", "ReplicationPad2d"):
            pad = _per_axis(a["Padding"], 4)
            mode = {"ZeroPad2d": "constant", "ReflectionPad2d": "reflect", "ReplicationPad2d": "replicate"}[kind]
            y = F_.pad(v, pad, mode=mode)
        elif kind == "Upsample":
            mode = a.get("Mode", "nearest")
            align = a.get("AlignCorners", False) if mode == "bilinear" else None
            if "Size" in a:
                y = F_.interpolate(v, size=_per_axis(a["Size"], v.dim() - 2), mode=mode, align_corners=align)
            else:
                sf = a["ScaleFactor"]
                y = F_.interpolate(v, scale_factor=[float(q) for q in _per_axis(sf, v.dim() - 2)], mode=mode, align_corners=align)
        elif kind == "ChannelShuffle":
            g = a["Groups"]
            shape = list(v.shape)
            y = v.reshape(shape[0], g, shape[1] // g, *shape[2:]).transpose(1, 2).reshape(shape)
        elif kind == "Permute":
            y = v.permute(*a["Dims"])
        elif kind in ("Chunk", "Split"):
            dim = a.get("Dim", 1)
            pieces = torch.chunk(v, a["Chunks"], dim) if kind == "Chunk" else torch.split(v, a["SplitSizeOrSections"], dim)
            y = pieces[a["Index"]]
        elif kind == "Parameter":
            y = weight(key)
        elif kind in ("Add", "Multiply", "Subtract", "Concat"):
            op = {"Add": torch.add, "Multiply": torch.mul, "Subtract": torch.sub}.get(kind)
            if "Other" in a:
                y = op(v, a["Other"])
            elif "Minuend" in a:
                y = a["Minuend"] - values[names[a["Subtrahend"]]]
            else:
                inputs = a["Inputs"]
                operands = ([v] if len(inputs) == 1 else []) + [values[names[n]] for n in inputs]
                if kind == "Concat":
                    y = torch.cat(operands, 1)
                else:
                    y = operands[0]
                    for o in operands[1:]:
                        y = op(y, o)
        else:
            raise ExportError(kind, "", "the interpreter does not know this layer", "report this exporter bug")
        values[index] = y
        if "Name" in a:
            names[a["Name"]] = index
        current = index
    unread = [k for k in tensors if k not in consumed]
    if unread:
        raise ExportError("the weights", "", f"tensors {unread[:5]} belong to no layer of the declaration", "report this exporter bug")
    return values[current]


# ============================================================================ safetensors
_DTYPES = {torch.float32: ("F32", "<f4"), torch.int64: ("I64", "<i8"), torch.float16: ("F16", "<f2")}


def write_safetensors(tensors, path):
    """u64 little-endian header length, the JSON header (padded with spaces to a multiple of 8), then the data."""
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        t = t.detach().cpu().contiguous()
        code, np_dtype = _DTYPES[t.dtype]
        raw = t.numpy().astype(np_dtype).tobytes() if t.numel() else b""
        header[name] = {"dtype": code, "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)


# ============================================================================ command line
def load_callable(spec):
    if ":" not in spec:
        raise ExportError(spec, "", "the model is not given as MODULE:CALLABLE", "e.g. torchvision.models:resnet18 or mymodels.py:build")
    module_name, attr = spec.rsplit(":", 1)
    if module_name.endswith(".py") or os.sep in module_name:
        path = os.path.abspath(module_name)
        spec_ = importlib.util.spec_from_file_location(os.path.splitext(os.path.basename(path))[0], path)
        mod = importlib.util.module_from_spec(spec_)
        sys.modules[spec_.name] = mod
        spec_.loader.exec_module(mod)
    else:
        sys.path.insert(0, os.getcwd())
        mod = importlib.import_module(module_name)
    obj = mod
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


def main(argv=None):
    parser = argparse.ArgumentParser(description="Export a PyTorch module to a ConvGen declaration (C#) and its safetensors weights.")
    parser.add_argument("model", help="MODULE:CALLABLE, CALLABLE() returns the nn.Module (e.g. torchvision.models:resnet18)")
    parser.add_argument("--input", required=True, help="input shape without the batch: C,H,W or C,L")
    parser.add_argument("--out", required=True, help="output directory")
    parser.add_argument("--name", required=True, help="the C# class name")
    parser.add_argument("--namespace", default="ConvGenModels", help="the C# namespace (default ConvGenModels)")
    args = parser.parse_args(argv)
    try:
        shape = [int(v) for v in args.input.replace("x", ",").split(",") if v.strip()]
    except ValueError:
        parser.error(f"--input {args.input!r}: give C,H,W or C,L")
    try:
        module = load_callable(args.model)()
        result = export(module, shape, args.name, args.namespace, source_label=args.model)
    except ExportError as e:
        print(f"convgen_export: {e}", file=sys.stderr)
        return 2
    cs, st = result.write(args.out)
    for note in result.notes:
        print(f"convgen_export: note: {note}", file=sys.stderr)
    print(f"convgen_export: wrote {cs} ({len(result.layers)} layers) and {st} ({len(result.tensors)} tensors); "
          f"self-check max |difference| {result.max_error:.3g} (bound {result.tolerance:.3g})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
