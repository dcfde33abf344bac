using System.Diagnostics;
using ConvGen.Runtime.Simd;

namespace ConvGen.Runtime.Kernels;

// The in-place path (ReadsInPlace): at 512 bits a position of the blocked input is one vector, so the tiles of a
// three-wide kernel at stride 2 read the input rows themselves, with no ring of padded copies (which cost about as much
// as the multiply-adds they feed at stride 2). Columns next to the left and right padding run one position at a time;
// rows next to the top and bottom padding read a zero-padded copy of each tile's taps, built in the workspace.
public static partial class DepthwiseConv2d
{
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void ConvolveInPlace<TOps, TVec, TPositions, TAct>(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packed,
        ReadOnlySpan<float> residual, Span<float> edge, in Conv2dGeometry g, TAct act)
        where TOps : IVectorOps<TVec> where TVec : struct where TPositions : struct, IConstant where TAct : struct, IActivation
    {
        Debug.Assert(TOps.Count == Blocked16.Lanes && ReadsInPlace(g) && TPositions.Value == TilePositions(g));
        const int stride = 2;
        const int lanes = Blocked16.Lanes;
        int blocks = Blocked16.Blocks(g.OutChannels), kh = g.KernelHeight, taps = kh * 3, p = TPositions.Value;
        int h = g.InHeight, w = g.InWidth, oh = g.OutHeight, ow = g.OutWidth, columns = TileColumns(p, stride);
        nint inRow = (nint)w * lanes, inPlane = h * inRow, outRow = (nint)ow * lanes, outPlane = oh * outRow;
        int lastLanes = g.OutChannels - (blocks - 1) * lanes;
        ref float mask = ref Blocked16.LaneMask(lastLanes);
        // Offsets of the KH input rows an output row reads (from the block's plane), and of the padded copy's rows.
        Span<nint> rows = stackalloc nint[kh], edgeRows = stackalloc nint[kh];
        for (int y = 0; y < kh; y++) edgeRows[y] = (nint)y * columns * lanes;
        ref float wr = ref MemoryMarshal.GetReference(packed);
        ref float edgeRef = ref MemoryMarshal.GetReference(edge);
        ref float biasRef = ref Unsafe.Add(ref wr, (nint)blocks * taps * lanes);
        bool hasResidual = !residual.IsEmpty;
        int lastRow = (kh - 1) * g.DilationHeight;
        // Output columns [cLo, cHi) read only input columns: their tiles read the rows in place; the few columns either
        // side (next to the left and right padding) run one position at a time.
        (int cLo, int cHi) = InteriorColumns(g);
        int interior = cHi - cLo;
        for (int block = 0; block < blocks; block++)
        {
            ref float weights = ref Unsafe.Add(ref wr, (nint)block * taps * lanes);
            TVec bias = TOps.Load(ref Unsafe.Add(ref biasRef, (nint)block * lanes));
            bool masked = !TAct.PreservesZero && block == blocks - 1 && lastLanes < lanes;
            TVec maskVector = masked ? TOps.Load(ref mask) : default;
            ref float plane = ref Unsafe.Add(ref MemoryMarshal.GetReference(input), block * inPlane);
            nint outBase = block * outPlane;
            // Output rows in pairs where both read only input rows (twice the independent accumulators of one row: a
            // tile's nine multiply-adds per output are one dependent chain), the second StrideHeight input rows below.
            for (int oy = 0; oy < oh;)
            {
                int iy = oy * g.StrideHeight - g.PadTop;
                bool inside = iy >= 0 && iy + lastRow < h && interior >= p;
                bool pair = inside && oy + 1 < oh && iy + g.StrideHeight + lastRow < h;
                int count = pair ? 2 : 1;
                nint at0 = outBase + oy * outRow;
                if (inside)
                {
                    for (int y = 0; y < kh; y++) rows[y] = (iy + y * g.DilationHeight) * inRow;
                    for (int c0 = cLo; c0 < cHi; c0 += p)
                    {
                        // The last tile that does not fit is moved back to end at the interior's end; its first positions are not stored again.
                        int start = Math.Min(c0, cHi - p), first = c0 - start;
                        nint column = (start * stride - g.PadLeft) * lanes, at = at0 + (nint)start * lanes;
                        if (pair)
                            Tile3Pair<TOps, TVec, TPositions, C2, TAct>(ref plane, rows, g.StrideHeight * inRow, ref weights, bias, column, output, residual,
                                hasResidual, at, outRow, first, masked, maskVector, act);
                        else
                            Tile3<TOps, TVec, TPositions, C2, TAct>(ref plane, rows, ref weights, bias, column, output, residual, hasResidual, at,
                                first, masked, maskVector, act);
                    }

                    for (int r = 0; r < count; r++)
                    {
                        for (int c = 0; c < cLo; c++)
                            BorderPosition<TOps, TVec, TAct>(ref plane, ref weights, bias, g, iy + r * g.StrideHeight, c, output, residual, hasResidual,
                                at0 + r * outRow + (nint)c * lanes, masked, maskVector, act);
                        for (int c = cHi; c < ow; c++)
                            BorderPosition<TOps, TVec, TAct>(ref plane, ref weights, bias, g, iy + r * g.StrideHeight, c, output, residual, hasResidual,
                                at0 + r * outRow + (nint)c * lanes, masked, maskVector, act);
                    }
                }
                else
                {
                    // A row next to the top or bottom padding (or a row with no interior columns): every tile from a padded copy.
                    for (int c0 = 0; c0 < ow; c0 += p)
                    {
                        int start = Math.Min(c0, ow - p), first = c0 - start;
                        CopyPadded<TOps, TVec>(ref plane, ref edgeRef, iy, g.DilationHeight, kh, h, start * stride - g.PadLeft, columns, w);
                        Tile3<TOps, TVec, TPositions, C2, TAct>(ref edgeRef, edgeRows, ref weights, bias, 0, output, residual, hasResidual,
                            at0 + (nint)start * lanes, first, masked, maskVector, act);
                    }
                }

                oy += count;
            }
        }
    }

