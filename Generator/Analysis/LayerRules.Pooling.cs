using ConvGen.Generator.Diagnostics;
using ConvGen.Generator.Model;
using static ConvGen.Generator.Diagnostics.DiagnosticDescriptors;

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
        // 0 stands for None (the window size); PyTorch rejects 0 itself.
        int divisor = kind == LayerKind.AvgPool2d ? a.Int("DivisorOverride", 0, min: 1, fix: "Use null (PyTorch's None) to divide by the window size") : 0;
        if (rank == 1) ph = 0;

        // ATen (torch 1.13): pad <= kernel_size / 2 for max and average pooling alike, whatever the dilation.
        int maxPh = kh / 2;
        int maxPw = kw / 2;
        if (ph > maxPh || pw > maxPw)
        {
            a.Report(PoolPaddingTooLarge.At(a.SpanOf("Padding"), a.Who, PairText(ph, pw, rank), KernelText(kh, kw, rank), PairText(Math.Min(ph, maxPh), Math.Min(pw, maxPw), rank))
                .WithFix(FixProposal.Set(a.Layer, "Padding", PerAxis(rank, Math.Min(ph, maxPh), Math.Min(pw, maxPw)))));
            ph = Math.Min(ph, maxPh); pw = Math.Min(pw, maxPw);
        }

        long outH = PoolOutputSize(inH, kh, sh, ph, dh, ceil), outW = PoolOutputSize(inW, kw, sw, pw, dw, ceil);
        long paddedH = inH + 2L * ph, paddedW = inW + 2L * pw;
        if (outH < 1 || outW < 1)
        {
            ReportEmpty(a, x, rank, (kh, kw), (dh, dw), (paddedH, paddedW), (ph, pw));
            return LayerOutcome.Failed;
        }
        if (!Limits.Extent(a, a.SpanOfFirst("Padding", "KernelSize"), $"the {SpatialText(x)} input with its padding", Math.Max(paddedH, paddedW), "Use less padding and a smaller kernel"))
            return LayerOutcome.Failed;
        if (!ceil)
            ReportUnread(a, x, rank, (paddedH - (long)dh * (kh - 1) - 1, paddedW - (long)dw * (kw - 1) - 1), (sh, sw), (ph, pw), (ph, pw),
                ((long)dh * (kh - 1) + 1, (long)dw * (kw - 1) + 1), isPool: true, maxPad: Math.Min(maxPh, maxPw));
        if (SpatialOutput(a, rank, x[0], outH, outW, "Use a larger stride") is not { } output) return LayerOutcome.Failed;

        var g = new LayerGeometry
        {
            InChannels = x[0], OutChannels = x[0], KernelH = kh, KernelW = kw, StrideH = StrideWithin(sh, paddedH), StrideW = StrideWithin(sw, paddedW),
            PadTop = ph, PadBottom = ph, PadLeft = pw, PadRight = pw, DilationH = dh, DilationW = dw,
            CeilMode = ceil, CountIncludePad = countIncludePad, DivisorOverride = divisor,
            ReturnIndices = kind == LayerKind.MaxPool2d && a.Bool("ReturnIndices", false),
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

    /// <summary>
    /// MaxUnpool2d: out = (in - 1) * stride - 2 * padding + kernel_size per axis, or forward's output_size, which PyTorch
    /// accepts strictly within a stride of that. Each value goes to the flat position its index names in the output plane,
    /// so the plane must hold every index the pool can produce (else PyTorch fails at run time on some inputs).
    /// </summary>
    private static LayerOutcome MaxUnpool(ArgumentReader a, Shape x, AnalyzedLayer pool)
    {
        string poolName = pool.Name is { } n ? $"MaxPool2d '{n}'" : $"MaxPool2d #{pool.Index}";
        if (pool.OutputShape != x)
        {
            a.Report(UnpoolInputMismatch.At(a.SpanOf("Indices"), a.Who, x.ToString(), poolName, pool.OutputShape.ToString()));
            return LayerOutcome.Failed;
        }
        (int kh, int kw) = a.Tuple("KernelSize", 2, (1, 1), 1, "kernel_size");
        (int sh, int sw) = a.Has("Stride") ? a.Tuple("Stride", 2, (kh, kw), 1, "stride") : (kh, kw);
        (int ph, int pw) = a.Tuple("Padding", 2, (0, 0), 0, "padding");
        // In 64 bits: a stride or kernel near int.MaxValue must not wrap.
        long defaultH = (x[1] - 1L) * sh - 2L * ph + kh, defaultW = (x[2] - 1L) * sw - 2L * pw + kw;
        if (defaultH < 1 || defaultW < 1)
        {
            a.Report(UnpoolPaddingTooLarge.At(a.SpanOf("Padding"), a.Who, ph, pw, (x[1] - 1L) * sh + kh, (x[2] - 1L) * sw + kw, x[1], x[2]));
            return LayerOutcome.Failed;
        }
        long oh = defaultH, ow = defaultW;
        if (a.Has("OutputSize"))
        {
            (oh, ow) = a.Tuple("OutputSize", 2, (1, 1), 1, "output_size");
            if (Math.Abs(oh - defaultH) >= sh || Math.Abs(ow - defaultW) >= sw)
            {
                a.Report(UnpoolOutputSizeOutOfRange.At(a.SpanOf("OutputSize"), a.Who, $"{oh}×{ow}", $"{defaultH}×{defaultW}",
                    defaultH - sh + 1, defaultH + sh - 1, defaultW - sw + 1, defaultW + sw - 1));
                return LayerOutcome.Failed;
            }
        }

        // The largest flat index the pool can produce: its last window's furthest tap inside its input.
        LayerGeometry p = pool.Geometry;
        Shape poolIn = pool.InputShape;
        long rows = Math.Min(poolIn[1] - 1L, (x[1] - 1L) * p.StrideH - p.PadTop + (p.KernelH - 1L) * p.DilationH);
        long cols = Math.Min(poolIn[2] - 1L, (x[2] - 1L) * p.StrideW - p.PadLeft + (p.KernelW - 1L) * p.DilationW);
        long maxIndex = rows * poolIn[2] + cols;
        if (maxIndex >= (double)oh * ow)
        {
            bool fits = Math.Abs(poolIn[1] - defaultH) < sh && Math.Abs(poolIn[2] - defaultW) < sw;
            string fix = fits
                ? $"Write OutputSize = new[] {{ {poolIn[1]}, {poolIn[2]} }}, the pool's input size (forward's output_size=x.size() in PyTorch)"
                : "Use the pool's kernel, stride and padding so that the output has the pool's input size";
            a.Report(UnpoolIndicesBeyondOutput.At(a.SpanOfFirst("OutputSize", "KernelSize"), a.Who, poolName, $"{poolIn[1]}×{poolIn[2]}", maxIndex,
                $"row {rows}, column {cols}", $"{oh}×{ow}", oh * ow - 1, fix));
            return LayerOutcome.Failed;
        }
        if (SpatialOutput(a, 2, x[0], oh, ow, "Unpool to a smaller output") is not { } output) return LayerOutcome.Failed;

        var g = new LayerGeometry
        {
            InChannels = x[0], OutChannels = x[0], KernelH = kh, KernelW = kw, StrideH = sh, StrideW = sw,
            PadTop = ph, PadBottom = ph, PadLeft = pw, PadRight = pw,
        };
        return new LayerOutcome(output, g, 0, 0);
    }
}
