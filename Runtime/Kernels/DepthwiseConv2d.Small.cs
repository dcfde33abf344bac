using ConvGen.Runtime.Simd;

namespace ConvGen.Runtime.Kernels;

// The block-tiled path (TilesBlocks): a three-wide kernel at stride 2 on a small map. Each tile is one output row's
// positions (TilePositions) for TileBlocks channel blocks at once, read in place from the blocked input (positions 16
// floats apart at every width), with the taps in the padding skipped rather than read from a zeroed copy: no workspace,
// and the tile's independent accumulators come from the blocks as well as from the row's few positions.
public static partial class DepthwiseConv2d
{
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void ConvolveBlockTiles<TOps, TVec, TPositions, TAct>(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packed,
        ReadOnlySpan<float> residual, in Conv2dGeometry g, TAct act)
        where TOps : IVectorOps<TVec> where TVec : struct where TPositions : struct, IConstant where TAct : struct, IActivation
    {
        int lanes = TOps.Count, blocks = Blocked16.Blocks(g.OutChannels), tile = TileBlocks(TPositions.Value, blocks, lanes);
        // Per part of a block (one on the 512-bit path), groups of `tile` blocks, then the blocks left over.
        for (int lane = 0; lane < Blocked16.Lanes; lane += lanes)
        {
            int b0 = 0;
            for (; b0 + tile <= blocks; b0 += tile)
            {
                switch (tile)
                {
                    case 1: BlockTileRows<TOps, TVec, TPositions, C1, TAct>(input, output, packed, residual, g, act, b0, lane); break;
                    case 2: BlockTileRows<TOps, TVec, TPositions, C2, TAct>(input, output, packed, residual, g, act, b0, lane); break;
                    case 3: BlockTileRows<TOps, TVec, TPositions, C3, TAct>(input, output, packed, residual, g, act, b0, lane); break;
                    default: BlockTileRows<TOps, TVec, TPositions, C4, TAct>(input, output, packed, residual, g, act, b0, lane); break;
                }
            }

            switch (blocks - b0)
            {
                case 1: BlockTileRows<TOps, TVec, TPositions, C1, TAct>(input, output, packed, residual, g, act, b0, lane); break;
                case 2: BlockTileRows<TOps, TVec, TPositions, C2, TAct>(input, output, packed, residual, g, act, b0, lane); break;
                case 3: BlockTileRows<TOps, TVec, TPositions, C3, TAct>(input, output, packed, residual, g, act, b0, lane); break;
            }
        }
    }

