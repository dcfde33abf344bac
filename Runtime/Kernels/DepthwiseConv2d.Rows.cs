using System.Diagnostics;
using ConvGen.Runtime.Simd;

namespace ConvGen.Runtime.Kernels;

// The narrow-row path (ReadsRowsInPlace): at 512 bits a position of the blocked input is one vector, so a 3x3 stride-1
// kernel padded by one on every side over rows of at most MaxPositions positions runs each output row as one tile that
// reads the input rows in place: the tile skips the padding columns (Row3 with RowInsidePadding), the first and last
// output rows run over the two input rows they reach (weights from the kernel row that lands on the input), and the rows
// between run in pairs. No copy, no workspace: the whole-plane path's copy of each block was a fifth of DS-CNN's
// depthwise time.
public static partial class DepthwiseConv2d
{
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void ConvolveRows<TOps, TVec, TPositions, TAct>(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packed,
        ReadOnlySpan<float> residual, in Conv2dGeometry g, TAct act)
        where TOps : IVectorOps<TVec> where TVec : struct where TPositions : struct, IConstant where TAct : struct, IActivation
    {
        Debug.Assert(TOps.Count == Blocked16.Lanes && ReadsRowsInPlace(g) && TPositions.Value == g.OutWidth);
        const int lanes = Blocked16.Lanes, taps = 9;
        int blocks = Blocked16.Blocks(g.OutChannels), h = g.InHeight;
        // Stride 1 with one column of padding either side: the output rows are the input rows' width and count.
        nint row = (nint)g.InWidth * lanes, plane = h * row;
        int lastLanes = g.OutChannels - (blocks - 1) * lanes;
        ref float mask = ref Blocked16.LaneMask(lastLanes);
        Span<nint> rows = stackalloc nint[3];
        ref float wr = ref MemoryMarshal.GetReference(packed);
        ref float biasRef = ref Unsafe.Add(ref wr, (nint)blocks * taps * lanes);
        bool hasResidual = !residual.IsEmpty;
        // A row wider than a tile: its tiles (RowTiles) read their columns in place, the first and last skip the padding.
        bool wide = g.OutWidth > TPositions.Value;
        for (int block = 0; block < blocks; block++)
        {
            ref float weights = ref Unsafe.Add(ref wr, (nint)block * taps * lanes);
            TVec bias = TOps.Load(ref Unsafe.Add(ref biasRef, (nint)block * lanes));
            bool masked = !TAct.PreservesZero && block == blocks - 1 && lastLanes < lanes;
            TVec maskVector = masked ? TOps.Load(ref mask) : default;
            ref float x = ref Unsafe.Add(ref MemoryMarshal.GetReference(input), block * plane);
            nint outBase = block * plane;
            for (int oy = 0; oy < h;)
            {
                // Kernel rows first..last land on input rows oy - 1 + k inside the input; a pair's second row reads one lower.
                int first = Math.Max(0, 1 - oy), last = Math.Min(2, h - oy);
                bool pair = first == 0 && oy + 2 < h;
                int count = last - first + 1;
                for (int k = 0; k < count; k++) rows[k] = (oy - 1 + first + k) * row;
                ref float wt = ref Unsafe.Add(ref weights, (nint)first * 3 * lanes);
                nint at = outBase + oy * row;
                if (!wide && pair)
                    Tile3Pair<TOps, TVec, TPositions, RowInsidePadding, TAct>(ref x, rows, row, ref wt, bias, 0, output, residual, hasResidual, at, row, 0, masked, maskVector, act);
                else if (!wide)
                    Tile3<TOps, TVec, TPositions, RowInsidePadding, TAct>(ref x, rows.Slice(0, count), ref wt, bias, 0, output, residual, hasResidual, at, 0, masked, maskVector, act);
                else if (pair)
                    RowTiles<TOps, TVec, TPositions, C2, TAct>(ref x, rows, ref wt, bias, row, g.OutWidth, output, residual, hasResidual, at, masked, maskVector, act);
                else
                    RowTiles<TOps, TVec, TPositions, C1, TAct>(ref x, rows.Slice(0, count), ref wt, bias, row, g.OutWidth, output, residual, hasResidual, at, masked, maskVector, act);
                oy += pair ? 2 : 1;
            }
        }
    }

    // The tiles of one output row (TRows 1) or of two (TRows 2, the second a row below) wider than a tile: the first
    // tile after the left padding column, the middle ones with both neighbours inside the row, the last before the right
    // padding column (a last tile that does not fit moved back to end at the row's end, its first positions not stored
    // again). Not inlined: one body per tile kind, whole within the JIT's inlining budget.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void RowTiles<TOps, TVec, TPositions, TRows, TAct>(ref float x, ReadOnlySpan<nint> rows, ref float weights, TVec bias, nint row, int width,
        Span<float> output, ReadOnlySpan<float> residual, bool hasResidual, nint at, bool masked, TVec maskVector, TAct act)
        where TOps : IVectorOps<TVec> where TVec : struct where TPositions : struct, IConstant where TRows : struct, IConstant where TAct : struct, IActivation
    {
        const int lanes = Blocked16.Lanes;
        int p = TPositions.Value;
        if (TRows.Value == 2)
            Tile3Pair<TOps, TVec, TPositions, RowAfterPadding, TAct>(ref x, rows, row, ref weights, bias, 0, output, residual, hasResidual, at, row, 0, masked, maskVector, act);
        else
            Tile3<TOps, TVec, TPositions, RowAfterPadding, TAct>(ref x, rows, ref weights, bias, 0, output, residual, hasResidual, at, 0, masked, maskVector, act);
        int c0 = p;
        for (; c0 + p < width; c0 += p)
        {
            nint column = (nint)(c0 - 1) * lanes, to = at + (nint)c0 * lanes;
            if (TRows.Value == 2)
                Tile3Pair<TOps, TVec, TPositions, C1, TAct>(ref x, rows, row, ref weights, bias, column, output, residual, hasResidual, to, row, 0, masked, maskVector, act);
            else
                Tile3<TOps, TVec, TPositions, C1, TAct>(ref x, rows, ref weights, bias, column, output, residual, hasResidual, to, 0, masked, maskVector, act);
        }

        int start = width - p, first = c0 - start;
        nint last = (nint)(start - 1) * lanes, lastAt = at + (nint)start * lanes;
        if (TRows.Value == 2)
            Tile3Pair<TOps, TVec, TPositions, RowBeforePadding, TAct>(ref x, rows, row, ref weights, bias, last, output, residual, hasResidual, lastAt, row, first, masked, maskVector, act);
        else
            Tile3<TOps, TVec, TPositions, RowBeforePadding, TAct>(ref x, rows, ref weights, bias, last, output, residual, hasResidual, lastAt, first, masked, maskVector, act);
    }
}
