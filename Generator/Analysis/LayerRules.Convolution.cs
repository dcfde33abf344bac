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

        int top, bottom, left, right;
        Argument? padding = a.Layer.Find("Padding");
        if (padding?.Value.Kind == ArgKind.String)
        {
            string choice = a.Choice("Padding", "valid", "same", "valid");
            if (choice == "same")
            {
                if (sh > 1 || sw > 1)
                {
                    a.Report(DiagnosticDescriptors.InvalidPaddingId, padding.Span,
                        $"{a.Who}: padding \"same\" needs stride 1, as in PyTorch; this layer has stride {StrideText(sh, sw, rank)}. " +
                        $"Write the padding out instead: Padding = {PairText((dh * (kh - 1)) / 2, (dw * (kw - 1)) / 2, rank)} keeps a {KernelText(kh, kw, rank)} kernel centred");
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
            ReportEmpty(a, x, rank, kh, kw, dh, dw, inH + top + bottom, inW + left + right, effH < 0);
            return LayerOutcome.Failed;
        }
        int outH = effH / sh + 1, outW = effW / sw + 1;
        ReportUnread(a, x, rank, effH, effW, sh, sw, top, left, bottom, right, dh * (kh - 1) + 1, dw * (kw - 1) + 1, isPool: false, maxPad: int.MaxValue);

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
            a.Report(DiagnosticDescriptors.OutputPaddingId, a.SpanOf("OutputPadding"),
                $"{a.Who}: output_padding {PairText(oph, opw, rank)} must be smaller than the stride {StrideText(sh, sw, rank)} or the dilation {PairText(dh, dw, rank)} (PyTorch's rule); " +
                $"use OutputPadding = {PairText(Math.Max(0, Math.Max(sh, dh) - 1), Math.Max(0, Math.Max(sw, dw) - 1), rank)} at most");
        }
        if (kh % sh != 0 || kw % sw != 0)
        {
            int k = kh % sh != 0 ? kh : kw, s = kh % sh != 0 ? sh : sw;
            a.Report(DiagnosticDescriptors.CheckerboardId, a.SpanOf("KernelSize"),
                $"{a.Who}: kernel {KernelText(kh, kw, rank)} is not divisible by stride {StrideText(sh, sw, rank)}, so output pixels get uneven numbers of contributions (checkerboard artifacts); " +
                $"use kernel {(k / s + 1) * s} or {Math.Max(s, k / s * s)} with stride {s}, or upsample then convolve");
        }

        int outH = (inH - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1;
        int outW = (inW - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1;
        if (outH < 1 || outW < 1)
        {
            a.Report(DiagnosticDescriptors.EmptyOutputId, a.SpanOf("Padding"),
                $"{a.Who}: padding {PairText(ph, pw, rank)} removes more than the {PairText((inH - 1) * sh + dh * (kh - 1) + 1, (inW - 1) * sw + dw * (kw - 1) + 1, rank)} the layer produces from its {x} input; the output would be empty. Use less padding");
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
    private static void CheckPaddingMode(ArgumentReader a, string mode, int inH, int inW, int top, int bottom, int left, int right, int rank)
    {
        int padH = Math.Max(top, bottom), padW = Math.Max(left, right);
        bool badH = rank == 2 && (mode == "reflect" ? padH >= inH : mode == "circular" && padH > inH);
        bool badW = mode == "reflect" ? padW >= inW : mode == "circular" && padW > inW;
        if (!badH && !badW) return;
        int pad = badH ? padH : padW, size = badH ? inH : inW;
        string rule = mode == "reflect" ? "smaller than" : "at most";
        a.Report(DiagnosticDescriptors.InvalidPaddingId, a.SpanOfFirst("Padding", "PaddingMode"),
            $"{a.Who}: {mode} padding {pad} must be {rule} the input size {size} along that axis; use padding {(mode == "reflect" ? size - 1 : size)} at most, or PaddingMode = \"replicate\"");
    }

    /// <summary>CG0001: kernel (with dilation) larger than the padded input.</summary>
    private static void ReportEmpty(ArgumentReader a, Shape x, int rank, int kh, int kw, int dh, int dw, int paddedH, int paddedW, bool rows)
    {
        int k = rows ? kh : kw, d = rows ? dh : dw, padded = rows ? paddedH : paddedW;
        int span = d * (k - 1) + 1;
        string what = rows ? "rows" : (rank == 1 ? "positions" : "columns");
        string dilation = d > 1 ? $" (dilation {d})" : "";
        int neededPad = (span - padded + 1) / 2;
        a.Report(DiagnosticDescriptors.EmptyOutputId, a.SpanOf(d > 1 && a.Has("Dilation") ? "Dilation" : "KernelSize"),
            $"{a.Who}: the {KernelText(kh, kw, rank)} kernel{dilation} spans {span} {what}, but the padded input has only {padded} (input {x}); the output would be empty. " +
            $"Use a kernel of at most {Math.Max(1, (padded - 1) / d + 1)} {what}, or {neededPad} more padding");
    }

    /// <summary>
    /// CG0002: (in + pads - d*(k-1) - 1) mod s != 0 leaves the last rows/columns of the padded input unread. Only
    /// rows of the input itself count: when the unread rows are all end padding (a 3×3 stride-2 conv with padding 1
    /// on an even size), nothing is lost and nothing is reported; nor when the window is narrower than the stride,
    /// which skips rows between every two windows anyway. The fix names the smallest padding and the largest
    /// smaller stride that use every row (and, for pooling, ceil mode).
    /// </summary>
    private static void ReportUnread(ArgumentReader a, Shape x, int rank, int effH, int effW, int sh, int sw, int padH, int padW,
        int padBottom, int padRight, int spanH, int spanW, bool isPool, int maxPad)
    {
        for (int axis = rank == 2 ? 0 : 1; axis < 2; axis++)
        {
            int eff = axis == 0 ? effH : effW, s = axis == 0 ? sh : sw, p = axis == 0 ? padH : padW;
            // A window narrower than the stride (a 1×1 stride-2 shortcut) skips rows everywhere by design, not only at the end.
            if ((axis == 0 ? spanH : spanW) < s) continue;
            int padEnd = axis == 0 ? padBottom : padRight;
            int unread = eff % s - padEnd;
            if (unread <= 0) continue;
            string what = axis == 0 ? "row(s)" : rank == 1 ? "position(s)" : "column(s)";
            var fixes = new List<string>();
            for (int extra = 1; extra < s && p + extra <= maxPad; extra++)
                if ((eff + 2 * extra) % s <= padEnd + extra) { fixes.Add($"padding {p + extra}"); break; }
            for (int smaller = s - 1; smaller >= 1; smaller--)
                if (eff % smaller == 0) { fixes.Add($"stride {smaller}"); break; }
            if (isPool) fixes.Add("CeilMode = true");
            a.Report(DiagnosticDescriptors.UnreadInputId, a.SpanOfFirst("Stride", "KernelSize"),
                $"{a.Who}: stride {s} leaves the last {unread} {what} of the {SpatialText(x)} input unread; {JoinOr(fixes)} would use all of it");
        }
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
    private static string PairText(int h, int w, int rank) => rank == 2 && h != w ? $"({h}, {w})" : $"{(rank == 2 ? h : w)}";
}
