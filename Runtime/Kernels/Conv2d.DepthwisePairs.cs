using System.Buffers;
using ConvGen.Runtime.Simd;

namespace ConvGen.Runtime.Kernels;

// The pairs depthwise algorithm: stride 2 without top/left padding on an even-width input, as the plane algorithm
// on the input split into its even and odd columns (two long gathers per channel instead of one per phase row).
public static partial class Conv2d
{
    // Auto picks the pairs algorithm up to this many output positions: it computes about twice the positions of the
    // shifted algorithm (the grid's odd rows are dropped) but gathers two runs per channel instead of one per phase
    // row, which wins on small planes (measured on VWW: 2x at 6x6 and 3x3 outputs, even at 12x12, slower at 24x24).
    private const int PairsMaxOutputPlane = 100;

    /// <summary>True when the pairs algorithm applies: stride 2x2, dilation 1, no top or left padding, an even input
    /// width and OutWidth at most half of it (TensorFlow-style 'same' or 'valid' stride-2 layers).</summary>
    private static bool PairsApplies(in Conv2dGeometry g) =>
        g.StrideHeight == 2 && g.StrideWidth == 2 && g.DilationHeight == 1 && g.DilationWidth == 1 && g.PadTop == 0 && g.PadLeft == 0
        && g.InWidth % 2 == 0 && g.OutWidth <= g.InWidth / 2 && g.KernelWidth <= g.InWidth;

    // Pairs scratch: a ring of buffers, each the even-column plane E then the odd-column plane O (Rows x W/2 each,
    // Rows covering every input row a tap reaches, zero below the input), plus slack for vector reads; then the
    // grid output (output row y at y * W); then one column mask per kernel column, W + lanes long.
    private static void PairsLayout(in Conv2dGeometry g, int lanes, out int planeLength, out int bufferLength, out int buffers,
        out int gridLength, out int maskLength)
    {
        int half = g.InWidth / 2;
        int rows = Math.Max(g.InHeight, 2 * (g.OutHeight - 1) + g.KernelHeight);
        planeLength = rows * half;
        bufferLength = 2 * planeLength + (g.KernelWidth - 1) / 2 + lanes;
        buffers = Math.Clamp(2048 / bufferLength, 2, 4);
        gridLength = (g.OutHeight - 1) * g.InWidth + g.OutWidth;
        maskLength = g.InWidth + lanes;
    }

    private static long PairsScratchLength(in Conv2dGeometry g, int lanes)
    {
        PairsLayout(g, lanes, out _, out int bufferLength, out int buffers, out int gridLength, out int maskLength);
        return (long)buffers * bufferLength + gridLength + (long)g.KernelWidth * maskLength;
    }

