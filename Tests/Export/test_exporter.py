"""Tests of Export/convgen_export.py that need PyTorch (CI has none: run them with Debian's torch 1.13).

    /usr/bin/python3 -m unittest Tests/Export/test_exporter.py -v

They check the command line's contract (files, keys, exit status), that every refusal names the operation, its module
path and a fix, that the self-check refuses a declaration that computes something else, and the mappings that are
easy to get wrong (in-place operations, constants folded from parameters, reductions, slices, PyTorch's legacy
softmax dim). The C# side of the exporter's output is tested by Tests/ConvGen.Tests/Export.
"""
import os
import subprocess
import sys
import tempfile
import unittest

import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "Export"))
import convgen_export as ce  # noqa: E402


class Lambda(nn.Module):
    def __init__(self, fn, **modules):
        super().__init__()
        for k, v in modules.items():
            setattr(self, k, v)
        self.fn = fn

    def forward(self, x):
        return self.fn(self, x)


class Block(nn.Module):
    """A submodule, so that messages carry a dotted module path."""

    def __init__(self, fn):
        super().__init__()
        self.conv = nn.Conv2d(3, 3, 1)
        self.fn = fn

    def forward(self, x):
        return self.fn(self.conv(x))


def nested(fn):
    m = nn.Module()
    m.features = nn.Sequential(nn.Conv2d(3, 3, 3, padding=1), Block(fn))
    m.forward = lambda x: m.features(x)
    return Lambda(lambda self, x: self.features(x), features=m.features)


def run_exporter(folder, script_text, out, name):
    """Writes script_text to folder/models.py and runs the exporter's command line on models.py:build."""
    script = os.path.join(folder, "models.py")
    with open(script, "w") as f:
        f.write(script_text)
    return subprocess.run([sys.executable, os.path.join(ROOT, "Export", "convgen_export.py"), f"{script}:build",
                           "--input", "3,8,8", "--out", out, "--name", name], capture_output=True, text=True)


class CommandLine(unittest.TestCase):
    def test_writes_the_declaration_and_the_weights_under_state_dict_keys(self):
        with tempfile.TemporaryDirectory() as out:
            run = run_exporter(out, "import torch.nn as nn\n"
                                    "def build():\n"
                                    "    return nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 6 * 6, 5))\n",
                               out, "Tiny")
            self.assertEqual(run.returncode, 0, run.stderr)
            source = open(os.path.join(out, "Tiny.cs")).read()
            self.assertIn("namespace ConvGenModels;", source)
            self.assertIn("[Network(3, 8, 8)]", source)
            self.assertIn("[Conv2d(4, 3), BatchNorm2d, ReLU, Flatten, Linear(5)]", source)
            self.assertIn("public partial class Tiny;", source)
            header = open(os.path.join(out, "Tiny.safetensors"), "rb").read()
            for key in ("0.weight", "0.bias", "1.running_mean", "1.num_batches_tracked", "4.weight"):
                self.assertIn(key.encode(), header)

    def test_refusal_exits_2_and_writes_nothing(self):
        with tempfile.TemporaryDirectory() as out:
            run = run_exporter(out, "import torch, torch.nn as nn\n"
                                    "class M(nn.Module):\n"
                                    "    def __init__(self):\n"
                                    "        super().__init__(); self.conv = nn.Conv2d(3, 3, 1)\n"
                                    "    def forward(self, x):\n"
                                    "        return torch.exp(self.conv(x))\n"
                                    "def build():\n    return M()\n", os.path.join(out, "o"), "M")
            self.assertEqual(run.returncode, 2)
            self.assertIn("cannot export torch.exp", run.stderr)
            self.assertFalse(os.path.exists(os.path.join(out, "o")))


