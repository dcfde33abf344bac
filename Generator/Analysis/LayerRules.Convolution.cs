using ConvGen.Generator.Diagnostics;
using ConvGen.Generator.Model;

namespace ConvGen.Generator.Analysis;

internal static partial class LayerRules
{
    private static readonly string[] PaddingModes = { "zeros", "reflect", "replicate", "circular" };

    /// <summary>Conv1d/Conv2d: out = floor((in + pad_begin + pad_end - d*(k-1) - 1) / s) + 1 (torch.nn.Conv2d docs).</summary>
    private static LayerOutcome Convolution(ArgumentReader a, Shape x)
    {
        (int rank, int inC, int inH, int inW, int outC, int kh, int kw, int sh, int sw, int dh, int dw, int groups, bool bias) = ReadCommon(a, x);
        string mode = a.Choice("PaddingMode", "zeros", PaddingModes);

        // Sizes in 64 bits: padding, dilation and kernel may each be int.MaxValue.
        long top, bottom, left, right;
        Argument? padding = a.Layer.Find("Padding");
        if (padding?.Value.Kind == ArgKind.String)
        {
            string choice = a.Choice("Padding", "valid", "same", "valid");
            if (choice == "same")
            {
                long totalH = (long)dh * (kh - 1), totalW = (long)dw * (kw - 1);
                if (sh > 1 || sw > 1)
                {
                    a.Report(DiagnosticDescriptors.InvalidPaddingId, padding.Span,
                        $"{a.Who}: padding \"same\" needs stride 1, as in PyTorch; this layer has stride {StrideText(sh, sw, rank)}. " +
                        $"Write the padding out instead: Padding = {PairText(totalH / 2, totalW / 2, rank)} keeps a {KernelText(kh, kw, rank)} kernel centred");
                }
                // PyTorch puts the odd padding pixel at the end (bottom/right).
                top = totalH / 2; bottom = totalH - top;
                left = totalW / 2; right = totalW - left;
            }
            else top = bottom = left = right = 0;
        }
        else
        {
            (int ph, int pw) = a.Tuple("Padding", rank, (0, 0), 0, "padding");
            top = bottom = ph; left = right = pw;
        }
        if (rank == 1) top = bottom = 0;

        if (mode != "zeros") CheckPaddingMode(a, mode, inH, inW, top, bottom, left, right, rank);

        long paddedH = inH + top + bottom, paddedW = inW + left + right;
        long effH = paddedH - (long)dh * (kh - 1) - 1;
        long effW = paddedW - (long)dw * (kw - 1) - 1;
        if (effH < 0 || effW < 0)
        {
            ReportEmpty(a, x, rank, kh, kw, dh, dw, paddedH, paddedW, effH < 0);
            return LayerOutcome.Failed;
        }
        if (!Limits.Extent(a, a.SpanOfFirst("Padding", "Dilation", "KernelSize"), $"the {SpatialText(x)} input with its padding", Math.Max(paddedH, paddedW),
                "Use less padding (or, with \"same\", a smaller dilation or kernel)"))
            return LayerOutcome.Failed;
        long outH = effH / sh + 1, outW = effW / sw + 1;
        ReportUnread(a, x, rank, effH, effW, sh, sw, top, left, bottom, right, (long)dh * (kh - 1) + 1, (long)dw * (kw - 1) + 1, isPool: false, maxPad: long.MaxValue);
        if (SpatialOutput(a, rank, outC, outH, outW, "Use fewer output channels, less padding or a larger stride") is not { } output) return LayerOutcome.Failed;

        var g = new LayerGeometry
        {
            InChannels = inC, OutChannels = outC, KernelH = kh, KernelW = kw, StrideH = StrideWithin(sh, paddedH), StrideW = StrideWithin(sw, paddedW),
            PadTop = (int)top, PadBottom = (int)bottom, PadLeft = (int)left, PadRight = (int)right, DilationH = dh, DilationW = dw,
            Groups = groups, Bias = bias, PaddingMode = mode,
        };
        long perOutput = CheckedSize.Product(inC / Math.Max(1, groups), kh, kw);
        long parameters = CheckedSize.Add(CheckedSize.Multiply(outC, perOutput), bias ? outC : 0);
        long macs = CheckedSize.Product(outC, outH, outW, perOutput);
        return new LayerOutcome(output, g, parameters, macs);
    }

