using ConvGen.Generator.Diagnostics;
using ConvGen.Generator.Model;

namespace ConvGen.Generator.Analysis;

internal static partial class LayerRules
{
    /// <summary>BatchNorm1d/2d in eval mode: y = (x - mean) / sqrt(var + eps) * gamma + beta per channel.</summary>
    private static LayerOutcome BatchNorm(ArgumentReader a, Shape x)
    {
        int channels = x[0];
        CheckDeclaredChannels(a, "NumFeatures", "num_features", channels, x);
        double eps = a.Double("Eps", 1e-5, min: 0);
        bool affine = a.Bool("Affine", true);
        if (!a.Bool("TrackRunningStats", true))
        {
            a.Report(DiagnosticDescriptors.NotSupportedId, a.SpanOf("TrackRunningStats"),
                $"{a.Who}: without running statistics PyTorch normalises with the statistics of the batch itself, even in eval mode; ConvGen compiles eval-mode BatchNorm from running_mean and running_var. Train with TrackRunningStats = true");
        }
        var g = new LayerGeometry { InChannels = channels, OutChannels = channels, Eps = eps, Affine = affine };
        return new LayerOutcome(x, g, affine ? 2L * channels : 0, 0);
    }

    /// <summary>Softmax/LogSoftmax over <c>Dim</c>, counted with the batch dimension as in PyTorch.</summary>
    private static LayerOutcome Softmax(ArgumentReader a, Shape x)
    {
        int dim = a.Int("Dim", 1);
        int axis = NormalizeDim(a, "Dim", dim, x, "dim");
        if (axis < 0) return LayerOutcome.Failed;
        var g = new LayerGeometry { Outer = Product(x, 0, axis), Axis = x[axis], Inner = Product(x, axis + 1, x.Rank) };
        return new LayerOutcome(x, g, 0, 0);
    }

    /// <summary>Flatten(start_dim, end_dim), dims counted with the batch dimension; start_dim 0 would fold the batch in.</summary>
    private static LayerOutcome Flatten(ArgumentReader a, Shape x)
    {
        int start = NormalizeDim(a, "StartDim", a.Int("StartDim", 1), x, "start_dim");
        int end = NormalizeDim(a, "EndDim", a.Int("EndDim", -1), x, "end_dim");
        if (start < 0 || end < 0) return LayerOutcome.Failed;
        if (end < start)
        {
            a.Report(DiagnosticDescriptors.OutOfRangeId, a.SpanOf("EndDim"),
                $"{a.Who}: end_dim {end + 1} comes before start_dim {start + 1}; use EndDim = -1 to flatten to the end");
            return LayerOutcome.Failed;
        }
        var dims = new List<int>();
        for (int i = 0; i < start; i++) dims.Add(x[i]);
        dims.Add(Product(x, start, end + 1));
        for (int i = end + 1; i < x.Rank; i++) dims.Add(x[i]);
        return new LayerOutcome(new Shape(dims.ToEquatableArray()), new LayerGeometry(), 0, 0);
    }

    /// <summary>
    /// Maps a PyTorch dimension (batch = 0, negative from the end) to an index into our batch-free shape;
    /// reports CG0007 and returns -1 when it is the batch or out of range.
    /// </summary>
    private static int NormalizeDim(ArgumentReader a, string argument, int dim, Shape x, string torchName)
    {
        int fullRank = x.Rank + 1;
        int normalized = dim < 0 ? dim + fullRank : dim;
        if (normalized >= 1 && normalized < fullRank) return normalized - 1;
        string why = normalized == 0 ? "is the batch dimension" : $"is out of range for a {fullRank}-D tensor (batch, {x})";
        a.Report(DiagnosticDescriptors.OutOfRangeId, a.SpanOf(argument),
            $"{a.Who}: {torchName} {dim} {why}; dimensions count the batch as PyTorch does, so use 1 to {fullRank - 1} (or -1 for the last)");
        return -1;
    }

    private static int Product(Shape x, int from, int to)
    {
        int p = 1;
        for (int i = from; i < to; i++) p *= x[i];
        return p;
    }

