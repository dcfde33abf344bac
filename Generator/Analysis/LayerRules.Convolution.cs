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

        int top, bottom, left, right;
        Argument? padding = a.Layer.Find("Padding");
        if (padding?.Value.Kind == ArgKind.String)
        {
            string choice = a.Choice("Padding", "valid", "same", "valid");
            if (choice == "same")
            {
                if (sh > 1 || sw > 1)
                {
                    // What PyTorch users mean: the centred padding d*(k-1)/2 written out (exact for odd kernels).
                    ArgValue explicitPadding = rank == 2 ? ArgumentReader.TupleValue(dh * (kh - 1) / 2, dw * (kw - 1) / 2) : ArgValue.FromInt(dw * (kw - 1) / 2);
                    a.Report(SamePaddingWithStride.At(padding.Span, a.Who, StrideText(sh, sw, rank), PairText(dh * (kh - 1) / 2, dw * (kw - 1) / 2, rank), KernelText(kh, kw, rank))
                        .WithFix(FixProposal.Set(a.Layer, "Padding", explicitPadding)));
                }
                // PyTorch puts the odd padding pixel at the end (bottom/right).
                top = dh * (kh - 1) / 2; bottom = dh * (kh - 1) - top;
                left = dw * (kw - 1) / 2; right = dw * (kw - 1) - left;
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

        int effH = inH + top + bottom - dh * (kh - 1) - 1;
        int effW = inW + left + right - dw * (kw - 1) - 1;
        if (effH < 0 || effW < 0)
        {
            bool intPadding = padding is null || padding.Value.IsInteger;
            ReportEmpty(a, x, rank, (kh, kw), (dh, dw), (inH + top + bottom, inW + left + right), intPadding ? (top, left) : null);
            return LayerOutcome.Failed;
        }
        int outH = effH / sh + 1, outW = effW / sw + 1;
        if (padding?.Value.Kind != ArgKind.String || padding.Value.Text == "valid")
            ReportUnread(a, x, rank, (effH, effW), (sh, sw), (top, left), (bottom, right), (dh * (kh - 1) + 1, dw * (kw - 1) + 1), isPool: false, maxPad: int.MaxValue);

        var g = new LayerGeometry
        {
            InChannels = inC, OutChannels = outC, KernelH = kh, KernelW = kw, StrideH = sh, StrideW = sw,
            PadTop = top, PadBottom = bottom, PadLeft = left, PadRight = right, DilationH = dh, DilationW = dw,
            Groups = groups, Bias = bias, PaddingMode = mode,
        };
        long perOutput = (long)(inC / Math.Max(1, groups)) * kh * kw;
        long parameters = outC * perOutput + (bias ? outC : 0);
        long macs = (long)outC * outH * outW * perOutput;
        return new LayerOutcome(WithSpatial(outC, rank, outH, outW), g, parameters, macs);
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
            int upH = kh % sh == 0 ? kh : (kh / sh + 1) * sh, upW = kw % sw == 0 ? kw : (kw / sw + 1) * sw;
            int downH = kh % sh == 0 ? kh : Math.Max(sh, kh / sh * sh), downW = kw % sw == 0 ? kw : Math.Max(sw, kw / sw * sw);
            var fixes = new List<FixProposal> { KernelFix(a, rank, upH, upW) };
            if ((downH, downW) != (upH, upW)) fixes.Add(KernelFix(a, rank, downH, downW));
            string options = (downH, downW) != (upH, upW) ? $"kernel {KernelText(upH, upW, rank)} or {KernelText(downH, downW, rank)}" : $"kernel {KernelText(upH, upW, rank)}";
            a.Report(Checkerboard.At(a.SpanOf("KernelSize"), a.Who, KernelText(kh, kw, rank), StrideText(sh, sw, rank), options).WithFixes(fixes));
        }

        int outH = (inH - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1;
        int outW = (inW - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1;
        if (outH < 1 || outW < 1)
        {
            int producedH = (inH - 1) * sh + dh * (kh - 1) + oph + 1, producedW = (inW - 1) * sw + dw * (kw - 1) + opw + 1;
            // out = produced - 2p >= 1.
            int maxH = Math.Min(ph, (producedH - 1) / 2), maxW = Math.Min(pw, (producedW - 1) / 2);
            a.Report(TransposedPaddingTooLarge.At(a.SpanOf("Padding"), a.Who, PairText(ph, pw, rank), PairText(producedH, producedW, rank), x.ToString(), PairText(maxH, maxW, rank))
                .WithFix(FixProposal.Set(a.Layer, "Padding", PerAxis(rank, maxH, maxW))));
            return LayerOutcome.Failed;
        }

        var g = new LayerGeometry
        {
            InChannels = inC, OutChannels = outC, KernelH = kh, KernelW = kw, StrideH = sh, StrideW = sw,
            PadTop = ph, PadBottom = ph, PadLeft = pw, PadRight = pw, DilationH = dh, DilationW = dw,
            OutputPaddingH = oph, OutputPaddingW = opw, Groups = groups, Bias = bias,
        };
        long perInput = (long)(outC / Math.Max(1, groups)) * kh * kw;
        return new LayerOutcome(WithSpatial(outC, rank, outH, outW), g, inC * perInput + (bias ? outC : 0), (long)inC * inH * inW * perInput);
    }

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
    private static void CheckPaddingMode(ArgumentReader a, string mode, int inH, int inW, int top, int bottom, int left, int right, int rank)
    {
        int padH = Math.Max(top, bottom), padW = Math.Max(left, right);
        bool badH = rank == 2 && (mode == "reflect" ? padH >= inH : mode == "circular" && padH > inH);
        bool badW = mode == "reflect" ? padW >= inW : mode == "circular" && padW > inW;
        if (!badH && !badW) return;
        int pad = badH ? padH : padW, size = badH ? inH : inW;
        string rule = mode == "reflect" ? "smaller than" : "at most";
        int limitH = mode == "reflect" ? inH - 1 : inH, limitW = mode == "reflect" ? inW - 1 : inW;
        var fixes = new List<FixProposal>();
        if (a.Layer.Find("Padding")?.Value.IsInteger != false)
            fixes.Add(FixProposal.Set(a.Layer, "Padding", PerAxis(rank, Math.Min(padH, limitH), Math.Min(padW, limitW))));
        fixes.Add(FixProposal.Set(a.Layer, "PaddingMode", ArgValue.FromString("replicate")));
        a.Report(PaddingModeTooLarge.At(a.SpanOfFirst("Padding", "PaddingMode"), a.Who, mode, pad, rule, size, badH ? limitH : limitW).WithFixes(fixes));
    }

    /// <summary>
    /// CG0001: kernel (with dilation) larger than the padded input. The message leads with the argument at fault: the
    /// dilation when it is more than 1, else the kernel; the fixes cover every axis at fault (a smaller dilation, a smaller
    /// kernel, or, where the padding is a number, more padding).
    /// </summary>
    private static void ReportEmpty(ArgumentReader a, Shape x, int rank, (int H, int W) k, (int H, int W) d, (int H, int W) padded, (int H, int W)? padding)
    {
        int Span(int kk, int dd) => dd * (kk - 1) + 1;
        bool badH = rank == 2 && Span(k.H, d.H) > padded.H, badW = Span(k.W, d.W) > padded.W;
        bool rows = badH;
        int kk = rows ? k.H : k.W, dd = rows ? d.H : d.W, pp = rows ? padded.H : padded.W;
        string what = rows ? "rows" : (rank == 1 ? "positions" : "columns");
        bool dilated = dd > 1 && a.Has("Dilation");

        // Largest dilation and kernel that fit, per axis at fault; the padding that makes the input as wide as the window.
        int FitDilation(int kernel, int size, int dilation) => kernel > 1 ? Math.Max(1, Math.Min(dilation, (size - 1) / (kernel - 1))) : dilation;
        int FitKernel(int kernel, int size, int dilation) => Math.Max(1, Math.Min(kernel, (size - 1) / dilation + 1));
        int MorePadding(int kernel, int size, int dilation) => Math.Max(0, (Span(kernel, dilation) - size + 1) / 2);
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
            int extra = MorePadding(kk, pp, dd);
            (int H, int W) more = (badH ? p.H + MorePadding(k.H, padded.H, d.H) : p.H, badW ? p.W + MorePadding(k.W, padded.W, d.W) : p.W);
            fixes.Add(FixProposal.Set(a.Layer, "Padding", PerAxis(rank, more.H, more.W)));
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
    /// are the smallest padding and the largest smaller stride that use every row (and, for pooling, ceil mode).
    /// </summary>
    private static void ReportUnread(ArgumentReader a, Shape x, int rank, (int H, int W) eff, (int H, int W) stride, (int H, int W) pad,
        (int H, int W) padEnd, (int H, int W) window, bool isPool, int maxPad)
    {
        int Unread(int e, int s, int end, int w) => w < s ? 0 : e % s - end;
        int unreadH = rank == 2 ? Unread(eff.H, stride.H, padEnd.H, window.H) : 0, unreadW = Unread(eff.W, stride.W, padEnd.W, window.W);
        if (unreadH <= 0 && unreadW <= 0) return;

        // Per axis at fault: the smallest padding, and the largest smaller stride, that leave nothing unread.
        int? MorePadding(int e, int s, int p, int end)
        {
            for (int extra = 1; extra < s && p + extra <= maxPad; extra++)
                if ((e + 2 * extra) % s <= end + extra) return p + extra;
            return null;
        }
        int SmallerStride(int e, int s, int end)
        {
            for (int smaller = s - 1; smaller > 1; smaller--)
                if (e % smaller <= end) return smaller;
            return 1;
        }
        var fixes = new List<FixProposal>();
        var advice = new List<string>();
        int? padH = unreadH > 0 ? MorePadding(eff.H, stride.H, pad.H, padEnd.H) : pad.H, padW = unreadW > 0 ? MorePadding(eff.W, stride.W, pad.W, padEnd.W) : pad.W;
        if (padH is { } ph && padW is { } pw)
        {
            fixes.Add(FixProposal.Set(a.Layer, "Padding", PerAxis(rank, ph, pw)));
            advice.Add($"padding {PairText(ph, pw, rank)}");
        }
        int sh = unreadH > 0 ? SmallerStride(eff.H, stride.H, padEnd.H) : stride.H, sw = unreadW > 0 ? SmallerStride(eff.W, stride.W, padEnd.W) : stride.W;
        fixes.Add(FixProposal.Set(a.Layer, "Stride", PerAxis(rank, sh, sw)));
        advice.Add($"stride {PairText(sh, sw, rank)}");
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

    private static string Count(int n, string one) => $"{n} {Plural(n, one)}";

    private static string JoinOr(List<string> items) => items.Count switch
    {
        0 => "a different stride",
        1 => items[0],
        _ => string.Join(", ", items.Take(items.Count - 1)) + " or " + items[items.Count - 1],
    };

    private static string SpatialText(Shape x) => x.Rank == 3 ? $"{x[1]}×{x[2]}" : $"{x[x.Rank - 1]}";
    private static string KernelText(int kh, int kw, int rank) => rank == 2 ? $"{kh}×{kw}" : $"{kw}";
    private static string StrideText(int sh, int sw, int rank) => PairText(sh, sw, rank);
    private static string PairText(int h, int w, int rank) => rank == 2 && h != w ? $"({h}, {w})" : $"{(rank == 2 ? h : w)}";
}