    /// <summary>ConvTranspose1d/2d: out = (in - 1)*s - 2p + d*(k-1) + output_padding + 1 (torch.nn.ConvTranspose2d docs).</summary>
    private static LayerOutcome TransposedConvolution(ArgumentReader a, Shape x)
    {
        (int rank, int inC, int inH, int inW, int outC, int kh, int kw, int sh, int sw, int dh, int dw, int groups, bool bias) = ReadCommon(a, x);
        (int ph, int pw) = a.Tuple("Padding", rank, (0, 0), 0, "padding");
        (int oph, int opw) = a.Tuple("OutputPadding", rank, (0, 0), 0, "output_padding");
        a.Choice("PaddingMode", "zeros", "zeros");
        if (rank == 1) { ph = 0; oph = 0; }

        if ((oph >= sh && oph >= dh) || (opw >= sw && opw >= dw))
        {
            a.Report(DiagnosticDescriptors.OutputPaddingId, a.SpanOf("OutputPadding"),
                $"{a.Who}: output_padding {PairText(oph, opw, rank)} must be smaller than the stride {StrideText(sh, sw, rank)} or the dilation {PairText(dh, dw, rank)} (PyTorch's rule); " +
                $"use OutputPadding = {PairText(Math.Max(0, Math.Max(sh, dh) - 1), Math.Max(0, Math.Max(sw, dw) - 1), rank)} at most");
        }
        if (kh % sh != 0 || kw % sw != 0)
        {
            int k = kh % sh != 0 ? kh : kw, s = kh % sh != 0 ? sh : sw;
            a.Report(DiagnosticDescriptors.CheckerboardId, a.SpanOf("KernelSize"),
                $"{a.Who}: kernel {KernelText(kh, kw, rank)} is not divisible by stride {StrideText(sh, sw, rank)}, so output pixels get uneven numbers of contributions (checkerboard artifacts); " +
                $"use kernel {(k / s + 1) * (long)s} or {Math.Max(s, k / s * s)} with stride {s}, or upsample then convolve");
        }

        // What the layer produces before the padding is cropped, in 64 bits: stride, kernel and dilation may be int.MaxValue.
        long producedH = (long)(inH - 1) * sh + (long)dh * (kh - 1) + 1, producedW = (long)(inW - 1) * sw + (long)dw * (kw - 1) + 1;
        long outH = producedH - 2L * ph + oph, outW = producedW - 2L * pw + opw;
        if (outH < 1 || outW < 1)
        {
            a.Report(DiagnosticDescriptors.EmptyOutputId, a.SpanOf("Padding"),
                $"{a.Who}: padding {PairText(ph, pw, rank)} removes more than the {PairText(producedH, producedW, rank)} the layer produces from its {x} input; the output would be empty. Use less padding");
            return LayerOutcome.Failed;
        }
        if (!Limits.Extent(a, a.SpanOfFirst("Stride", "Dilation", "KernelSize"), $"its output before the padding is cropped", Math.Max(producedH + oph, producedW + opw),
                "Use a smaller stride, kernel or dilation"))
            return LayerOutcome.Failed;
        if (SpatialOutput(a, rank, outC, outH, outW, "Use fewer output channels or a smaller stride") is not { } output) return LayerOutcome.Failed;

        var g = new LayerGeometry
        {
            // With one input position along an axis the stride multiplies nothing: 1 keeps the kernels' arithmetic small.
            InChannels = inC, OutChannels = outC, KernelH = kh, KernelW = kw, StrideH = inH == 1 ? 1 : sh, StrideW = inW == 1 ? 1 : sw,
            PadTop = ph, PadBottom = ph, PadLeft = pw, PadRight = pw, DilationH = dh, DilationW = dw,
            OutputPaddingH = oph, OutputPaddingW = opw, Groups = groups, Bias = bias,
        };
        long perInput = CheckedSize.Product(outC / Math.Max(1, groups), kh, kw);
        return new LayerOutcome(output, g, CheckedSize.Add(CheckedSize.Multiply(inC, perInput), bias ? outC : 0), CheckedSize.Product(inC, inH, inW, perInput));
    }

    /// <summary>
    /// The stride the kernels are given: the declared one, or the padded extent when that is smaller. A stride past
    /// the padded input leaves one window (PyTorch computes the same single output, in ceil mode too, as the padded
    /// extent is at least input + padding), so the runtime's index arithmetic never meets a stride past the extent
    /// limit, nor stride phases past it (int.MaxValue² of them).
    /// </summary>
    private static int StrideWithin(int stride, long paddedExtent) => (int)Math.Min(stride, paddedExtent);