    /// <summary>
    /// Stride 2x2, no top/left padding, even input width W: per input channel the even columns E[y][j] = x[y][2j] and
    /// the odd columns O[y][j] = x[y][2j + 1] are gathered as two contiguous runs. Tap (kh, kw) of output (y, x) is
    /// then (kw even ? E : O)[2y + kh][x + kw / 2]: on a grid where output row y sits at y * W (rows of E and O are
    /// W / 2 apart) every tap is a constant offset, so the plane algorithm runs on it; lanes whose column x + kw / 2
    /// wraps past W / 2 read padding and are masked to zero, and the grid's odd-row positions are dropped when the
    /// output rows are copied out. Per output element: per kernel column the sum over kernel rows, masked, then the
    /// column sums onto the bias in kernel-column order (for 3x3: (bias + c0) + (c1 + c2)).
    /// </summary>
    private static void DepthwisePairs<TOps, TVec>(ref float input, ref float output, ref float weights, ref float bias, bool hasBias,
        in Conv2dGeometry g, Epilogue epilogue)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        int length = checked((int)PairsScratchLength(g, TOps.Count));
        float[]? rented = length <= DepthwiseStackFloats ? null : ArrayPool<float>.Shared.Rent(length);
        Span<float> scratch = rented is null ? stackalloc float[length] : rented.AsSpan(0, length);
        DepthwisePairsCore<TOps, TVec>(ref input, ref output, ref weights, ref bias, hasBias, g, epilogue, scratch);
        if (rented is not null) ArrayPool<float>.Shared.Return(rented);
    }

    private static void DepthwisePairsCore<TOps, TVec>(ref float input, ref float output, ref float weights, ref float bias, bool hasBias,
        in Conv2dGeometry g, Epilogue epilogue, Span<float> scratch)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        int lanes = TOps.Count;
        int h = g.InHeight, w = g.InWidth, half = w / 2, oh = g.OutHeight, ow = g.OutWidth, n = oh * ow;
        int kh = g.KernelHeight, kw = g.KernelWidth, taps = kh * kw;
        int multiplier = g.OutChannels / g.InChannels;
        PairsLayout(g, lanes, out int planeLength, out int bufferLength, out int ring, out int gridLength, out int maskLength);
        // Zero below the input rows and in the slack; every channel writes the same h x half floats of E and O.
        scratch.Clear();
        ref float buffers = ref MemoryMarshal.GetReference(scratch);
        ref float grid = ref Unsafe.Add(ref buffers, ring * bufferLength);
        ref float masks = ref Unsafe.Add(ref grid, gridLength);
        Span<int> columnOffsets = stackalloc int[kw];
        Span<bool> partialColumns = stackalloc bool[kw];
        for (int kx = 0; kx < kw; kx++)
        {
            int shift = kx / 2;
            columnOffsets[kx] = kx % 2 * planeLength + shift;
            partialColumns[kx] = shift > 0;
            if (shift == 0) continue;
            ref float mask = ref Unsafe.Add(ref masks, kx * maskLength);
            for (int j = 0; j < maskLength; j++)
                Unsafe.Add(ref mask, j) = j % w + shift < half ? 1f : 0f;
        }

        var shape = new PlaneShape(gridLength, w, half);
        Span<float> partial = stackalloc float[Gemm.MaxLanes];
        GemmClamp clamp = GemmClamp.For(epilogue);
        bool threeByThree = kh == 3 && kw == 3;
        int planeFloats = h * w, count = h * half;
        nint inputLength = (nint)g.InChannels * planeFloats;
        // A ring of buffers: channel ci + ring - 1 is split while channel ci is read.
        for (int c = 0; c < Math.Min(ring - 1, g.InChannels); c++)
            SplitPairs(ref input, inputLength, c, planeFloats, count, ref Unsafe.Add(ref buffers, c * bufferLength), planeLength);
        for (int ci = 0; ci < g.InChannels; ci++)
        {
            ref float planes = ref Unsafe.Add(ref buffers, ci % ring * bufferLength);
            int ahead = ci + ring - 1;
            if (ahead < g.InChannels)
                SplitPairs(ref input, inputLength, ahead, planeFloats, count, ref Unsafe.Add(ref buffers, ahead % ring * bufferLength), planeLength);
            for (int mi = 0; mi < multiplier; mi++)
            {
                int co = ci * multiplier + mi;
                ref float wc = ref Unsafe.Add(ref weights, (nint)co * taps);
                ref float outPlane = ref Unsafe.Add(ref output, (nint)co * n);
                float initial = hasBias ? Unsafe.Add(ref bias, co) : 0f;
                if (threeByThree)
                    PlaneChannel3x3<TOps, TVec>(ref planes, ref wc, initial, ref grid, shape, columnOffsets, partialColumns, ref masks, maskLength, partial, clamp);
                else
                    PlaneChannel<TOps, TVec>(ref planes, ref wc, initial, ref grid, shape, kh, columnOffsets, partialColumns, ref masks, maskLength, partial, clamp);
                for (int y = 0; y < oh; y++)
                    RowCopy.Copy(ref Unsafe.Add(ref grid, y * w), ref Unsafe.Add(ref outPlane, y * ow), ow);
                if (!clamp.Enabled) Gemm.ActivateInPlace<TOps, TVec>(ref outPlane, n, epilogue);
            }
        }
    }

    // E = the even floats of channel c's plane, O (planeLength further) = the odd ones, `count` each. The input has
    // inputLength floats, so the odd gather of the last channel stops one pair short and takes its last float alone.
    private static void SplitPairs(ref float input, nint inputLength, int c, int planeFloats, int count, ref float destination, int planeLength)
    {
        nint start = (nint)c * planeFloats;
        int readable = (int)Math.Min(inputLength - start, int.MaxValue);
        ref float plane = ref Unsafe.Add(ref input, start);
        GatherPairs(ref plane, readable, ref destination, count);
        ref float odd = ref Unsafe.Add(ref destination, planeLength);
        GatherPairs(ref Unsafe.Add(ref plane, 1), readable - 1, ref odd, count - 1);
        Unsafe.Add(ref odd, count - 1) = Unsafe.Add(ref plane, 2 * count - 1);
    }
}