    // One output position (column c of the output row whose taps start at input row iy) next to the left or right
    // padding: its taps summed as a tile sums them, in (row, column) order, zero outside the input.
    private static void BorderPosition<TOps, TVec, TAct>(ref float plane, ref float weights, TVec bias, in Conv2dGeometry g, int iy, int c,
        Span<float> output, ReadOnlySpan<float> residual, bool hasResidual, nint at, bool masked, TVec mask, TAct act)
        where TOps : IVectorOps<TVec> where TVec : struct where TAct : struct, IActivation
    {
        const int lanes = Blocked16.Lanes;
        int x = c * g.StrideWidth - g.PadLeft;
        TVec sum = bias;
        for (int y = 0; y < g.KernelHeight; y++, iy += g.DilationHeight)
            for (int k = 0; k < 3; k++)
            {
                int ix = x + k;
                TVec v = (uint)iy < (uint)g.InHeight && (uint)ix < (uint)g.InWidth ? TOps.Load(ref Unsafe.Add(ref plane, ((nint)iy * g.InWidth + ix) * lanes)) : TOps.Zero;
                sum = TOps.MultiplyAdd(TOps.Load(ref Unsafe.Add(ref weights, (nint)(y * 3 + k) * lanes)), v, sum);
            }

        StoreTile<TOps, TVec, C1, TAct>(output, residual, hasResidual, at, 0, masked, mask, act, sum, sum, sum, sum, sum, sum, sum, sum);
    }

    // KH rows (`dilation` apart from input row iy) of `columns` vectors from input column x of one block's plane into
    // `edge`, zeros where a row or column falls outside the input.
    private static void CopyPadded<TOps, TVec>(ref float plane, ref float edge, int iy, int dilation, int kh, int h, int x, int columns, int w)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        const int lanes = Blocked16.Lanes;
        for (int y = 0; y < kh; y++, iy += dilation)
        {
            ref float to = ref Unsafe.Add(ref edge, (nint)y * columns * lanes);
            bool inside = (uint)iy < (uint)h;
            for (int c = 0; c < columns; c++)
            {
                int ix = x + c;
                TVec v = inside && (uint)ix < (uint)w ? TOps.Load(ref Unsafe.Add(ref plane, ((nint)iy * w + ix) * lanes)) : TOps.Zero;
                TOps.Store(v, ref Unsafe.Add(ref to, (nint)c * lanes));
            }
        }
    }
}