    /// <summary>The arguments every convolution has, read and checked once (channels, kernel, stride, dilation, groups, bias).</summary>
    private static (int Rank, int InC, int InH, int InW, int OutC, int KH, int KW, int SH, int SW, int DH, int DW, int Groups, bool Bias) ReadCommon(ArgumentReader a, Shape x)
    {
        int rank = a.Layer.Kind.SpatialRank();
        int inC = x[0];
        (int inH, int inW) = SpatialOf(x);
        int outC = a.Int("OutChannels", 1, min: 1);
        CheckDeclaredChannels(a, "InChannels", "in_channels", inC, x);
        (int kh, int kw) = a.Tuple("KernelSize", rank, (1, 1), 1, "kernel_size");
        (int sh, int sw) = a.Tuple("Stride", rank, (1, 1), 1, "stride");
        (int dh, int dw) = a.Tuple("Dilation", rank, (1, 1), 1, "dilation");
        int groups = a.Int("Groups", 1, min: 1);
        bool bias = a.Bool("Bias", true);
        CheckGroups(a, groups, inC, outC);
        return (rank, inC, inH, inW, outC, kh, kw, sh, sw, dh, dw, groups, bias);
    }

    /// <summary>CG0004: a declared channel count (PyTorch's first argument) that contradicts the inferred one.</summary>
    private static void CheckDeclaredChannels(ArgumentReader a, string argument, string torchName, int inferred, Shape x)
    {
        if (!a.Has(argument)) return;
        int declared = a.Int(argument, inferred, min: 1);
        if (declared == inferred) return;
        a.Report(DiagnosticDescriptors.ShapeMismatchId, a.SpanOf(argument),
            $"{a.Who}: {torchName} is {declared}, but the input {x} has {inferred} {Plural(inferred, "channel")}; write {inferred}, or drop the argument to have it inferred");
    }

    /// <summary>CG0004: groups must divide both channel counts.</summary>
    private static void CheckGroups(ArgumentReader a, int groups, int inC, int outC)
    {
        if (inC % groups == 0 && outC % groups == 0) return;
        string which = inC % groups != 0 && outC % groups != 0 ? $"the {inC} input and the {outC} output channels"
            : inC % groups != 0 ? $"the {inC} input channels" : $"the {outC} output channels";
        a.Report(DiagnosticDescriptors.ShapeMismatchId, a.SpanOf("Groups"),
            $"{a.Who}: groups {groups} does not divide {which}; groups must divide both {inC} and {outC}: use one of {CommonDivisors(inC, outC)}");
    }

    /// <summary>CG0003 for the padding modes PyTorch restricts: reflect needs pad &lt; size, circular pad &lt;= size.</summary>
    private static void CheckPaddingMode(ArgumentReader a, string mode, int inH, int inW, long top, long bottom, long left, long right, int rank)
    {
        long padH = Math.Max(top, bottom), padW = Math.Max(left, right);
        bool badH = rank == 2 && (mode == "reflect" ? padH >= inH : mode == "circular" && padH > inH);
        bool badW = mode == "reflect" ? padW >= inW : mode == "circular" && padW > inW;
        if (!badH && !badW) return;
        long pad = badH ? padH : padW;
        int size = badH ? inH : inW;
        string rule = mode == "reflect" ? "smaller than" : "at most";
        a.Report(DiagnosticDescriptors.InvalidPaddingId, a.SpanOfFirst("Padding", "PaddingMode"),
            $"{a.Who}: {mode} padding {pad} must be {rule} the input size {size} along that axis; use padding {(mode == "reflect" ? size - 1 : size)} at most, or PaddingMode = \"replicate\"");
    }

    /// <summary>CG0001: kernel (with dilation) larger than the padded input.</summary>
    private static void ReportEmpty(ArgumentReader a, Shape x, int rank, int kh, int kw, int dh, int dw, long paddedH, long paddedW, bool rows)
    {
        int k = rows ? kh : kw, d = rows ? dh : dw;
        long padded = rows ? paddedH : paddedW;
        long span = (long)d * (k - 1) + 1;
        string what = rows ? "rows" : (rank == 1 ? "positions" : "columns");
        string dilation = d > 1 ? $" (dilation {d})" : "";
        long neededPad = (span - padded + 1) / 2;
        a.Report(DiagnosticDescriptors.EmptyOutputId, a.SpanOf(d > 1 && a.Has("Dilation") ? "Dilation" : "KernelSize"),
            $"{a.Who}: the {KernelText(kh, kw, rank)} kernel{dilation} spans {span} {what}, but the padded input has only {padded} (input {x}); the output would be empty. " +
            $"Use a kernel of at most {Math.Max(1, (padded - 1) / d + 1)} {what}, or {neededPad} more padding");
    }

