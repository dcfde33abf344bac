using ConvGen.Generator.Diagnostics;
using ConvGen.Generator.Model;

namespace ConvGen.Generator.Analysis;

internal static partial class LayerRules
{
    /// <summary>MaxPool/AvgPool 1d/2d with PyTorch's output size rule (pooling_output_shape in ATen).</summary>
    private static LayerOutcome Pool(ArgumentReader a, Shape x)
    {
        LayerKind kind = a.Layer.Kind;
        int rank = kind.SpatialRank();
        bool isMax = kind.IsMaxPool();
        (int inH, int inW) = SpatialOf(x);

        (int kh, int kw) = a.Tuple("KernelSize", rank, (1, 1), 1, "kernel_size");
        (int sh, int sw) = a.Has("Stride") ? a.Tuple("Stride", rank, (kh, kw), 1, "stride") : (kh, kw);
        (int dh, int dw) = isMax ? a.Tuple("Dilation", rank, (1, 1), 1, "dilation") : (1, 1);
        (int ph, int pw) = a.Tuple("Padding", rank, (0, 0), 0, "padding");
        bool ceil = a.Bool("CeilMode", false);
        bool countIncludePad = a.Bool("CountIncludePad", true);
        int divisor = kind == LayerKind.AvgPool2d ? a.Int("DivisorOverride", 0, min: 0) : 0;
        if (rank == 1) ph = 0;

        // ATen (torch 1.13): pad <= kernel_size / 2 for max and average pooling alike, whatever the dilation.
        int maxPh = kh / 2;
        int maxPw = kw / 2;
        if (ph > maxPh || pw > maxPw)
        {
            a.Report(DiagnosticDescriptors.InvalidPaddingId, a.SpanOf("Padding"),
                $"{a.Who}: padding {PairText(ph, pw, rank)} is more than half the {KernelText(kh, kw, rank)} window; PyTorch allows at most {PairText(maxPh, maxPw, rank)}. Use Padding = {PairText(Math.Min(ph, maxPh), Math.Min(pw, maxPw), rank)} or a larger kernel");
            ph = Math.Min(ph, maxPh); pw = Math.Min(pw, maxPw);
        }

        long outH = PoolOutputSize(inH, kh, sh, ph, dh, ceil), outW = PoolOutputSize(inW, kw, sw, pw, dw, ceil);
        long paddedH = inH + 2L * ph, paddedW = inW + 2L * pw;
        if (outH < 1 || outW < 1)
        {
            bool rows = outH < 1;
            ReportEmpty(a, x, rank, kh, kw, dh, dw, paddedH, paddedW, rows);
            return LayerOutcome.Failed;
        }
        if (!Limits.Extent(a, a.SpanOfFirst("Padding", "KernelSize"), $"the {SpatialText(x)} input with its padding", Math.Max(paddedH, paddedW), "Use less padding and a smaller kernel"))
            return LayerOutcome.Failed;
        if (!ceil)
            ReportUnread(a, x, rank, paddedH - (long)dh * (kh - 1) - 1, paddedW - (long)dw * (kw - 1) - 1, sh, sw, ph, pw, ph, pw,
                (long)dh * (kh - 1) + 1, (long)dw * (kw - 1) + 1, isPool: true, maxPad: Math.Min(maxPh, maxPw));
        if (SpatialOutput(a, rank, x[0], outH, outW, "Use a larger stride") is not { } output) return LayerOutcome.Failed;

        var g = new LayerGeometry
        {
            InChannels = x[0], OutChannels = x[0], KernelH = kh, KernelW = kw, StrideH = StrideWithin(sh, paddedH), StrideW = StrideWithin(sw, paddedW),
            PadTop = ph, PadBottom = ph, PadLeft = pw, PadRight = pw, DilationH = dh, DilationW = dw,
            CeilMode = ceil, CountIncludePad = countIncludePad, DivisorOverride = divisor,
        };
        return new LayerOutcome(output, g, 0, 0);
    }

    /// <summary>
    /// ATen's pooling_output_shape: floor (or ceil) of (in + 2p - d(k-1) - 1) / s, plus 1; in ceil mode the last
    /// window must start inside the input or the left padding.
    /// </summary>
    internal static long PoolOutputSize(int input, int kernel, int stride, int pad, int dilation, bool ceil)
    {
        long numerator = (long)input + 2L * pad - (long)dilation * (kernel - 1) - 1 + (ceil ? stride - 1L : 0);
        long output = FloorDiv(numerator, stride) + 1;
        if (ceil && (output - 1) * stride >= (long)input + pad) output--;
        return output;
    }

    private static long FloorDiv(long a, long b) => a >= 0 ? a / b : -((-a + b - 1) / b);

    /// <summary>AdaptiveAvgPool/AdaptiveMaxPool: the output size is declared; windows follow PyTorch's start/end rule.</summary>
    private static LayerOutcome AdaptivePool(ArgumentReader a, Shape x)
    {
        int rank = a.Layer.Kind.SpatialRank();
        (int oh, int ow) = a.Tuple("OutputSize", rank, (1, 1), 1, "output_size");
        var g = new LayerGeometry { InChannels = x[0], OutChannels = x[0] };
        if (SpatialOutput(a, rank, x[0], oh, ow, "Use a smaller output size") is not { } output) return LayerOutcome.Failed;
        return new LayerOutcome(output, g, 0, 0);
    }
}
