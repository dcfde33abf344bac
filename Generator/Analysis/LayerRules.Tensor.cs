using ConvGen.Generator.Diagnostics;
using ConvGen.Generator.Model;
using static ConvGen.Generator.Diagnostics.DiagnosticDescriptors;

namespace ConvGen.Generator.Analysis;

internal static partial class LayerRules
{
    /// <summary>
    /// Chunk and Split keep one piece along <c>Dim</c>. torch.chunk uses pieces of ceil(size / chunks) and returns fewer
    /// when they run out (12 into 5 gives 4 pieces of 3); torch.split uses pieces of split_size (the last smaller) or
    /// the listed sizes, which must add up to the dimension.
    /// </summary>
    private static LayerOutcome Slice(ArgumentReader a, Shape x)
    {
        int axis = NormalizeDim(a, "Dim", a.Int("Dim", 1), x, "dim");
        if (axis < 0) return LayerOutcome.Failed;
        int size = x[axis];
        string dimText = $"dimension {axis + 1} of the input {x}";

        var pieces = new List<(int Start, int Length)>();
        string how;
        if (a.Layer.Kind == LayerKind.Chunk)
        {
            int chunks = a.Int("Chunks", 1, min: 1);
            int piece = (int)((size + (long)chunks - 1) / chunks);
            for (int start = 0; start < size; start += piece) pieces.Add((start, Math.Min(piece, size - start)));
            how = $"torch.chunk of the {size} of {dimText} into {chunks} gives {pieces.Count} {Plural(pieces.Count, "piece")} of {piece}" +
                  (pieces.Count < chunks ? " (PyTorch returns fewer chunks when they run out)" : "");
        }
        else
        {
            Argument? arg = a.Layer.Find("SplitSizeOrSections");
            ArgValue v = arg?.Value ?? ArgValue.Null;
            if (v.Kind == ArgKind.Int && v.Number >= 1)
            {
                int piece = (int)Math.Min(v.Number, size);
                for (int start = 0; start < size; start += piece) pieces.Add((start, Math.Min(piece, size - start)));
                how = $"torch.split of the {size} of {dimText} into pieces of {v} gives {pieces.Count}";
            }
            else if (v.Kind == ArgKind.IntArray && v.Numbers.Count > 0 && v.Numbers.All(n => n >= 0))
            {
                long sum = (long)v.Numbers.Sum();
                if (sum != size)
                {
                    a.Report(SectionsDoNotAddUp.At(arg!.Span, a.Who, v.ToString(), sum, dimText, size));
                    return LayerOutcome.Failed;
                }
                int start = 0;
                foreach (double n in v.Numbers) { pieces.Add((start, (int)n)); start += (int)n; }
                how = $"torch.split of {dimText} into {v} gives {pieces.Count} pieces";
            }
            else
            {
                a.Report(SplitSizeInvalid.At(arg?.Span ?? a.Layer.Span, a.Who, v.ToString()));
                return LayerOutcome.Failed;
            }
        }

        int index = a.Int("Index", 0);
        int resolved = index < 0 ? index + pieces.Count : index;
        if (resolved < 0 || resolved >= pieces.Count)
        {
            a.Report(SliceIndexOutOfRange.At(a.SpanOf("Index"), a.Who, how, index, pieces.Count - 1, pieces.Count));
            return LayerOutcome.Failed;
        }
        (int first, int length) = pieces[resolved];
        if (length == 0)
        {
            a.Report(SlicePieceEmpty.At(a.SpanOf("Index"), a.Who, how, index));
            return LayerOutcome.Failed;
        }
        var dims = x.Dims.ToArray();
        dims[axis] = length;
        var g = new LayerGeometry { Outer = Product(x, 0, axis), Axis = size, Inner = Product(x, axis + 1, x.Rank), Start = first, Length = length };
        return new LayerOutcome(Shape.Of(dims), g, 0, 0);
    }

    /// <summary>Permute(dims): one entry per dimension (batch included, negative from the end), each once; the batch stays first.</summary>
    private static LayerOutcome Permute(ArgumentReader a, Shape x)
    {
        Argument? arg = a.Layer.Find("Dims");
        int fullRank = x.Rank + 1;
        ArgValue v = arg?.Value ?? ArgValue.Null;
        string example = fullRank == 4 ? ", e.g. Permute(0, 2, 3, 1) for channels last" : "";
        if (v.Kind is not (ArgKind.IntArray or ArgKind.Int) || v.Numbers.Count != fullRank)
        {
            a.Report(PermuteDimsCount.At(arg?.Span ?? a.Layer.Span, a.Who, v.ToString(), fullRank, x.ToString(), example));
            return LayerOutcome.Failed;
        }
        int[] dims = v.Numbers.Select(d => d < 0 ? (int)d + fullRank : (int)d).ToArray();
        if (dims.Any(d => d < 0 || d >= fullRank) || dims.Distinct().Count() != fullRank)
        {
            a.Report(PermuteDimsNotAPermutation.At(arg!.Span, a.Who, v.ToString(), fullRank - 1, example));
            return LayerOutcome.Failed;
        }
        if (dims[0] != 0)
        {
            a.Report(PermuteMovesBatch.At(arg!.Span, a.Who, v.ToString()));
            return LayerOutcome.Failed;
        }
        int[] order = dims.Skip(1).Select(d => d - 1).ToArray();
        var g = new LayerGeometry { Dims = order.ToEquatableArray(), InChannels = x[0], OutChannels = x[order[0]] };
        return new LayerOutcome(Shape.Of(order.Select(d => x[d]).ToArray()), g, 0, 0);
    }

    /// <summary>Unflatten(dim, sizes): dimension dim becomes the sizes, whose product must be its size (one -1 is inferred).</summary>
    private static LayerOutcome Unflatten(ArgumentReader a, Shape x)
    {
        int axis = NormalizeDim(a, "Dim", a.Int("Dim", 1), x, "dim");
        if (axis < 0) return LayerOutcome.Failed;
        Argument? arg = a.Layer.Find("UnflattenedSize");
        ArgValue v = arg?.Value ?? ArgValue.Null;
        int size = x[axis];
        if (v.Kind is not (ArgKind.IntArray or ArgKind.Int) || v.Numbers.Count == 0 || v.Numbers.Any(n => n < 1 && n != -1) || v.Numbers.Count(n => n == -1) > 1)
        {
            a.Report(UnflattenSizesInvalid.At(arg?.Span ?? a.Layer.Span, a.Who, v.ToString()));
            return LayerOutcome.Failed;
        }
        long known = (long)v.Numbers.Where(n => n != -1).Aggregate(1.0, (p, n) => p * n);
        bool infer = v.Numbers.Contains(-1);
        if (infer ? known == 0 || size % known != 0 : known != size)
        {
            a.Report(UnflattenSizeMismatch.At(arg!.Span, a.Who, v.ToString(), infer ? "a multiple of " : "", known, axis + 1, x.ToString(), size));
            return LayerOutcome.Failed;
        }
        var dims = x.Dims.Take(axis).Concat(v.Numbers.Select(n => n == -1 ? (int)(size / known) : (int)n)).Concat(x.Dims.Skip(axis + 1)).ToArray();
        return new LayerOutcome(Shape.Of(dims), new LayerGeometry(), 0, 0);
    }

    private static LayerOutcome StochasticDepth(ArgumentReader a, Shape x)
    {
        a.Double("P", 0, min: 0, max: 1);
        a.Choice("Mode", "row", "row", "batch");
        return new LayerOutcome(x, new LayerGeometry(), 0, 0);
    }
}
