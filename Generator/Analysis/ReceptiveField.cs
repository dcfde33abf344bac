using System.Globalization;
using ConvGen.Generator.Model;

namespace ConvGen.Generator.Analysis;

/// <summary>
/// The receptive field of a tensor in input pixels, per spatial axis, with the product of earlier strides (the
/// "jump"): rf_l = rf_{l-1} + (k_l - 1) * d_l * jump_{l-1}, jump_l = jump_{l-1} * s_l (contract section 5). Once a
/// layer mixes every position (Linear over positions, global pooling, a softmax over positions) the field is the
/// whole input ("all"); Flatten only relabels positions and mixes none. A field the formula makes at least as large as
/// the input along every axis is printed with "(whole input)": it is the formula's value, but no pixel lies beyond.
/// </summary>
/// <remarks>
/// <see cref="Order"/> follows Permute: which axis of the input each dimension holds (0 the channels, 1.. the spatial axes),
/// so that a Linear or LayerNorm on channels moved last (ConvNeXt) mixes no positions, and one on a spatial axis does.
/// A Parameter's field is <see cref="Constant"/>: it depends on no input pixel and merges contribute nothing.
/// </remarks>
internal readonly record struct ReceptiveField(int SpatialRank, double H, double W, double JumpH, double JumpW, bool Whole)
{
    public EquatableArray<int> Order { get; init; } = EquatableArray<int>.Empty;
    public bool IsConstant { get; init; }

    /// <summary>The network input's spatial size, to tell a field that covers all of it.</summary>
    public int InputH { get; init; }
    public int InputW { get; init; }

    public static ReceptiveField Input(int spatialRank) => new(spatialRank, 1, 1, 1, 1, false) { Order = Enumerable.Range(0, spatialRank + 1).ToEquatableArray() };

    public static ReceptiveField Input(Shape input) => Input(input.Rank - 1) with
    {
        InputH = input.Rank == 3 ? input[1] : 1,
        InputW = input[input.Rank - 1],
    };

    public static ReceptiveField Constant(int spatialRank) => Input(spatialRank) with { H = 0, W = 0, IsConstant = true };

    public static ReceptiveField Merge(IEnumerable<ReceptiveField> fields)
    {
        ReceptiveField? result = null;
        foreach (ReceptiveField f in fields.Where(f => !f.IsConstant))
            result = result is not { } r ? f : r with
            {
                H = Math.Max(r.H, f.H), W = Math.Max(r.W, f.W), JumpH = Math.Max(r.JumpH, f.JumpH), JumpW = Math.Max(r.JumpW, f.JumpW), Whole = r.Whole || f.Whole,
            };
        return result ?? Input(2);
    }

    /// <summary>Whether the dimensions are still in the input's order (channels, then the spatial axes).</summary>
    private bool InInputOrder
    {
        get
        {
            for (int i = 0; i < Order.Count; i++)
                if (Order[i] != i) return false;
            return true;
        }
    }

    /// <summary>Whether a layer that mixes the last <paramref name="count"/> dimensions mixes positions (any of them spatial).</summary>
    private bool MixesPositions(int count)
    {
        if (Order.Count == 0) return true;
        for (int i = Math.Max(0, Order.Count - count); i < Order.Count; i++)
            if (Order[i] != 0) return true;
        return false;
    }

    public ReceptiveField Through(LayerKind kind, LayerGeometry g, Shape output, Shape input)
    {
        if (Whole) return this;
        if (kind == LayerKind.Permute)
        {
            EquatableArray<int> order = Order;
            return this with { Order = g.Dims.Select(d => d < order.Count ? order[d] : -1).ToEquatableArray() };
        }
        if (kind == LayerKind.Linear) return MixesPositions(1) ? this with { Whole = true } : this;
        if (kind == LayerKind.LayerNorm) return MixesPositions(g.LearnedShape.Count) ? this with { Whole = true } : this;
        // A spatial layer on permuted dimensions slides over whatever they hold: no longer a field in input pixels.
        if (kind.SpatialRank() > 0 && !InInputOrder && kind is not (LayerKind.BatchNorm1d or LayerKind.BatchNorm2d)) return this with { Whole = true };
        switch (kind)
        {
            case LayerKind.Conv1d or LayerKind.Conv2d or LayerKind.MaxPool1d or LayerKind.MaxPool2d or LayerKind.AvgPool1d or LayerKind.AvgPool2d:
                return this with
                {
                    H = H + (g.KernelH - 1) * g.DilationH * JumpH, W = W + (g.KernelW - 1) * g.DilationW * JumpW,
                    JumpH = JumpH * g.StrideH, JumpW = JumpW * g.StrideW,
                };
            case LayerKind.ConvTranspose1d or LayerKind.ConvTranspose2d or LayerKind.MaxUnpool2d:
                {
                    double jh = JumpH / g.StrideH, jw = JumpW / g.StrideW;
                    return this with { H = H + (g.KernelH - 1) * g.DilationH * jh, W = W + (g.KernelW - 1) * g.DilationW * jw, JumpH = jh, JumpW = jw };
                }
            case LayerKind.AdaptiveAvgPool1d or LayerKind.AdaptiveAvgPool2d or LayerKind.AdaptiveMaxPool1d or LayerKind.AdaptiveMaxPool2d:
                {
                    if (output.Spatial == 1) return this with { Whole = true };
                    int rank = input.Rank - 1;
                    int inH = rank == 2 ? input[1] : 1, inW = input[input.Rank - 1];
                    int outH = rank == 2 ? output[1] : 1, outW = output[output.Rank - 1];
                    double winH = Math.Ceiling((double)inH / outH), winW = Math.Ceiling((double)inW / outW);
                    return this with
                    {
                        H = H + (winH - 1) * JumpH, W = W + (winW - 1) * JumpW,
                        JumpH = JumpH * Math.Max(1, inH / outH), JumpW = JumpW * Math.Max(1, inW / outW),
                    };
                }
            case LayerKind.Upsample:
                {
                    int rank = input.Rank - 1;
                    double sh = rank == 2 ? (double)output[1] / input[1] : 1, sw = (double)output[output.Rank - 1] / input[input.Rank - 1];
                    return this with { JumpH = JumpH / sh, JumpW = JumpW / sw };
                }
            case LayerKind.Flatten:
                // A reshape: each output value is still one input position's value.
                return this;
            case LayerKind.Unflatten:
                return output.Rank != input.Rank ? this with { Whole = true } : this;
            case LayerKind.Softmax or LayerKind.LogSoftmax:
                // Over the channels it mixes no positions; over a spatial axis it mixes them all.
                return g.Outer == 1 && g.Axis == input[0] ? this : this with { Whole = true };
            default:
                return this;
        }
    }

    public override string ToString()
    {
        if (IsConstant) return "none";
        if (Whole) return "all";
        string h = Math.Round(H).ToString(CultureInfo.InvariantCulture), w = Math.Round(W).ToString(CultureInfo.InvariantCulture);
        string text = SpatialRank == 2 ? h + "×" + w : w;
        bool coversH = SpatialRank != 2 || (InputH > 0 && Math.Round(H) >= InputH), coversW = InputW > 0 && Math.Round(W) >= InputW;
        return coversH && coversW ? text + " (whole input)" : text;
    }
}