class Refusals(unittest.TestCase):
    def refuse(self, module, shape, *parts):
        with self.assertRaises(ce.ExportError) as caught:
            ce.export(module, shape, "Net")
        message = str(caught.exception)
        for part in parts:
            self.assertIn(part, message)
        return message

    def test_unknown_function_names_op_and_path(self):
        self.refuse(nested(torch.exp), [3, 6, 6], "torch.exp", "'features.1'", "replace it")

    def test_unknown_module(self):
        self.refuse(nn.Sequential(nn.Conv2d(3, 3, 1), nn.Softsign()), [3, 6, 6], "torch.nn.modules.activation.Softsign", "'1'")

    def test_reshape_that_is_not_a_flatten(self):
        self.refuse(nested(lambda x: x.reshape(x.shape[0], 3, 2, 18)), [3, 6, 6], "reshapes [3, 6, 6] to [3, 2, 18]", "Flatten")

    def test_concat_along_a_spatial_dim(self):
        self.refuse(nested(lambda x: torch.cat([x, x], 2)), [3, 6, 6], "torch.cat", "dim 2", "dim=1")

    def test_mean_over_channels(self):
        self.refuse(nested(lambda x: x.mean(1, keepdim=True)), [3, 6, 6], "Tensor.mean", "dims [1]", "spatial")

    def test_division_by_a_tensor(self):
        self.refuse(nested(lambda x: x / x), [3, 6, 6], "a division by a tensor computed from the input", "'features.1'")

    def test_hard_coded_batch_of_one(self):
        self.refuse(Lambda(lambda m, x: m.fc(x.view(1, -1)), fc=nn.Linear(3 * 4 * 4, 2)), [3, 4, 4], "batch of two", "x.view(x.size(0), -1)")

    def test_control_flow_on_values(self):
        def fn(x):
            if x.sum() > 0:
                return x
            return -x
        self.refuse(nested(fn), [3, 6, 6], "torch.fx cannot trace it", "'features.1'")

    def test_reduction_over_channels(self):
        self.refuse(nested(lambda x: torch.max(x, dim=1, keepdim=True)[0]), [3, 6, 6], "torch.max", "'features.1'")

    def test_shared_weights(self):
        conv = nn.Conv2d(3, 3, 3, padding=1)
        self.refuse(Lambda(lambda m, x: m.conv(m.conv(x)), conv=conv), [3, 6, 6], "called twice")

    def test_batchnorm_without_running_statistics(self):
        self.refuse(nn.Sequential(nn.BatchNorm2d(3, track_running_stats=False)), [3, 6, 6], "running statistics")


    def test_wrong_input_shape(self):
        self.refuse(nn.Sequential(nn.Conv2d(3, 4, 3), nn.Flatten(), nn.Linear(4 * 6 * 6, 2)), [3, 9, 9], "fails on a batch of two inputs of shape [3, 9, 9]", "--input")

    def test_self_check_refuses_a_declaration_that_computes_something_else(self):
        original = ce.layer_text
        # Every Subtract written with its operands swapped: the declaration parses and runs, but computes b - a.
        ce.layer_text = lambda layer: original(layer).replace('Subtract("a", "b")', 'Subtract("b", "a")')
        try:
            m = Lambda(lambda m, x: m.a(x) - m.b(x), a=nn.Conv2d(3, 3, 1), b=nn.Conv2d(3, 3, 3, padding=1))
            self.refuse(m, [3, 6, 6], "computes something else")
        finally:
            ce.layer_text = original


