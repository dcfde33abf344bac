using System.Globalization;
using ConvGen.Generator.Model;

namespace ConvGen.Generator.Analysis;

/// <summary>
/// The receptive field of a tensor in input pixels, per spatial axis, with the product of earlier strides (the
/// "jump"): rf_l = rf_{l-1} + (k_l - 1) * d_l * jump_{l-1}, jump_l = jump_{l-1} * s_l. Once a layer mixes
/// every position (Flatten, Linear, global pooling) the field is the whole input.
/// </summary>
internal readonly record struct ReceptiveField(int SpatialRank, double H, double W, double JumpH, double JumpW, bool Whole)
{
    public static ReceptiveField Input(int spatialRank) => new(spatialRank, 1, 1, 1, 1, false);

    public static ReceptiveField Merge(IEnumerable<ReceptiveField> fields)
    {
        ReceptiveField? result = null;
        foreach (ReceptiveField f in fields)
            result = result is not { } r ? f : new ReceptiveField(r.SpatialRank, Math.Max(r.H, f.H), Math.Max(r.W, f.W),
                Math.Max(r.JumpH, f.JumpH), Math.Max(r.JumpW, f.JumpW), r.Whole || f.Whole);
        return result ?? Input(2);
    }

    public ReceptiveField Through(LayerKind kind, LayerGeometry g, Shape output, Shape input)
    {
        if (Whole) return this;
        switch (kind)
        {
            case LayerKind.Conv1d or LayerKind.Conv2d or LayerKind.MaxPool1d or LayerKind.MaxPool2d or LayerKind.AvgPool1d or LayerKind.AvgPool2d:
                return this with
                {
                    H = H + (g.KernelH - 1) * g.DilationH * JumpH, W = W + (g.KernelW - 1) * g.DilationW * JumpW,
                    JumpH = JumpH * g.StrideH, JumpW = JumpW * g.StrideW,
                };
            case LayerKind.ConvTranspose1d or LayerKind.ConvTranspose2d:
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
            case LayerKind.Flatten or LayerKind.Linear:
                return output.Rank < input.Rank || kind == LayerKind.Linear ? this with { Whole = true } : this;
            case LayerKind.Softmax or LayerKind.LogSoftmax:
                // Over the channels it mixes no positions; over a spatial axis it mixes them all.
                return g.Outer == 1 && g.Axis == input[0] ? this : this with { Whole = true };
            default:
                return this;
        }
    }

    public override string ToString()
    {
        if (Whole) return "all";
        string h = Math.Round(H).ToString(CultureInfo.InvariantCulture), w = Math.Round(W).ToString(CultureInfo.InvariantCulture);
        return SpatialRank == 2 ? h + "×" + w : w;
    }
}