    /// <summary>Linear over the last dimension, as torch.nn.Linear: [..., in] -> [..., out].</summary>
    private static LayerOutcome Linear(ArgumentReader a, Shape x)
    {
        int inFeatures = x[x.Rank - 1];
        int outFeatures = a.Int("OutFeatures", 1, min: 1);
        if (a.Has("InFeatures"))
        {
            int declared = a.Int("InFeatures", inFeatures, min: 1);
            if (declared != inFeatures)
            {
                string fix = x.Rank > 1
                    ? $"the input {x} is not flat: Linear works on its last dimension ({inFeatures}); put Flatten before it to use all {x.Elements} values, or write {inFeatures}"
                    : $"write {inFeatures}, or drop the argument to have it inferred";
                a.Report(DiagnosticDescriptors.ShapeMismatchId, a.SpanOf("InFeatures"), $"{a.Who}: in_features is {declared}, but the input {x} has {inFeatures} features; {fix}");
            }
        }
        bool bias = a.Bool("Bias", true);
        int rows = (int)(x.Elements / inFeatures);
        double[] dims = x.Dims.Take(x.Rank - 1).Select(d => (double)d).Concat(new double[] { outFeatures }).ToArray();
        if (Limits.Output(a, a.SpanOfFirst("OutFeatures"), "Use fewer out_features", dims) is not { } output) return LayerOutcome.Failed;
        var g = new LayerGeometry { InChannels = inFeatures, OutChannels = outFeatures, Bias = bias, Outer = rows };
        return new LayerOutcome(output, g, CheckedSize.Add(CheckedSize.Multiply(inFeatures, outFeatures), bias ? outFeatures : 0), CheckedSize.Product(rows, inFeatures, outFeatures));
    }

    private static LayerOutcome Dropout(ArgumentReader a, Shape x)
    {
        a.Double("P", 0.5, min: 0, max: 1);
        return new LayerOutcome(x, new LayerGeometry(), 0, 0);
    }

    /// <summary>ZeroPad2d/ReflectionPad2d/ReplicationPad2d with padding (left, right, top, bottom) as in PyTorch.</summary>
    private static LayerOutcome Pad(ArgumentReader a, Shape x)
    {
        Argument? arg = a.Layer.Find("Padding");
        int left = 0, right = 0, top = 0, bottom = 0;
        if (arg?.Value is { Kind: ArgKind.Int } single) left = right = top = bottom = (int)single.Number;
        else if (arg?.Value is { Kind: ArgKind.IntArray } array && array.Numbers.Count == 4)
        {
            left = (int)array.Numbers[0]; right = (int)array.Numbers[1]; top = (int)array.Numbers[2]; bottom = (int)array.Numbers[3];
        }
        else
        {
            a.Report(DiagnosticDescriptors.OutOfRangeId, a.SpanOf("Padding"),
                $"{a.Who}: padding must be an int or an int[] of 4 values (left, right, top, bottom), as in PyTorch; got {arg?.Value.ToString() ?? "nothing"}");
            return LayerOutcome.Failed;
        }
        int h = x[1], w = x[2];
        if (Math.Min(Math.Min(left, right), Math.Min(top, bottom)) < 0)
        {
            a.Report(DiagnosticDescriptors.InvalidPaddingId, a.SpanOf("Padding"),
                $"{a.Who}: padding ({left}, {right}, {top}, {bottom}) is negative; ConvGen does not crop with padding, use values of 0 or more");
            return LayerOutcome.Failed;
        }
        if (a.Layer.Kind == LayerKind.ReflectionPad2d && (Math.Max(left, right) >= w || Math.Max(top, bottom) >= h))
        {
            a.Report(DiagnosticDescriptors.InvalidPaddingId, a.SpanOf("Padding"),
                $"{a.Who}: reflect padding ({left}, {right}, {top}, {bottom}) must be smaller than the {h}×{w} input on each side; use at most {Math.Min(w, h) - 1}, or ReplicationPad2d");
            return LayerOutcome.Failed;
        }
        if (Limits.Output(a, a.SpanOf("Padding"), "Use less padding", x[0], (long)h + top + bottom, (long)w + left + right) is not { } output) return LayerOutcome.Failed;
        var g = new LayerGeometry { InChannels = x[0], OutChannels = x[0], PadTop = top, PadBottom = bottom, PadLeft = left, PadRight = right };
        return new LayerOutcome(output, g, 0, 0);
    }