class Mappings(unittest.TestCase):
    def export(self, module, shape):
        result = ce.export(module.eval(), shape, "Net")
        self.assertLessEqual(result.max_error, result.tolerance)
        return result.source

    def test_inplace_relu_on_a_value_read_again(self):
        def fn(m, x):
            y = m.conv(x)
            identity = y
            y.relu_()
            return y + identity  # both are relu'd in eager PyTorch
        source = self.export(Lambda(fn, conv=nn.Conv2d(3, 3, 1)), [3, 5, 5])
        self.assertIn("ReLU", source)

    def test_parameter_operands_and_folded_constants(self):
        m = Lambda(lambda m, x: m.conv(x) * m.scale[:, None, None] + m.shift, conv=nn.Conv2d(3, 4, 1))
        m.scale = nn.Parameter(torch.randn(4))
        m.shift = nn.Parameter(torch.randn(4, 1, 1))
        source = self.export(m, [3, 5, 5])
        self.assertIn('Parameter(4, 1, 1, Name = "shift")', source)
        self.assertIn('Parameter(4, 1, 1, Name = "const.getitem")', source)
        self.assertIn("tensors computed at export from scale", source)

    def test_mean_without_keepdim_drops_the_reduced_dims(self):
        source = self.export(Lambda(lambda m, x: m.fc(m.conv(x).mean((2, 3))), conv=nn.Conv2d(3, 4, 3), fc=nn.Linear(4, 2)), [3, 6, 6])
        self.assertIn("AdaptiveAvgPool2d(1), Flatten", source)
        source = self.export(Lambda(lambda m, x: m.conv(x).mean(-1), conv=nn.Conv2d(3, 4, 3)), [3, 6, 7])
        self.assertIn("AdaptiveAvgPool2d(new[] { 4, 1 }), Flatten(StartDim = 2)", source)

    def test_channel_slice_is_a_split(self):
        source = self.export(Lambda(lambda m, x: m.conv(x)[:, 2:5], conv=nn.Conv2d(3, 8, 1)), [3, 5, 5])
        self.assertIn("Split(new[] { 2, 3, 3 }, 1)", source)

    def test_normalisation_by_buffers(self):
        m = Lambda(lambda m, x: m.conv((x - m.mean) / m.std), conv=nn.Conv2d(3, 2, 1))
        m.register_buffer("mean", torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1))
        m.register_buffer("std", torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1))
        source = self.export(m, [3, 4, 4])
        self.assertIn('Parameter(1, 3, 1, 1, Name = "mean")', source)
        self.assertIn('Parameter(1, 3, 1, 1, Name = "const.truediv")', source)

    def test_sizes_are_numbers_while_tracing(self):
        # UNet implementations pad the upsampled map to the skip's size computed from x.size(): F.pad rejects proxies.
        def fn(m, x):
            skip = m.enc(x)
            up = F.interpolate(F.max_pool2d(skip, 2), scale_factor=2)
            dy, dx = skip.size()[2] - up.size()[2], skip.size()[3] - up.size()[3]
            up = F.pad(up, [dx // 2, dx - dx // 2, dy // 2, dy - dy // 2])
            return torch.cat([skip, up], dim=1)
        source = self.export(Lambda(fn, enc=nn.Conv2d(3, 4, 3, padding=1)), [3, 9, 7])
        self.assertIn("ZeroPad2d(new[] { 0, 1, 0, 1 }, Name = \"pad\"), Concat(\"enc\", \"pad\")", source)

    def test_squeeze_keeps_the_batch(self):
        source = self.export(Lambda(lambda m, x: m.fc(F.adaptive_avg_pool2d(x, 1).squeeze()), fc=nn.Linear(3, 2)), [3, 4, 4])
        self.assertIn("AdaptiveAvgPool2d(1), Flatten", source)

    def test_legacy_softmax_dim(self):
        source = self.export(nn.Sequential(nn.Flatten(), nn.Linear(12, 3), nn.Softmax()), [3, 2, 2])
        self.assertIn("Softmax", source)

    def test_channel_shuffle_pattern(self):
        def fn(m, x):
            n, c, h, w = x.size()
            return m.conv(x.reshape(n, 4, c // 4, h, w).permute(0, 2, 1, 3, 4).reshape(n, c, h, w))
        source = self.export(Lambda(fn, conv=nn.Conv2d(8, 2, 1)), [8, 3, 3])
        self.assertIn("ChannelShuffle(4)", source)

    def test_layernorm2d_traced_through_is_one_layer(self):
        from torchvision.models.convnext import LayerNorm2d
        source = self.export(nn.Sequential(nn.Conv2d(3, 6, 1), LayerNorm2d(6, eps=1e-6)), [3, 4, 5])
        self.assertIn("[LayerNorm2d(Eps = 1e-06)]", source)  # keys 1.weight, 1.bias: its position
        self.assertNotIn("Permute", source)

    def test_warnings_the_model_itself_causes_are_disabled_with_a_reason(self):
        source = self.export(nn.Sequential(nn.Conv2d(3, 4, 3, stride=2)), [3, 8, 8])
        self.assertIn("#pragma warning disable CG0002", source)


if __name__ == "__main__":
    unittest.main()