    /// <summary>
    /// CG0002: (in + pads - d*(k-1) - 1) mod s != 0 leaves the last rows/columns of the padded input unread. Only
    /// rows of the input itself count: when the unread rows are all end padding (a 3×3 stride-2 conv with padding 1
    /// on an even size), nothing is lost and nothing is reported; nor when the window is narrower than the stride,
    /// which skips rows between every two windows anyway. The fix names the smallest padding and the largest
    /// smaller stride that use every row (and, for pooling, ceil mode), each found in bounded time.
    /// </summary>
    private static void ReportUnread(ArgumentReader a, Shape x, int rank, long effH, long effW, int sh, int sw, long padH, long padW,
        long padBottom, long padRight, long spanH, long spanW, bool isPool, long maxPad)
    {
        for (int axis = rank == 2 ? 0 : 1; axis < 2; axis++)
        {
            long eff = axis == 0 ? effH : effW, p = axis == 0 ? padH : padW;
            int s = axis == 0 ? sh : sw;
            // A window narrower than the stride (a 1×1 stride-2 shortcut) skips rows everywhere by design, not only at the end.
            if ((axis == 0 ? spanH : spanW) < s) continue;
            long padEnd = axis == 0 ? padBottom : padRight;
            long unread = eff % s - padEnd;
            if (unread <= 0) continue;
            string what = axis == 0 ? "row(s)" : rank == 1 ? "position(s)" : "column(s)";
            var fixes = new List<string>();
            if (PaddingThatReadsAll(eff, s, padEnd) is { } extra && p + extra <= maxPad) fixes.Add($"padding {p + extra}");
            if (LargestStrideThatReadsAll(eff, s) is { } smaller) fixes.Add($"stride {smaller}");
            if (isPool) fixes.Add("CeilMode = true");
            a.Report(DiagnosticDescriptors.UnreadInputId, a.SpanOfFirst("Stride", "KernelSize"),
                $"{a.Who}: stride {s} leaves the last {unread} {what} of the {SpatialText(x)} input unread; {JoinOr(fixes)} would use all of it");
        }
    }

    /// <summary>
    /// The least extra padding e (on both sides, 0 &lt; e &lt; s) after which the windows read every input row:
    /// (eff + 2e) mod s &lt;= padEnd + e. With r = eff mod s &gt; padEnd, no e with r + 2e &lt; s works (r + e &gt; padEnd),
    /// and the first e with r + 2e &gt;= s, ceil((s - r) / 2), does (r + 2e - s &lt;= padEnd + e as e &lt;= s - r).
    /// </summary>
    internal static long? PaddingThatReadsAll(long eff, int s, long padEnd)
    {
        long r = eff % s;
        if (r <= padEnd) return null;
        long extra = (s - r + 1) / 2;
        return extra < s ? extra : null;
    }

    /// <summary>The largest stride below <paramref name="s"/> that divides <paramref name="eff"/> (every stride divides 0), by divisor pairs up to its square root.</summary>
    internal static long? LargestStrideThatReadsAll(long eff, int s)
    {
        if (s <= 1) return null;
        if (eff == 0) return s - 1;
        long best = 0;
        for (long d = 1; d * d <= eff; d++)
        {
            if (eff % d != 0) continue;
            if (d < s) best = Math.Max(best, d);
            if (eff / d < s) best = Math.Max(best, eff / d);
        }
        return best >= 1 ? best : null;
    }

    private static string JoinOr(List<string> items) => items.Count switch
    {
        0 => "a different stride",
        1 => items[0],
        _ => string.Join(", ", items.Take(items.Count - 1)) + " or " + items[items.Count - 1],
    };

    private static string SpatialText(Shape x) => x.Rank == 3 ? $"{x[1]}×{x[2]}" : $"{x[x.Rank - 1]}";
    private static string KernelText(int kh, int kw, int rank) => rank == 2 ? $"{kh}×{kw}" : $"{kw}";
    private static string StrideText(int sh, int sw, int rank) => PairText(sh, sw, rank);
    private static string PairText(long h, long w, int rank) => rank == 2 && h != w ? $"({h}, {w})" : $"{(rank == 2 ? h : w)}";
}
