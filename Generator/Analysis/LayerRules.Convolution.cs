using ConvGen.Generator.Diagnostics;
using ConvGen.Generator.Model;
using static ConvGen.Generator.Diagnostics.DiagnosticDescriptors;

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
                    // What PyTorch users mean: the centred padding d*(k-1)/2 written out (exact for odd kernels).
                    DiagnosticInfo same = SamePaddingWithStride.At(padding.Span, a.Who, StrideText(sh, sw, rank), PairText(totalH / 2, totalW / 2, rank), KernelText(kh, kw, rank));
                    if (totalH / 2 <= int.MaxValue && totalW / 2 <= int.MaxValue)
                        same = same.WithFix(FixProposal.Set(a.Layer, "Padding", PerAxis(rank, (int)(totalH / 2), (int)(totalW / 2))));
                    a.Report(same);
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
            bool intPadding = padding is null || padding.Value.IsInteger;
            ReportEmpty(a, x, rank, (kh, kw), (dh, dw), (paddedH, paddedW), intPadding ? (top, left) : null);
            return LayerOutcome.Failed;
        }
        if (!Limits.Extent(a, a.SpanOfFirst("Padding", "Dilation", "KernelSize"), $"the {SpatialText(x)} input with its padding", Math.Max(paddedH, paddedW),
                "Use less padding (or, with \"same\", a smaller dilation or kernel)"))
            return LayerOutcome.Failed;
        long outH = effH / sh + 1, outW = effW / sw + 1;
        if (padding?.Value.Kind != ArgKind.String || padding.Value.Text == "valid")
            ReportUnread(a, x, rank, (effH, effW), (sh, sw), (top, left), (bottom, right), ((long)dh * (kh - 1) + 1, (long)dw * (kw - 1) + 1), isPool: false, maxPad: int.MaxValue);
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
            int maxH = Math.Max(0, Math.Max(sh, dh) - 1), maxW = Math.Max(0, Math.Max(sw, dw) - 1);
            a.Report(OutputPaddingTooLarge.At(a.SpanOf("OutputPadding"), a.Who, PairText(oph, opw, rank), StrideText(sh, sw, rank), PairText(dh, dw, rank), PairText(maxH, maxW, rank))
                .WithFix(FixProposal.Set(a.Layer, "OutputPadding", PerAxis(rank, Math.Min(oph, maxH), Math.Min(opw, maxW)))));
        }
        if (kh % sh != 0 || kw % sw != 0)
        {
            // Per axis at fault, the nearest kernels that the stride divides: one larger, one smaller (not below the stride).
            long upH = kh % sh == 0 ? kh : (kh / sh + 1) * (long)sh, upW = kw % sw == 0 ? kw : (kw / sw + 1) * (long)sw;
            int downH = kh % sh == 0 ? kh : Math.Max(sh, kh / sh * sh), downW = kw % sw == 0 ? kw : Math.Max(sw, kw / sw * sw);
            var fixes = new List<FixProposal>();
            if (upH <= int.MaxValue && upW <= int.MaxValue) fixes.Add(KernelFix(a, rank, (int)upH, (int)upW));
            if ((downH, downW) != (upH, upW)) fixes.Add(KernelFix(a, rank, downH, downW));
            string options = (downH, downW) != (upH, upW) ? $"kernel {PairText(upH, upW, rank)} or {KernelText(downH, downW, rank)}" : $"kernel {PairText(upH, upW, rank)}";
            a.Report(Checkerboard.At(a.SpanOf("KernelSize"), a.Who, KernelText(kh, kw, rank), StrideText(sh, sw, rank), options).WithFixes(fixes));
        }

        // What the layer produces before the padding is cropped, in 64 bits: stride, kernel and dilation may be int.MaxValue.
        long producedH = (long)(inH - 1) * sh + (long)dh * (kh - 1) + 1, producedW = (long)(inW - 1) * sw + (long)dw * (kw - 1) + 1;
        long outH = producedH - 2L * ph + oph, outW = producedW - 2L * pw + opw;
        if (outH < 1 || outW < 1)
        {
            // out = produced - 2p + output_padding >= 1.
            int maxH = (int)Math.Min(ph, Math.Max(0, (producedH + oph - 1) / 2)), maxW = (int)Math.Min(pw, Math.Max(0, (producedW + opw - 1) / 2));
            a.Report(TransposedPaddingTooLarge.At(a.SpanOf("Padding"), a.Who, PairText(ph, pw, rank), PairText(producedH, producedW, rank), x.ToString(), PairText(maxH, maxW, rank))
                .WithFix(FixProposal.Set(a.Layer, "Padding", PerAxis(rank, maxH, maxW))));
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
        int declared = a.Int(argument, inferred, min: 1, fix: $"Write {inferred} (the input's channels), or drop the argument to have it inferred");
        if (declared == inferred) return;
        a.Report(DeclaredSizeMismatch.At(a.SpanOf(argument), a.Who, torchName, declared, x.ToString(), inferred, Plural(inferred, "channel"))
            .WithFix(FixProposal.Set(a.Layer, argument, ArgValue.FromInt(inferred), $"Use {torchName} = {inferred}")));
    }

    /// <summary>CG0004: groups must divide both channel counts.</summary>
    private static void CheckGroups(ArgumentReader a, int groups, int inC, int outC)
    {
        if (inC % groups == 0 && outC % groups == 0) return;
        string which = inC % groups != 0 && outC % groups != 0 ? $"the {inC} input and the {outC} output channels"
            : inC % groups != 0 ? $"the {inC} input channels" : $"the {outC} output channels";
        a.Report(GroupsDoNotDivide.At(a.SpanOf("Groups"), a.Who, groups, which, inC, outC, CommonDivisors(inC, outC))
            .WithFixes(NearestDivisors(groups, inC, outC).Select(g => FixProposal.Set(a.Layer, "Groups", ArgValue.FromInt(g)))));
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
        int limitH = mode == "reflect" ? inH - 1 : inH, limitW = mode == "reflect" ? inW - 1 : inW;
        var fixes = new List<FixProposal>();
        if (a.Layer.Find("Padding")?.Value.IsInteger != false)
            fixes.Add(FixProposal.Set(a.Layer, "Padding", PerAxis(rank, (int)Math.Min(padH, limitH), (int)Math.Min(padW, limitW))));
        fixes.Add(FixProposal.Set(a.Layer, "PaddingMode", ArgValue.FromString("replicate")));
        a.Report(PaddingModeTooLarge.At(a.SpanOfFirst("Padding", "PaddingMode"), a.Who, mode, pad, rule, size, badH ? limitH : limitW).WithFixes(fixes));
    }

    /// <summary>
    /// CG0001: kernel (with dilation) larger than the padded input. The message leads with the argument at fault: the
    /// dilation when it is more than 1, else the kernel; the fixes cover every axis at fault (a smaller dilation, a smaller
    /// kernel, or, where the padding is a number, more padding).
    /// </summary>
    private static void ReportEmpty(ArgumentReader a, Shape x, int rank, (int H, int W) k, (int H, int W) d, (long H, long W) padded, (long H, long W)? padding)
    {
        long Span(int kk, int dd) => (long)dd * (kk - 1) + 1;
        bool badH = rank == 2 && Span(k.H, d.H) > padded.H, badW = Span(k.W, d.W) > padded.W;
        bool rows = badH;
        int kk = rows ? k.H : k.W, dd = rows ? d.H : d.W;
        long pp = rows ? padded.H : padded.W;
        string what = rows ? "rows" : (rank == 1 ? "positions" : "columns");
        bool dilated = dd > 1 && a.Has("Dilation");

        // Largest dilation and kernel that fit, per axis at fault; the padding that makes the input as wide as the window.
        int FitDilation(int kernel, long size, int dilation) => kernel > 1 ? (int)Math.Max(1, Math.Min(dilation, (size - 1) / (kernel - 1))) : dilation;
        int FitKernel(int kernel, long size, int dilation) => (int)Math.Max(1, Math.Min(kernel, (size - 1) / dilation + 1));
        long MorePadding(int kernel, long size, int dilation) => Math.Max(0, (Span(kernel, dilation) - size + 1) / 2);
        (int H, int W) fitD = (badH ? FitDilation(k.H, padded.H, d.H) : d.H, badW ? FitDilation(k.W, padded.W, d.W) : d.W);
        (int H, int W) fitK = (badH ? FitKernel(k.H, padded.H, d.H) : k.H, badW ? FitKernel(k.W, padded.W, d.W) : k.W);

        var fixes = new List<FixProposal>();
        var advice = new List<string>();
        if (dilated)
        {
            fixes.Add(FixProposal.Set(a.Layer, "Dilation", PerAxis(rank, fitD.H, fitD.W)));
            advice.Add($"dilation {(rows ? fitD.H : fitD.W)} at most");
        }
        fixes.Add(KernelFix(a, rank, fitK.H, fitK.W));
        advice.Add($"a kernel of at most {(rows ? fitK.H : fitK.W)} {what}");
        if (padding is { } p)
        {
            long extra = MorePadding(kk, pp, dd);
            long moreH = badH ? p.H + MorePadding(k.H, padded.H, d.H) : p.H, moreW = badW ? p.W + MorePadding(k.W, padded.W, d.W) : p.W;
            if (moreH <= int.MaxValue && moreW <= int.MaxValue) fixes.Add(FixProposal.Set(a.Layer, "Padding", PerAxis(rank, (int)moreH, (int)moreW)));
            advice.Add($"{extra} more padding");
        }
        string dilationNote = dd > 1 ? $" (dilation {dd})" : "";
        a.Report(KernelLargerThanInput.At(a.SpanOf(dilated ? "Dilation" : "KernelSize"), a.Who, KernelText(k.H, k.W, rank), dilationNote, Span(kk, dd), what, $"{pp} (input {x})",
            $"Use {JoinOr(advice)}").WithFixes(fixes));
    }

    /// <summary>
    /// CG0002: (in + pads - d*(k-1) - 1) mod s != 0 leaves the last rows/columns of the padded input unread. Only
    /// rows of the input itself count: when the unread rows are all end padding (a 3×3 stride-2 conv with padding 1
    /// on an even size), nothing is lost and nothing is reported; nor when the window is narrower than the stride,
    /// which skips rows between every two windows anyway. One diagnostic per layer, naming every axis at fault; the fixes
    /// are the smallest padding and the largest smaller stride that use every row (and, for pooling, ceil mode), each
    /// found in bounded time.
    /// </summary>
    private static void ReportUnread(ArgumentReader a, Shape x, int rank, (long H, long W) eff, (int H, int W) stride, (long H, long W) pad,
        (long H, long W) padEnd, (long H, long W) window, bool isPool, long maxPad)
    {
        long Unread(long e, int s, long end, long w) => w < s ? 0 : e % s - end;
        long unreadH = rank == 2 ? Unread(eff.H, stride.H, padEnd.H, window.H) : 0, unreadW = Unread(eff.W, stride.W, padEnd.W, window.W);
        if (unreadH <= 0 && unreadW <= 0) return;

        var fixes = new List<FixProposal>();
        var advice = new List<string>();
        long? Padding(long e, int s, long p, long end) => PaddingThatReadsAll(e, s, end) is { } extra && p + extra <= maxPad ? p + extra : null;
        long? padH = unreadH > 0 ? Padding(eff.H, stride.H, pad.H, padEnd.H) : pad.H, padW = unreadW > 0 ? Padding(eff.W, stride.W, pad.W, padEnd.W) : pad.W;
        if (padH is { } ph && padW is { } pw)
        {
            fixes.Add(FixProposal.Set(a.Layer, "Padding", PerAxis(rank, (int)ph, (int)pw)));
            advice.Add($"padding {PairText(ph, pw, rank)}");
        }
        long? sh = unreadH > 0 ? LargestStrideThatReadsAll(eff.H, stride.H) : stride.H, sw = unreadW > 0 ? LargestStrideThatReadsAll(eff.W, stride.W) : stride.W;
        if (sh is { } s1 && sw is { } s2)
        {
            fixes.Add(FixProposal.Set(a.Layer, "Stride", PerAxis(rank, (int)s1, (int)s2)));
            advice.Add($"stride {PairText(s1, s2, rank)}");
        }
        if (isPool)
        {
            fixes.Add(FixProposal.Set(a.Layer, "CeilMode", ArgValue.FromBool(true)));
            advice.Add("CeilMode = true");
        }
        string rows = Count(unreadH, "row"), columns = Count(unreadW, rank == 1 ? "position" : "column");
        string unread = unreadH > 0 && unreadW > 0 ? rows + " and " + columns : unreadH > 0 ? rows : columns;
        a.Report(UnreadInput.At(a.SpanOfFirst("Stride", "KernelSize"), a.Who, StrideText(stride.H, stride.W, rank), unread, SpatialText(x), JoinOr(advice)).WithFixes(fixes));
    }

    private static FixProposal KernelFix(ArgumentReader a, int rank, int kh, int kw) =>
        FixProposal.Set(a.Layer, "KernelSize", PerAxis(rank, kh, kw), $"Use kernel {KernelText(kh, kw, rank)}");

    /// <summary>A per-axis value for a layer of <paramref name="rank"/> spatial axes (1-D layers use the W value).</summary>
    private static ArgValue PerAxis(int rank, int h, int w) => rank == 2 ? ArgumentReader.TupleValue(h, w) : ArgValue.FromInt(w);

    private static string Count(long n, string one) => n == 1 ? $"1 {one}" : $"{n} {one}s";

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
