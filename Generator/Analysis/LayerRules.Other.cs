using ConvGen.Generator.Diagnostics;
using ConvGen.Generator.Model;
using static ConvGen.Generator.Diagnostics.DiagnosticDescriptors;

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
            a.Report(BatchNormWithoutRunningStats.At(a.SpanOf("TrackRunningStats"), a.Who));
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
            a.Report(FlattenEndBeforeStart.At(a.SpanOf("EndDim"), a.Who, end + 1, start + 1).WithFix(FixProposal.Set(a.Layer, "EndDim", ArgValue.FromInt(-1))));
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
        string valid = fullRank == 2 ? "1 (or -1)" : $"1 to {fullRank - 1} (or -1 for the last)";
        // The batch dimension most likely means the first real one; a dimension past the end, the last.
        int fix = normalized == 0 ? 1 : -1;
        a.Report(DimensionOutOfRange.At(a.SpanOf(argument), a.Who, torchName, dim, why, valid).WithFix(FixProposal.Set(a.Layer, argument, ArgValue.FromInt(fix))));
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
                if (x.Rank > 1)
                    a.Report(LinearInputNotFlat.At(a.SpanOf("InFeatures"), a.Who, declared, x.ToString(), inFeatures, x.Elements));
                else
                    a.Report(DeclaredSizeMismatch.At(a.SpanOf("InFeatures"), a.Who, "in_features", declared, x.ToString(), inFeatures, Plural(inFeatures, "feature"))
                        .WithFix(FixProposal.Set(a.Layer, "InFeatures", ArgValue.FromInt(inFeatures), $"Use in_features = {inFeatures}")));
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
            a.Report(PadLayerShape.At(a.SpanOf("Padding"), a.Who, arg?.Value.ToString() ?? "nothing"));
            return LayerOutcome.Failed;
        }
        int h = x[1], w = x[2];
        ArgValue PadValue(params int[] sides) => sides.All(v => v == sides[0]) ? ArgValue.FromInt(sides[0]) : ArgValue.FromInts(sides.Select(v => (long)v));
        if (Math.Min(Math.Min(left, right), Math.Min(top, bottom)) < 0)
        {
            a.Report(PadLayerNegative.At(a.SpanOf("Padding"), a.Who, $"{left}, {right}, {top}, {bottom}")
                .WithFix(FixProposal.Set(a.Layer, "Padding", PadValue(Math.Max(0, left), Math.Max(0, right), Math.Max(0, top), Math.Max(0, bottom)))));
            return LayerOutcome.Failed;
        }
        if (a.Layer.Kind == LayerKind.ReflectionPad2d && (Math.Max(left, right) >= w || Math.Max(top, bottom) >= h))
        {
            a.Report(ReflectionPadTooLarge.At(a.SpanOf("Padding"), a.Who, $"{left}, {right}, {top}, {bottom}", $"{h}×{w}", Math.Min(w, h) - 1)
                .WithFix(FixProposal.Set(a.Layer, "Padding", PadValue(Math.Min(left, w - 1), Math.Min(right, w - 1), Math.Min(top, h - 1), Math.Min(bottom, h - 1))))
                .WithFix(FixProposal.Rename(a.Layer, LayerKind.ReplicationPad2d)));
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
            a.Report(BilinearNeeds2d.At(a.SpanOf("Mode"), a.Who, x.ToString()).WithFix(FixProposal.Set(a.Layer, "Mode", ArgValue.FromString("nearest"))));
            return LayerOutcome.Failed;
        }
        (int h, int w) = SpatialOf(x);
        bool hasSize = a.Has("Size"), hasScale = a.Has("ScaleFactor");
        if (hasSize == hasScale)
        {
            a.Report(hasSize
                ? UpsampleSizeOrScale.At(a.SpanOf("ScaleFactor"), a.Who, "both Size and ScaleFactor are given")
                : UpsampleSizeOrScale.At(a.Layer.KindSpan, a.Who, "neither Size nor ScaleFactor is given"));
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
                a.Report(ScaleFactorInvalid.At(a.SpanOf("ScaleFactor"), a.Who, rank, v.ToString()));
                return LayerOutcome.Failed;
            }
            scaleH = rank == 2 ? scales[0] : 1; scaleW = scales[rank - 1];
            // floor(in * scale), as PyTorch; kept as a double until it is known to fit.
            oh = Math.Floor(h * scaleH); ow = Math.Floor(w * scaleW);
            if (oh < 1 || ow < 1)
            {
                // floor(in * s) >= 1 needs s >= 1/in on every axis.
                double least = 1.0 / Math.Min(rank == 2 ? h : int.MaxValue, w);
                a.Report(UpsampleEmpty.At(a.SpanOf("ScaleFactor"), a.Who, v.ToString(), SpatialText(x), least.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)));
                return LayerOutcome.Failed;
            }
        }
        if (SpatialOutput(a, rank, x[0], oh, ow, "Use a smaller scale factor or size") is not { } output) return LayerOutcome.Failed;
        // recompute_scale_factor: interpolate with the size ratio, as for Size (PyTorch's 1/scale only without it).
        if (a.Bool("RecomputeScaleFactor", false)) scaleH = scaleW = 0;
        var g = new LayerGeometry { InChannels = x[0], OutChannels = x[0], Mode = mode, AlignCorners = alignCorners, ScaleH = scaleH, ScaleW = scaleW };
        return new LayerOutcome(output, g, 0, 0);
    }

    private static LayerOutcome ChannelShuffle(ArgumentReader a, Shape x)
    {
        if (!a.Has("Groups"))
        {
            a.Report(MissingArgument.At(a.Layer.KindSpan, a.Who, "groups", "ChannelShuffle(2) or ChannelShuffle(Groups = 2)"));
            return LayerOutcome.Failed;
        }
        int groups = a.Int("Groups", 1, min: 1, fix: "Use 1 (no shuffle) or a divisor of the channels");
        if (x[0] % groups != 0)
        {
            a.Report(ShuffleGroupsDoNotDivide.At(a.SpanOf("Groups"), a.Who, groups, x[0], x.ToString(), CommonDivisors(x[0], x[0]))
                .WithFixes(NearestDivisors(groups, x[0], x[0]).Select(g => FixProposal.Set(a.Layer, "Groups", ArgValue.FromInt(g)))));
            return LayerOutcome.Failed;
        }
        return new LayerOutcome(x, new LayerGeometry { Groups = groups, InChannels = x[0], OutChannels = x[0] }, 0, 0);
    }

    /// <summary>
    /// Concat joins along the channels: equal ranks and spatial sizes. The size most inputs share is the reference, and
    /// each input that differs from it is one fault, reported on its own name.
    /// </summary>
    private static LayerOutcome Concat(ArgumentReader a, List<Shape> inputs)
    {
        List<(string Label, SourceSpan Span)> sources = MergeSources(a.Layer, inputs.Count);
        if (a.Has("Dim"))
        {
            // torch.cat's dim counts the batch: the channels are 1, or -(rank) from the end.
            int dim = a.Int("Dim", 1);
            if (dim != 1 && dim != -inputs[0].Rank)
            {
                a.Report(ConcatDimension.At(a.SpanOf("Dim"), a.Who, dim, -inputs[0].Rank).WithFix(FixProposal.Set(a.Layer, "Dim", ArgValue.FromInt(1))));
                return LayerOutcome.Failed;
            }
        }
        string Key(Shape s) => s.Rank + ":" + string.Join("×", s.Dims.Skip(1));
        string referenceKey = inputs.GroupBy(Key).OrderByDescending(g => g.Count()).First().Key;
        Shape reference = inputs.First(s => Key(s) == referenceKey);
        bool failed = false;
        for (int i = 0; i < inputs.Count; i++)
        {
            if (Key(inputs[i]) == referenceKey) continue;
            failed = true;
            a.Report(ConcatSizeMismatch.At(sources[i].Span, a.Who, sources[i].Label, inputs[i].ToString(), SpatialOrShape(reference)));
        }
        if (failed) return LayerOutcome.Failed;
        long channels = inputs.Sum(s => (long)s[0]);
        double[] dims = new double[] { channels }.Concat(reference.Dims.Skip(1).Select(d => (double)d)).ToArray();
        if (Limits.Output(a, a.SpanOf("Inputs"), "Concatenate fewer or narrower branches", dims) is not { } output) return LayerOutcome.Failed;
        return new LayerOutcome(output, new LayerGeometry { OutChannels = output[0] }, 0, 0);
    }

    /// <summary>How a merge's inputs are written: with one name, the current output and that name; with several, the names.</summary>
    private static List<(string Label, SourceSpan Span)> MergeSources(LayerDeclaration layer, int count)
    {
        Argument? names = layer.Find("Inputs");
        var result = new List<(string, SourceSpan)>();
        int strings = names?.Value.Strings.Count ?? 0;
        if (strings == 1)
            result.Add(layer.From is { } from ? ($"'{from}'", layer.Find("From")!.Span) : ("its input (the previous layer's output)", layer.KindSpan));
        for (int i = 0; i < strings; i++) result.Add(($"'{names!.Value.Strings[i]}'", names.ElementSpan(i)));
        while (result.Count < count) result.Add(("an input", layer.KindSpan));
        return result;
    }

    private static string SpatialOrShape(Shape s) => s.Rank == 1 ? $"{s} (flat)" : string.Join("×", s.Dims.Skip(1));

}