    // Every output row of TBlocks blocks from b0 (the vector of `lane` in each), in tiles of TPositions positions.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void BlockTileRows<TOps, TVec, TPositions, TBlocks, TAct>(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packed,
        ReadOnlySpan<float> residual, in Conv2dGeometry g, TAct act, int b0, int lane)
        where TOps : IVectorOps<TVec> where TVec : struct where TPositions : struct, IConstant where TBlocks : struct, IConstant where TAct : struct, IActivation
    {
        const int L = Blocked16.Lanes;
        int B = TBlocks.Value, p = TPositions.Value, blocks = Blocked16.Blocks(g.OutChannels), kh = g.KernelHeight;
        int h = g.InHeight, w = g.InWidth, oh = g.OutHeight, ow = g.OutWidth, dh = g.DilationHeight;
        nint inRow = (nint)w * L, inPlane = h * inRow, outRow = (nint)ow * L, outPlane = oh * outRow, blockWeights = (nint)kh * 3 * L, rowStep = dh * inRow;
        ref float x0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(input), b0 * inPlane + lane);
        ref float w0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(packed), b0 * blockWeights + lane);
        ref float biasRef = ref Unsafe.Add(ref MemoryMarshal.GetReference(packed), blocks * blockWeights + (nint)b0 * L + lane);
        TVec bias0 = TOps.Load(ref biasRef);
        TVec bias1 = B > 1 ? TOps.Load(ref Unsafe.Add(ref biasRef, L)) : default;
        TVec bias2 = B > 2 ? TOps.Load(ref Unsafe.Add(ref biasRef, 2 * L)) : default;
        TVec bias3 = B > 3 ? TOps.Load(ref Unsafe.Add(ref biasRef, 3 * L)) : default;
        // Only the last block can have padding lanes, and only an activation that does not keep zeros needs the mask.
        int lastLanes = g.OutChannels - (blocks - 1) * L;
        bool masked = !TAct.PreservesZero && b0 + B == blocks && lastLanes < L;
        TVec mask = masked ? TOps.Load(ref Unsafe.Add(ref Blocked16.LaneMask(lastLanes), lane)) : default;
        bool hasResidual = !residual.IsEmpty;
        nint outBase = b0 * outPlane + lane;
        for (int oy = 0; oy < oh; oy++)
        {
            // Kernel rows [ky, kyEnd) read input rows (the others lie in the top or bottom padding).
            int iy = oy * g.StrideHeight - g.PadTop, ky = 0, kyEnd = kh;
            while (ky < kh && iy + ky * dh < 0) ky++;
            while (kyEnd > ky && iy + (kyEnd - 1) * dh >= h) kyEnd--;
            nint rowAt = ky < kyEnd ? (iy + ky * dh) * inRow : 0;
            for (int column = 0; column < ow; column += p)
            {
                // A last tile that does not fit is moved back to end at the row's end; its first positions are not stored again.
                int start = column, first = 0;
                if (column + p > ow)
                {
                    start = ow - p;
                    first = column - start;
                }

                // The tile reads input columns 2 * start - PadLeft to that + 2p; its first position's middle tap is
                // always inside the row, the column either side of the run may be padding (`left`, `right`: skipped).
                // TPositions outputs for each of the TBlocks blocks (inPlane floats apart in the input, outPlane in the
                // output, blockWeights in the packed weights), written out here rather than in a method the JIT would
                // not inline (too many arguments).
                int middle = 2 * start - g.PadLeft + 1;
                bool left = middle == 0, right = middle + 2 * p - 1 >= w;
                TVec a0 = bias0, a1 = bias0, a2 = bias0, a3 = bias0, a4 = bias0, a5 = bias0, a6 = bias0, a7 = bias0;
                TVec e0 = bias1, e1 = bias1, e2 = bias1, e3 = bias1, e4 = bias1, e5 = bias1, e6 = bias1, e7 = bias1;
                TVec c0 = bias2, c1 = bias2, c2 = bias2, c3 = bias2, c4 = bias2, c5 = bias2, c6 = bias2, c7 = bias2;
                TVec d0 = bias3, d1 = bias3, d2 = bias3, d3 = bias3, d4 = bias3, d5 = bias3, d6 = bias3, d7 = bias3;
                ref float xr = ref Unsafe.Add(ref x0, rowAt + (nint)middle * L), wt = ref Unsafe.Add(ref w0, (nint)ky * 3 * L);
                for (int y = ky; y < kyEnd; y++)
                {
                    Row3Edges<TOps, TVec, TPositions>(ref xr, ref wt, left, right, ref a0, ref a1, ref a2, ref a3, ref a4, ref a5, ref a6, ref a7);
                    if (B > 1)
                        Row3Edges<TOps, TVec, TPositions>(ref Unsafe.Add(ref xr, inPlane), ref Unsafe.Add(ref wt, blockWeights), left, right,
                            ref e0, ref e1, ref e2, ref e3, ref e4, ref e5, ref e6, ref e7);
                    if (B > 2)
                        Row3Edges<TOps, TVec, TPositions>(ref Unsafe.Add(ref xr, 2 * inPlane), ref Unsafe.Add(ref wt, 2 * blockWeights), left, right,
                            ref c0, ref c1, ref c2, ref c3, ref c4, ref c5, ref c6, ref c7);
                    if (B > 3)
                        Row3Edges<TOps, TVec, TPositions>(ref Unsafe.Add(ref xr, 3 * inPlane), ref Unsafe.Add(ref wt, 3 * blockWeights), left, right,
                            ref d0, ref d1, ref d2, ref d3, ref d4, ref d5, ref d6, ref d7);
                    xr = ref Unsafe.Add(ref xr, rowStep);
                    wt = ref Unsafe.Add(ref wt, 3 * L);
                }

                // Only the last block can have padding lanes (`masked`).
                nint at = outBase + oy * outRow + (nint)start * L;
                StoreTile<TOps, TVec, TPositions, TAct>(output, residual, hasResidual, at, first, masked && B == 1, mask, act, a0, a1, a2, a3, a4, a5, a6, a7);
                if (B > 1) StoreTile<TOps, TVec, TPositions, TAct>(output, residual, hasResidual, at + outPlane, first, masked && B == 2, mask, act, e0, e1, e2, e3, e4, e5, e6, e7);
                if (B > 2) StoreTile<TOps, TVec, TPositions, TAct>(output, residual, hasResidual, at + 2 * outPlane, first, masked && B == 3, mask, act, c0, c1, c2, c3, c4, c5, c6, c7);
                if (B > 3) StoreTile<TOps, TVec, TPositions, TAct>(output, residual, hasResidual, at + 3 * outPlane, first, masked, mask, act, d0, d1, d2, d3, d4, d5, d6, d7);
            }
        }
    }

    // One kernel row of a tile at stride 2 read in place: `row` is the first position's middle tap, input column
    // 2q - 1 (from it, q = 1 .. P - 1) is position q's left tap and position q - 1's right one, column 2q position q's
    // middle tap; column -1 (left) and column 2P - 1 (right) are skipped when they are padding. Each output's taps are
    // summed in column order.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Row3Edges<TOps, TVec, TPositions>(ref float row, ref float wt, bool left, bool right,
        ref TVec a0, ref TVec a1, ref TVec a2, ref TVec a3, ref TVec a4, ref TVec a5, ref TVec a6, ref TVec a7)
        where TOps : IVectorOps<TVec> where TVec : struct where TPositions : struct, IConstant
    {
        const int L = Blocked16.Lanes;
        int P = TPositions.Value;
        TVec w0 = TOps.Load(ref wt), w1 = TOps.Load(ref Unsafe.Add(ref wt, L)), w2 = TOps.Load(ref Unsafe.Add(ref wt, 2 * L));
        TVec x;
        if (!left) { x = TOps.Load(ref Unsafe.Subtract(ref row, L)); a0 = TOps.MultiplyAdd(w0, x, a0); }
        x = TOps.Load(ref row); a0 = TOps.MultiplyAdd(w1, x, a0);
        if (P > 1)
        {
            x = TOps.Load(ref Unsafe.Add(ref row, 1 * L)); a0 = TOps.MultiplyAdd(w2, x, a0); a1 = TOps.MultiplyAdd(w0, x, a1);
            x = TOps.Load(ref Unsafe.Add(ref row, 2 * L)); a1 = TOps.MultiplyAdd(w1, x, a1);
        }

        if (P > 2)
        {
            x = TOps.Load(ref Unsafe.Add(ref row, 3 * L)); a1 = TOps.MultiplyAdd(w2, x, a1); a2 = TOps.MultiplyAdd(w0, x, a2);
            x = TOps.Load(ref Unsafe.Add(ref row, 4 * L)); a2 = TOps.MultiplyAdd(w1, x, a2);
        }

        if (P > 3)
        {
            x = TOps.Load(ref Unsafe.Add(ref row, 5 * L)); a2 = TOps.MultiplyAdd(w2, x, a2); a3 = TOps.MultiplyAdd(w0, x, a3);
            x = TOps.Load(ref Unsafe.Add(ref row, 6 * L)); a3 = TOps.MultiplyAdd(w1, x, a3);
        }

        if (P > 4)
        {
            x = TOps.Load(ref Unsafe.Add(ref row, 7 * L)); a3 = TOps.MultiplyAdd(w2, x, a3); a4 = TOps.MultiplyAdd(w0, x, a4);
            x = TOps.Load(ref Unsafe.Add(ref row, 8 * L)); a4 = TOps.MultiplyAdd(w1, x, a4);
        }

        if (P > 5)
        {
            x = TOps.Load(ref Unsafe.Add(ref row, 9 * L)); a4 = TOps.MultiplyAdd(w2, x, a4); a5 = TOps.MultiplyAdd(w0, x, a5);
            x = TOps.Load(ref Unsafe.Add(ref row, 10 * L)); a5 = TOps.MultiplyAdd(w1, x, a5);
        }

        if (P > 6)
        {
            x = TOps.Load(ref Unsafe.Add(ref row, 11 * L)); a5 = TOps.MultiplyAdd(w2, x, a5); a6 = TOps.MultiplyAdd(w0, x, a6);
            x = TOps.Load(ref Unsafe.Add(ref row, 12 * L)); a6 = TOps.MultiplyAdd(w1, x, a6);
        }

        if (P > 7)
        {
            x = TOps.Load(ref Unsafe.Add(ref row, 13 * L)); a6 = TOps.MultiplyAdd(w2, x, a6); a7 = TOps.MultiplyAdd(w0, x, a7);
            x = TOps.Load(ref Unsafe.Add(ref row, 14 * L)); a7 = TOps.MultiplyAdd(w1, x, a7);
        }

        if (!right)
        {
            x = TOps.Load(ref Unsafe.Add(ref row, (2 * P - 1) * L));
            switch (P)
            {
                case 1: a0 = TOps.MultiplyAdd(w2, x, a0); break;
                case 2: a1 = TOps.MultiplyAdd(w2, x, a1); break;
                case 3: a2 = TOps.MultiplyAdd(w2, x, a2); break;
                case 4: a3 = TOps.MultiplyAdd(w2, x, a3); break;
                case 5: a4 = TOps.MultiplyAdd(w2, x, a4); break;
                case 6: a5 = TOps.MultiplyAdd(w2, x, a5); break;
                case 7: a6 = TOps.MultiplyAdd(w2, x, a6); break;
                default: a7 = TOps.MultiplyAdd(w2, x, a7); break;
            }
        }
    }
}