    /// <summary>Upsample by Size or ScaleFactor (exactly one), nearest or bilinear; out = floor(in * scale).</summary>
    private static LayerOutcome Upsample(ArgumentReader a, Shape x)
    {
        int rank = x.Rank - 1;
        string mode = a.Choice("Mode", "nearest", "nearest", "bilinear");
        bool alignCorners = a.Bool("AlignCorners", false);
        if (mode == "bilinear" && rank != 2)
        {
            a.Report(DiagnosticDescriptors.InvalidStructureId, a.SpanOf("Mode"), $"{a.Who}: bilinear upsampling needs a C×H×W input, but the input is {x}; use Mode = \"nearest\"");
            return LayerOutcome.Failed;
        }
        (int h, int w) = SpatialOf(x);
        bool hasSize = a.Has("Size"), hasScale = a.Has("ScaleFactor");
        if (hasSize == hasScale)
        {
            a.Report(DiagnosticDescriptors.OutOfRangeId, a.Layer.Span, $"{a.Who}: give exactly one of Size or ScaleFactor, as in PyTorch, e.g. Upsample(ScaleFactor = 2)");
            return LayerOutcome.Failed;
        }
        double oh, ow;
        double scaleH = 0, scaleW = 0;
        if (hasSize) (oh, ow) = a.Tuple("Size", rank, (h, w), 1, "size");
        else
        {
            ArgValue v = a.Layer.Find("ScaleFactor")!.Value;
            double[]? scales = v.IsNumber ? Enumerable.Repeat(v.Number, rank).ToArray()
                : v.Kind is ArgKind.IntArray or ArgKind.DoubleArray && v.Numbers.Count == rank ? v.Numbers.ToArray() : null;
            if (scales is null || scales.Any(s => !(s > 0) || double.IsInfinity(s)))
            {
                a.Report(DiagnosticDescriptors.OutOfRangeId, a.SpanOf("ScaleFactor"), $"{a.Who}: scale_factor must be a positive finite number or {rank} of them; got {v}");
                return LayerOutcome.Failed;
            }
            scaleH = rank == 2 ? scales[0] : 1; scaleW = scales[rank - 1];
            // floor(in * scale), as PyTorch; kept as a double until it is known to fit.
            oh = Math.Floor(h * scaleH); ow = Math.Floor(w * scaleW);
            if (oh < 1 || ow < 1)
            {
                a.Report(DiagnosticDescriptors.EmptyOutputId, a.SpanOf("ScaleFactor"), $"{a.Who}: scale_factor {v} turns the {SpatialText(x)} input into an empty output; use a larger factor");
                return LayerOutcome.Failed;
            }
        }
        if (SpatialOutput(a, rank, x[0], oh, ow, "Use a smaller scale factor or size") is not { } output) return LayerOutcome.Failed;
        var g = new LayerGeometry { InChannels = x[0], OutChannels = x[0], Mode = mode, AlignCorners = alignCorners, ScaleH = scaleH, ScaleW = scaleW };
        return new LayerOutcome(output, g, 0, 0);
    }

    private static LayerOutcome ChannelShuffle(ArgumentReader a, Shape x)
    {
        int groups = a.Int("Groups", 1, min: 1);
        if (x[0] % groups != 0)
        {
            a.Report(DiagnosticDescriptors.ShapeMismatchId, a.SpanOf("Groups"),
                $"{a.Who}: groups {groups} does not divide the {x[0]} channels of the {x} input; use one of {CommonDivisors(x[0], x[0])}");
            return LayerOutcome.Failed;
        }
        return new LayerOutcome(x, new LayerGeometry { Groups = groups, InChannels = x[0], OutChannels = x[0] }, 0, 0);
    }

    /// <summary>Concat joins along the channels: equal ranks and spatial sizes.</summary>
    private static LayerOutcome Concat(ArgumentReader a, List<Shape> inputs)
    {
        Shape first = inputs[0];
        string list = string.Join(", ", inputs.Select(s => s.ToString()));
        bool same = inputs.All(s => s.Rank == first.Rank && s.Dims.Skip(1).SequenceEqual(first.Dims.Skip(1)));
        if (!same)
        {
            a.Report(DiagnosticDescriptors.ShapeMismatchId, a.SpanOf("Inputs"),
                $"{a.Who}: Concat joins along the channels, so every other size must match; got {list}. Resize the branches to the same spatial size (pooling, stride, or Upsample)");
            return LayerOutcome.Failed;
        }
        long channels = inputs.Sum(s => (long)s[0]);
        double[] dims = new double[] { channels }.Concat(first.Dims.Skip(1).Select(d => (double)d)).ToArray();
        if (Limits.Output(a, a.SpanOf("Inputs"), "Concatenate fewer or narrower branches", dims) is not { } output) return LayerOutcome.Failed;
        return new LayerOutcome(output, new LayerGeometry { OutChannels = output[0] }, 0, 0);
    }
}
