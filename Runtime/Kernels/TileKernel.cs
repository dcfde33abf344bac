using ConvGen.Runtime.Simd;

namespace ConvGen.Runtime.Kernels;

/// <summary>A small integer as a type, so that a tile shape reaches the JIT as a constant.</summary>
internal interface IConstant
{
    static abstract int Value { get; }
}

[StructLayout(LayoutKind.Sequential, Size = 1)] internal readonly struct C1 : IConstant { public static int Value => 1; }
[StructLayout(LayoutKind.Sequential, Size = 2)] internal readonly struct C2 : IConstant { public static int Value => 2; }
[StructLayout(LayoutKind.Sequential, Size = 3)] internal readonly struct C3 : IConstant { public static int Value => 3; }
[StructLayout(LayoutKind.Sequential, Size = 4)] internal readonly struct C4 : IConstant { public static int Value => 4; }
[StructLayout(LayoutKind.Sequential, Size = 5)] internal readonly struct C5 : IConstant { public static int Value => 5; }
[StructLayout(LayoutKind.Sequential, Size = 6)] internal readonly struct C6 : IConstant { public static int Value => 6; }
[StructLayout(LayoutKind.Sequential, Size = 7)] internal readonly struct C7 : IConstant { public static int Value => 7; }
[StructLayout(LayoutKind.Sequential, Size = 8)] internal readonly struct C8 : IConstant { public static int Value => 8; }
[StructLayout(LayoutKind.Sequential, Size = 9)] internal readonly struct C9 : IConstant { public static int Value => 9; }
[StructLayout(LayoutKind.Sequential, Size = 10)] internal readonly struct C10 : IConstant { public static int Value => 10; }
[StructLayout(LayoutKind.Sequential, Size = 11)] internal readonly struct C11 : IConstant { public static int Value => 11; }
[StructLayout(LayoutKind.Sequential, Size = 12)] internal readonly struct C12 : IConstant { public static int Value => 12; }
[StructLayout(LayoutKind.Sequential, Size = 13)] internal readonly struct C13 : IConstant { public static int Value => 13; }
[StructLayout(LayoutKind.Sequential, Size = 14)] internal readonly struct C14 : IConstant { public static int Value => 14; }
[StructLayout(LayoutKind.Sequential, Size = 15)] internal readonly struct C15 : IConstant { public static int Value => 15; }
[StructLayout(LayoutKind.Sequential, Size = 16)] internal readonly struct C16 : IConstant { public static int Value => 16; }

/// <summary>
/// The position stride of a tile that reads it at run time (<see cref="TileArgs.PositionStride"/>); a tile given
/// C1 or C2 instead reads positions that many blocks of 16 floats apart, a displacement known to the JIT.
/// </summary>
internal readonly struct RuntimeStride : IConstant { public static int Value => 0; }

/// <summary>
/// The stride of a depthwise tile (DepthwiseConv2d's three-wide rows) that reads an input row in place with one column
/// of padding either side: stride 1, the row's first float at the tile's column 1, and the padding columns 0 and
/// positions + 1 skipped rather than read.
/// </summary>
internal readonly struct RowInsidePadding : IConstant { public static int Value => -21; }

/// <summary>As <see cref="RowInsidePadding"/> for the first tile of a wider row: only column 0 is padding.</summary>
internal readonly struct RowAfterPadding : IConstant { public static int Value => -22; }

/// <summary>The last tile of a row read in place: stride 1 from the tile's column 0, column positions + 1 padding.</summary>
internal readonly struct RowBeforePadding : IConstant { public static int Value => -23; }

/// <summary>
/// The CHW GEMM form of a tile (<see cref="Gemm"/>), given as its stride type: the vector rows are consecutive vectors
/// of positions of B, the broadcasts consecutive floats of a packed panel of A (its output channels), so bias and
/// output rows go with the broadcasts (see <see cref="TileArgs"/>).
/// </summary>
internal readonly struct PackedGemm : IConstant { public static int Value => TileDriver.PackedGemmForm; }

/// <summary>
/// What one call of <see cref="TileKernel"/> computes: a tile of output vectors
/// <c>y[v][p] = act(bias[v] + residual[v][p] + sum over taps t, inner steps i of W[v][t][i] * x[p][t][i])</c>,
/// v &lt; Rows vector rows (16-channel blocks on the 512-bit path, parts of one block on narrower ones), p &lt; Positions.
/// </summary>
/// <remarks>
/// Addressing: weight vector (v, t, i) at <c>Weights + v*WeightRowStride + t*WeightTapStride + i*16</c> (the packed
/// layout stores 16 output channels per reduction step); input scalar (p, t, i) at
/// <c>Input + p*PositionStride + Taps[2t] + i*InnerStride</c>, i &lt; Taps[2t+1]; output, residual vector (v, p) at
/// <c>Output/Residual + v*OutputRowStride + p*OutputPositionStride</c>; bias and mask vector v at
/// <c>Bias/Mask + v*BiasRowStride</c>.
/// In the CHW GEMM form (stride type <see cref="PackedGemm"/>, <c>y[v][p] = act(bias[p] + sum over steps k of B[k][v] * A[p][k])</c>)
/// the reduction is a list of steps instead: vector (v, k) at <c>Weights + Taps[k] + v*WeightRowStride</c> (a row table of
/// B), scalar (p, k) at <c>Input + p + k*InnerStride</c> (a packed panel of A), bias scalar p at <c>Bias + p*BiasRowStride</c>;
/// no residual, mask or partial lanes.
/// </remarks>
internal ref struct TileArgs
{
    public ref float Weights;
    public nint WeightRowStride;
    public nint WeightTapStride;
    public ref float Input;
    public nint PositionStride;
    public nint InnerStride;
    /// <summary>Pairs (input offset, inner steps) per tap.</summary>
    public ReadOnlySpan<int> Taps;
    public ref float Output;
    public ref float Residual;
    public bool HasResidual;
    public nint OutputRowStride;
    public nint OutputPositionStride;
    public ref float Bias;
    public nint BiasRowStride;
    /// <summary>1 for real channels, 0 for padding lanes; applied after a non-zero-preserving activation when <see cref="Masked"/>.</summary>
    public ref float Mask;
    public bool Masked;
    /// <summary>Positions [FirstStored, Positions) are stored (a row's last tile overlaps the one before it).</summary>
    public int FirstStored;
    /// <summary>
    /// Row-major outputs whose width is not a multiple of 16 (Linear): vector row v stores only its lanes below
    /// <c>ValidLanes - v * lanes</c>, none if that is not positive.
    /// </summary>
    public bool CheckLanes;
    public int ValidLanes;
    /// <summary>
    /// Lines of 64 bytes prefetched into L2 per tap from <see cref="PrefetchAddress"/> (the weights of the next group of
    /// vector rows; <see cref="TileDriver"/>), consecutive lines, so that the group's first tiles do not wait for weights
    /// arriving from L3 or memory; 0: none (the CHW GEMM form never prefetches).
    /// </summary>
    public nint PrefetchLinesPerTap;
    /// <summary>
    /// An address, not a reference: a hint the GC does not track (if the weights move, a prefetch is wasted, never
    /// wrong) and that may run a few lines past the next group's weights.
    /// </summary>
    public nint PrefetchAddress;
}

/// <summary>
/// The one micro-kernel under direct and pointwise convolution, Winograd's batched products, Linear and the CHW GEMM
/// (<see cref="Gemm"/>, in its <see cref="PackedGemm"/> form): a register
/// tile of Rows x Positions accumulators (TRows, TPositions: JIT-time constants), per reduction step Rows
/// weight vector loads, Positions broadcasts of input scalars and Rows x Positions multiply-adds, then the epilogue
/// (bias, residual, activation, padding-lane mask) as the tile stores.
/// </summary>
/// <remarks>
/// Written once for every tile shape: the accumulators of the largest shape are declared and every line is guarded by
/// a constant condition on the shape, which the JIT folds away, so an instantiation holds exactly its own registers.
/// Each output is bias plus the products in increasing (tap, inner step) order, plus the residual.
/// </remarks>
[SkipLocalsInit]
internal static class TileKernel
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<TOps, TVec, TRows, TPositions, TStride, TAct>(scoped ref TileArgs t, TAct act)
        where TOps : IVectorOps<TVec> where TVec : struct where TRows : struct, IConstant where TPositions : struct, IConstant where TStride : struct, IConstant where TAct : struct, IActivation
    {
        nint brs = t.BiasRowStride;
        // The packed-GEMM form has a bias per broadcast instead (below); each type test folds when the method is imported.
        TVec b0 = typeof(TStride) == typeof(PackedGemm) ? default : TOps.Load(ref t.Bias);
        TVec b1 = typeof(TStride) != typeof(PackedGemm) && Unsafe.SizeOf<TRows>() > 1 ? TOps.Load(ref Unsafe.Add(ref t.Bias, brs)) : default;
        TVec b2 = typeof(TStride) != typeof(PackedGemm) && Unsafe.SizeOf<TRows>() > 2 ? TOps.Load(ref Unsafe.Add(ref t.Bias, 2 * brs)) : default;
        TVec b3 = typeof(TStride) != typeof(PackedGemm) && Unsafe.SizeOf<TRows>() > 3 ? TOps.Load(ref Unsafe.Add(ref t.Bias, 3 * brs)) : default;
        TVec a00 = default, a01 = default, a02 = default, a03 = default, a10 = default, a11 = default, a12 = default, a13 = default, a20 = default, a21 = default, a22 = default, a23 = default, a30 = default, a31 = default, a32 = default, a33 = default;
        TVec a40 = default, a41 = default, a42 = default, a43 = default, a50 = default, a51 = default, a52 = default, a53 = default, a60 = default, a61 = default, a62 = default, a63 = default, a70 = default, a71 = default, a72 = default, a73 = default;
        TVec a80 = default, a81 = default, a82 = default, a83 = default, a90 = default, a91 = default, a92 = default, a93 = default, aA0 = default, aA1 = default, aA2 = default, aA3 = default, aB0 = default, aB1 = default, aB2 = default, aB3 = default;
        TVec aC0 = default, aC1 = default, aC2 = default, aC3 = default, aD0 = default, aD1 = default, aD2 = default, aD3 = default, aE0 = default, aE1 = default, aE2 = default, aE3 = default, aF0 = default, aF1 = default, aF2 = default, aF3 = default;
        if (Unsafe.SizeOf<TPositions>() > 0) { a00 = b0; if (Unsafe.SizeOf<TRows>() > 1) a01 = b1; if (Unsafe.SizeOf<TRows>() > 2) a02 = b2; if (Unsafe.SizeOf<TRows>() > 3) a03 = b3; }
        if (Unsafe.SizeOf<TPositions>() > 1) { a10 = b0; if (Unsafe.SizeOf<TRows>() > 1) a11 = b1; if (Unsafe.SizeOf<TRows>() > 2) a12 = b2; if (Unsafe.SizeOf<TRows>() > 3) a13 = b3; }
        if (Unsafe.SizeOf<TPositions>() > 2) { a20 = b0; if (Unsafe.SizeOf<TRows>() > 1) a21 = b1; if (Unsafe.SizeOf<TRows>() > 2) a22 = b2; if (Unsafe.SizeOf<TRows>() > 3) a23 = b3; }
        if (Unsafe.SizeOf<TPositions>() > 3) { a30 = b0; if (Unsafe.SizeOf<TRows>() > 1) a31 = b1; if (Unsafe.SizeOf<TRows>() > 2) a32 = b2; if (Unsafe.SizeOf<TRows>() > 3) a33 = b3; }
        if (Unsafe.SizeOf<TPositions>() > 4) { a40 = b0; if (Unsafe.SizeOf<TRows>() > 1) a41 = b1; if (Unsafe.SizeOf<TRows>() > 2) a42 = b2; if (Unsafe.SizeOf<TRows>() > 3) a43 = b3; }
        if (Unsafe.SizeOf<TPositions>() > 5) { a50 = b0; if (Unsafe.SizeOf<TRows>() > 1) a51 = b1; if (Unsafe.SizeOf<TRows>() > 2) a52 = b2; if (Unsafe.SizeOf<TRows>() > 3) a53 = b3; }
        if (Unsafe.SizeOf<TPositions>() > 6) { a60 = b0; if (Unsafe.SizeOf<TRows>() > 1) a61 = b1; if (Unsafe.SizeOf<TRows>() > 2) a62 = b2; if (Unsafe.SizeOf<TRows>() > 3) a63 = b3; }
        if (Unsafe.SizeOf<TPositions>() > 7) { a70 = b0; if (Unsafe.SizeOf<TRows>() > 1) a71 = b1; if (Unsafe.SizeOf<TRows>() > 2) a72 = b2; if (Unsafe.SizeOf<TRows>() > 3) a73 = b3; }
        if (Unsafe.SizeOf<TPositions>() > 8) { a80 = b0; if (Unsafe.SizeOf<TRows>() > 1) a81 = b1; if (Unsafe.SizeOf<TRows>() > 2) a82 = b2; if (Unsafe.SizeOf<TRows>() > 3) a83 = b3; }
        if (Unsafe.SizeOf<TPositions>() > 9) { a90 = b0; if (Unsafe.SizeOf<TRows>() > 1) a91 = b1; if (Unsafe.SizeOf<TRows>() > 2) a92 = b2; if (Unsafe.SizeOf<TRows>() > 3) a93 = b3; }
        if (Unsafe.SizeOf<TPositions>() > 10) { aA0 = b0; if (Unsafe.SizeOf<TRows>() > 1) aA1 = b1; if (Unsafe.SizeOf<TRows>() > 2) aA2 = b2; if (Unsafe.SizeOf<TRows>() > 3) aA3 = b3; }
        if (Unsafe.SizeOf<TPositions>() > 11) { aB0 = b0; if (Unsafe.SizeOf<TRows>() > 1) aB1 = b1; if (Unsafe.SizeOf<TRows>() > 2) aB2 = b2; if (Unsafe.SizeOf<TRows>() > 3) aB3 = b3; }
        if (Unsafe.SizeOf<TPositions>() > 12) { aC0 = b0; if (Unsafe.SizeOf<TRows>() > 1) aC1 = b1; if (Unsafe.SizeOf<TRows>() > 2) aC2 = b2; if (Unsafe.SizeOf<TRows>() > 3) aC3 = b3; }
        if (Unsafe.SizeOf<TPositions>() > 13) { aD0 = b0; if (Unsafe.SizeOf<TRows>() > 1) aD1 = b1; if (Unsafe.SizeOf<TRows>() > 2) aD2 = b2; if (Unsafe.SizeOf<TRows>() > 3) aD3 = b3; }
        if (Unsafe.SizeOf<TPositions>() > 14) { aE0 = b0; if (Unsafe.SizeOf<TRows>() > 1) aE1 = b1; if (Unsafe.SizeOf<TRows>() > 2) aE2 = b2; if (Unsafe.SizeOf<TRows>() > 3) aE3 = b3; }
        if (Unsafe.SizeOf<TPositions>() > 15) { aF0 = b0; if (Unsafe.SizeOf<TRows>() > 1) aF1 = b1; if (Unsafe.SizeOf<TRows>() > 2) aF2 = b2; if (Unsafe.SizeOf<TRows>() > 3) aF3 = b3; }

        if (typeof(TStride) == typeof(PackedGemm))
        {
            // One bias per broadcast (output channel), the same for each of its vectors.
            if (Unsafe.SizeOf<TPositions>() > 0) Splat<TOps, TVec, TRows>(TOps.Create(Unsafe.Add(ref t.Bias, 0 * brs)), ref a00, ref a01, ref a02, ref a03);
            if (Unsafe.SizeOf<TPositions>() > 1) Splat<TOps, TVec, TRows>(TOps.Create(Unsafe.Add(ref t.Bias, 1 * brs)), ref a10, ref a11, ref a12, ref a13);
            if (Unsafe.SizeOf<TPositions>() > 2) Splat<TOps, TVec, TRows>(TOps.Create(Unsafe.Add(ref t.Bias, 2 * brs)), ref a20, ref a21, ref a22, ref a23);
            if (Unsafe.SizeOf<TPositions>() > 3) Splat<TOps, TVec, TRows>(TOps.Create(Unsafe.Add(ref t.Bias, 3 * brs)), ref a30, ref a31, ref a32, ref a33);
            if (Unsafe.SizeOf<TPositions>() > 4) Splat<TOps, TVec, TRows>(TOps.Create(Unsafe.Add(ref t.Bias, 4 * brs)), ref a40, ref a41, ref a42, ref a43);
            if (Unsafe.SizeOf<TPositions>() > 5) Splat<TOps, TVec, TRows>(TOps.Create(Unsafe.Add(ref t.Bias, 5 * brs)), ref a50, ref a51, ref a52, ref a53);
            if (Unsafe.SizeOf<TPositions>() > 6) Splat<TOps, TVec, TRows>(TOps.Create(Unsafe.Add(ref t.Bias, 6 * brs)), ref a60, ref a61, ref a62, ref a63);
            if (Unsafe.SizeOf<TPositions>() > 7) Splat<TOps, TVec, TRows>(TOps.Create(Unsafe.Add(ref t.Bias, 7 * brs)), ref a70, ref a71, ref a72, ref a73);
            if (Unsafe.SizeOf<TPositions>() > 8) Splat<TOps, TVec, TRows>(TOps.Create(Unsafe.Add(ref t.Bias, 8 * brs)), ref a80, ref a81, ref a82, ref a83);
            if (Unsafe.SizeOf<TPositions>() > 9) Splat<TOps, TVec, TRows>(TOps.Create(Unsafe.Add(ref t.Bias, 9 * brs)), ref a90, ref a91, ref a92, ref a93);
            if (Unsafe.SizeOf<TPositions>() > 10) Splat<TOps, TVec, TRows>(TOps.Create(Unsafe.Add(ref t.Bias, 10 * brs)), ref aA0, ref aA1, ref aA2, ref aA3);
            if (Unsafe.SizeOf<TPositions>() > 11) Splat<TOps, TVec, TRows>(TOps.Create(Unsafe.Add(ref t.Bias, 11 * brs)), ref aB0, ref aB1, ref aB2, ref aB3);
            if (Unsafe.SizeOf<TPositions>() > 12) Splat<TOps, TVec, TRows>(TOps.Create(Unsafe.Add(ref t.Bias, 12 * brs)), ref aC0, ref aC1, ref aC2, ref aC3);
            if (Unsafe.SizeOf<TPositions>() > 13) Splat<TOps, TVec, TRows>(TOps.Create(Unsafe.Add(ref t.Bias, 13 * brs)), ref aD0, ref aD1, ref aD2, ref aD3);
            if (Unsafe.SizeOf<TPositions>() > 14) Splat<TOps, TVec, TRows>(TOps.Create(Unsafe.Add(ref t.Bias, 14 * brs)), ref aE0, ref aE1, ref aE2, ref aE3);
            if (Unsafe.SizeOf<TPositions>() > 15) Splat<TOps, TVec, TRows>(TOps.Create(Unsafe.Add(ref t.Bias, 15 * brs)), ref aF0, ref aF1, ref aF2, ref aF3);
        }

        ref float w = ref t.Weights;
        nint wrs = t.WeightRowStride, wts = t.WeightTapStride, ps = t.PositionStride, inner = t.InnerStride;
        ref int taps = ref MemoryMarshal.GetReference(t.Taps);
        int tapCount = t.Taps.Length >> 1;
        if (typeof(TStride) == typeof(PackedGemm))
        {
            // The CHW GEMM form: per step, the vectors of one row of B (through the row table) and the broadcasts of
            // one step of the packed A panel, at constant displacements.
            ref float xk = ref t.Input;
            int steps = t.Taps.Length;
            for (int k = 0; k < steps; k++)
            {
                ref float wk = ref Unsafe.Add(ref w, (nint)Unsafe.Add(ref taps, k));
                TVec w0 = TOps.Load(ref wk);
                TVec w1 = Unsafe.SizeOf<TRows>() > 1 ? TOps.Load(ref Unsafe.Add(ref wk, wrs)) : default;
                TVec w2 = Unsafe.SizeOf<TRows>() > 2 ? TOps.Load(ref Unsafe.Add(ref wk, 2 * wrs)) : default;
                TVec w3 = Unsafe.SizeOf<TRows>() > 3 ? TOps.Load(ref Unsafe.Add(ref wk, 3 * wrs)) : default;
                TVec x;
                if (Unsafe.SizeOf<TPositions>() > 0) { x = TOps.Create(Unsafe.Add(ref xk, 0)); Fma<TOps, TVec, TRows, TPositions>(x, w0, w1, w2, w3, ref a00, ref a01, ref a02, ref a03); }
                if (Unsafe.SizeOf<TPositions>() > 1) { x = TOps.Create(Unsafe.Add(ref xk, 1)); Fma<TOps, TVec, TRows, TPositions>(x, w0, w1, w2, w3, ref a10, ref a11, ref a12, ref a13); }
                if (Unsafe.SizeOf<TPositions>() > 2) { x = TOps.Create(Unsafe.Add(ref xk, 2)); Fma<TOps, TVec, TRows, TPositions>(x, w0, w1, w2, w3, ref a20, ref a21, ref a22, ref a23); }
                if (Unsafe.SizeOf<TPositions>() > 3) { x = TOps.Create(Unsafe.Add(ref xk, 3)); Fma<TOps, TVec, TRows, TPositions>(x, w0, w1, w2, w3, ref a30, ref a31, ref a32, ref a33); }
                if (Unsafe.SizeOf<TPositions>() > 4) { x = TOps.Create(Unsafe.Add(ref xk, 4)); Fma<TOps, TVec, TRows, TPositions>(x, w0, w1, w2, w3, ref a40, ref a41, ref a42, ref a43); }
                if (Unsafe.SizeOf<TPositions>() > 5) { x = TOps.Create(Unsafe.Add(ref xk, 5)); Fma<TOps, TVec, TRows, TPositions>(x, w0, w1, w2, w3, ref a50, ref a51, ref a52, ref a53); }
                if (Unsafe.SizeOf<TPositions>() > 6) { x = TOps.Create(Unsafe.Add(ref xk, 6)); Fma<TOps, TVec, TRows, TPositions>(x, w0, w1, w2, w3, ref a60, ref a61, ref a62, ref a63); }
                if (Unsafe.SizeOf<TPositions>() > 7) { x = TOps.Create(Unsafe.Add(ref xk, 7)); Fma<TOps, TVec, TRows, TPositions>(x, w0, w1, w2, w3, ref a70, ref a71, ref a72, ref a73); }
                if (Unsafe.SizeOf<TPositions>() > 8) { x = TOps.Create(Unsafe.Add(ref xk, 8)); Fma<TOps, TVec, TRows, TPositions>(x, w0, w1, w2, w3, ref a80, ref a81, ref a82, ref a83); }
                if (Unsafe.SizeOf<TPositions>() > 9) { x = TOps.Create(Unsafe.Add(ref xk, 9)); Fma<TOps, TVec, TRows, TPositions>(x, w0, w1, w2, w3, ref a90, ref a91, ref a92, ref a93); }
                if (Unsafe.SizeOf<TPositions>() > 10) { x = TOps.Create(Unsafe.Add(ref xk, 10)); Fma<TOps, TVec, TRows, TPositions>(x, w0, w1, w2, w3, ref aA0, ref aA1, ref aA2, ref aA3); }
                if (Unsafe.SizeOf<TPositions>() > 11) { x = TOps.Create(Unsafe.Add(ref xk, 11)); Fma<TOps, TVec, TRows, TPositions>(x, w0, w1, w2, w3, ref aB0, ref aB1, ref aB2, ref aB3); }
                if (Unsafe.SizeOf<TPositions>() > 12) { x = TOps.Create(Unsafe.Add(ref xk, 12)); Fma<TOps, TVec, TRows, TPositions>(x, w0, w1, w2, w3, ref aC0, ref aC1, ref aC2, ref aC3); }
                if (Unsafe.SizeOf<TPositions>() > 13) { x = TOps.Create(Unsafe.Add(ref xk, 13)); Fma<TOps, TVec, TRows, TPositions>(x, w0, w1, w2, w3, ref aD0, ref aD1, ref aD2, ref aD3); }
                if (Unsafe.SizeOf<TPositions>() > 14) { x = TOps.Create(Unsafe.Add(ref xk, 14)); Fma<TOps, TVec, TRows, TPositions>(x, w0, w1, w2, w3, ref aE0, ref aE1, ref aE2, ref aE3); }
                if (Unsafe.SizeOf<TPositions>() > 15) { x = TOps.Create(Unsafe.Add(ref xk, 15)); Fma<TOps, TVec, TRows, TPositions>(x, w0, w1, w2, w3, ref aF0, ref aF1, ref aF2, ref aF3); }
                xk = ref Unsafe.Add(ref xk, inner);
            }
        }
        else
        {
            for (int tap = 0; tap < tapCount; tap++)
            {
                ref float xt = ref Unsafe.Add(ref t.Input, (nint)Unsafe.Add(ref taps, 2 * tap));
                ref float wt = ref Unsafe.Add(ref w, tap * wts);
                int steps = Unsafe.Add(ref taps, 2 * tap + 1);
                for (nint line = 0; line < t.PrefetchLinesPerTap; line++)
                {
                    PrefetchLine(t.PrefetchAddress);
                    t.PrefetchAddress += LineFloats * sizeof(float);
                }

                for (int i = 0; i < steps; i++)
                {
                    TVec w0 = TOps.Load(ref wt);
                    TVec w1 = Unsafe.SizeOf<TRows>() > 1 ? TOps.Load(ref Unsafe.Add(ref wt, wrs)) : default;
                    TVec w2 = Unsafe.SizeOf<TRows>() > 2 ? TOps.Load(ref Unsafe.Add(ref wt, 2 * wrs)) : default;
                    TVec w3 = Unsafe.SizeOf<TRows>() > 3 ? TOps.Load(ref Unsafe.Add(ref wt, 3 * wrs)) : default;
                    TVec x;
                    // Only 512-bit tiles have a position stride known to the JIT (TileDriver gives the narrower paths'
                    // tiles RuntimeStride); the type test folds when the method is imported, so a narrower instantiation
                    // imports one body, not two.
                    if (typeof(TVec) == typeof(System.Runtime.Intrinsics.Vector512<float>) && typeof(TStride) != typeof(RuntimeStride))
                    {
                        // A stride known to the JIT: each broadcast is one load at a constant displacement.
                        nint cps = Unsafe.SizeOf<TStride>() * Blocked16.Lanes;
                        if (Unsafe.SizeOf<TPositions>() > 0) { x = TOps.Create(Unsafe.Add(ref xt, 0 * cps)); Fma<TOps, TVec, TRows, TPositions>(x, w0, w1, w2, w3, ref a00, ref a01, ref a02, ref a03); }
                        if (Unsafe.SizeOf<TPositions>() > 1) { x = TOps.Create(Unsafe.Add(ref xt, 1 * cps)); Fma<TOps, TVec, TRows, TPositions>(x, w0, w1, w2, w3, ref a10, ref a11, ref a12, ref a13); }
                        if (Unsafe.SizeOf<TPositions>() > 2) { x = TOps.Create(Unsafe.Add(ref xt, 2 * cps)); Fma<TOps, TVec, TRows, TPositions>(x, w0, w1, w2, w3, ref a20, ref a21, ref a22, ref a23); }
                        if (Unsafe.SizeOf<TPositions>() > 3) { x = TOps.Create(Unsafe.Add(ref xt, 3 * cps)); Fma<TOps, TVec, TRows, TPositions>(x, w0, w1, w2, w3, ref a30, ref a31, ref a32, ref a33); }
                        if (Unsafe.SizeOf<TPositions>() > 4) { x = TOps.Create(Unsafe.Add(ref xt, 4 * cps)); Fma<TOps, TVec, TRows, TPositions>(x, w0, w1, w2, w3, ref a40, ref a41, ref a42, ref a43); }
                        if (Unsafe.SizeOf<TPositions>() > 5) { x = TOps.Create(Unsafe.Add(ref xt, 5 * cps)); Fma<TOps, TVec, TRows, TPositions>(x, w0, w1, w2, w3, ref a50, ref a51, ref a52, ref a53); }
                        if (Unsafe.SizeOf<TPositions>() > 6) { x = TOps.Create(Unsafe.Add(ref xt, 6 * cps)); Fma<TOps, TVec, TRows, TPositions>(x, w0, w1, w2, w3, ref a60, ref a61, ref a62, ref a63); }
                        if (Unsafe.SizeOf<TPositions>() > 7) { x = TOps.Create(Unsafe.Add(ref xt, 7 * cps)); Fma<TOps, TVec, TRows, TPositions>(x, w0, w1, w2, w3, ref a70, ref a71, ref a72, ref a73); }
                        if (Unsafe.SizeOf<TPositions>() > 8) { x = TOps.Create(Unsafe.Add(ref xt, 8 * cps)); Fma<TOps, TVec, TRows, TPositions>(x, w0, w1, w2, w3, ref a80, ref a81, ref a82, ref a83); }
                        if (Unsafe.SizeOf<TPositions>() > 9) { x = TOps.Create(Unsafe.Add(ref xt, 9 * cps)); Fma<TOps, TVec, TRows, TPositions>(x, w0, w1, w2, w3, ref a90, ref a91, ref a92, ref a93); }
                        if (Unsafe.SizeOf<TPositions>() > 10) { x = TOps.Create(Unsafe.Add(ref xt, 10 * cps)); Fma<TOps, TVec, TRows, TPositions>(x, w0, w1, w2, w3, ref aA0, ref aA1, ref aA2, ref aA3); }
                        if (Unsafe.SizeOf<TPositions>() > 11) { x = TOps.Create(Unsafe.Add(ref xt, 11 * cps)); Fma<TOps, TVec, TRows, TPositions>(x, w0, w1, w2, w3, ref aB0, ref aB1, ref aB2, ref aB3); }
                        if (Unsafe.SizeOf<TPositions>() > 12) { x = TOps.Create(Unsafe.Add(ref xt, 12 * cps)); Fma<TOps, TVec, TRows, TPositions>(x, w0, w1, w2, w3, ref aC0, ref aC1, ref aC2, ref aC3); }
                        if (Unsafe.SizeOf<TPositions>() > 13) { x = TOps.Create(Unsafe.Add(ref xt, 13 * cps)); Fma<TOps, TVec, TRows, TPositions>(x, w0, w1, w2, w3, ref aD0, ref aD1, ref aD2, ref aD3); }
                        if (Unsafe.SizeOf<TPositions>() > 14) { x = TOps.Create(Unsafe.Add(ref xt, 14 * cps)); Fma<TOps, TVec, TRows, TPositions>(x, w0, w1, w2, w3, ref aE0, ref aE1, ref aE2, ref aE3); }
                        if (Unsafe.SizeOf<TPositions>() > 15) { x = TOps.Create(Unsafe.Add(ref xt, 15 * cps)); Fma<TOps, TVec, TRows, TPositions>(x, w0, w1, w2, w3, ref aF0, ref aF1, ref aF2, ref aF3); }
                    }
                    else
                    {
                        ref float xp = ref xt;
                        if (Unsafe.SizeOf<TPositions>() > 0) { x = TOps.Create(xp); Fma<TOps, TVec, TRows, TPositions>(x, w0, w1, w2, w3, ref a00, ref a01, ref a02, ref a03); }
                        if (Unsafe.SizeOf<TPositions>() > 1) { xp = ref Unsafe.Add(ref xp, ps); x = TOps.Create(xp); Fma<TOps, TVec, TRows, TPositions>(x, w0, w1, w2, w3, ref a10, ref a11, ref a12, ref a13); }
                        if (Unsafe.SizeOf<TPositions>() > 2) { xp = ref Unsafe.Add(ref xp, ps); x = TOps.Create(xp); Fma<TOps, TVec, TRows, TPositions>(x, w0, w1, w2, w3, ref a20, ref a21, ref a22, ref a23); }
                        if (Unsafe.SizeOf<TPositions>() > 3) { xp = ref Unsafe.Add(ref xp, ps); x = TOps.Create(xp); Fma<TOps, TVec, TRows, TPositions>(x, w0, w1, w2, w3, ref a30, ref a31, ref a32, ref a33); }
                        if (Unsafe.SizeOf<TPositions>() > 4) { xp = ref Unsafe.Add(ref xp, ps); x = TOps.Create(xp); Fma<TOps, TVec, TRows, TPositions>(x, w0, w1, w2, w3, ref a40, ref a41, ref a42, ref a43); }
                        if (Unsafe.SizeOf<TPositions>() > 5) { xp = ref Unsafe.Add(ref xp, ps); x = TOps.Create(xp); Fma<TOps, TVec, TRows, TPositions>(x, w0, w1, w2, w3, ref a50, ref a51, ref a52, ref a53); }
                        if (Unsafe.SizeOf<TPositions>() > 6) { xp = ref Unsafe.Add(ref xp, ps); x = TOps.Create(xp); Fma<TOps, TVec, TRows, TPositions>(x, w0, w1, w2, w3, ref a60, ref a61, ref a62, ref a63); }
                        if (Unsafe.SizeOf<TPositions>() > 7) { xp = ref Unsafe.Add(ref xp, ps); x = TOps.Create(xp); Fma<TOps, TVec, TRows, TPositions>(x, w0, w1, w2, w3, ref a70, ref a71, ref a72, ref a73); }
                        if (Unsafe.SizeOf<TPositions>() > 8) { xp = ref Unsafe.Add(ref xp, ps); x = TOps.Create(xp); Fma<TOps, TVec, TRows, TPositions>(x, w0, w1, w2, w3, ref a80, ref a81, ref a82, ref a83); }
                        if (Unsafe.SizeOf<TPositions>() > 9) { xp = ref Unsafe.Add(ref xp, ps); x = TOps.Create(xp); Fma<TOps, TVec, TRows, TPositions>(x, w0, w1, w2, w3, ref a90, ref a91, ref a92, ref a93); }
                        if (Unsafe.SizeOf<TPositions>() > 10) { xp = ref Unsafe.Add(ref xp, ps); x = TOps.Create(xp); Fma<TOps, TVec, TRows, TPositions>(x, w0, w1, w2, w3, ref aA0, ref aA1, ref aA2, ref aA3); }
                        if (Unsafe.SizeOf<TPositions>() > 11) { xp = ref Unsafe.Add(ref xp, ps); x = TOps.Create(xp); Fma<TOps, TVec, TRows, TPositions>(x, w0, w1, w2, w3, ref aB0, ref aB1, ref aB2, ref aB3); }
                        if (Unsafe.SizeOf<TPositions>() > 12) { xp = ref Unsafe.Add(ref xp, ps); x = TOps.Create(xp); Fma<TOps, TVec, TRows, TPositions>(x, w0, w1, w2, w3, ref aC0, ref aC1, ref aC2, ref aC3); }
                        if (Unsafe.SizeOf<TPositions>() > 13) { xp = ref Unsafe.Add(ref xp, ps); x = TOps.Create(xp); Fma<TOps, TVec, TRows, TPositions>(x, w0, w1, w2, w3, ref aD0, ref aD1, ref aD2, ref aD3); }
                        if (Unsafe.SizeOf<TPositions>() > 14) { xp = ref Unsafe.Add(ref xp, ps); x = TOps.Create(xp); Fma<TOps, TVec, TRows, TPositions>(x, w0, w1, w2, w3, ref aE0, ref aE1, ref aE2, ref aE3); }
                        if (Unsafe.SizeOf<TPositions>() > 15) { xp = ref Unsafe.Add(ref xp, ps); x = TOps.Create(xp); Fma<TOps, TVec, TRows, TPositions>(x, w0, w1, w2, w3, ref aF0, ref aF1, ref aF2, ref aF3); }
                    }

                    wt = ref Unsafe.Add(ref wt, Blocked16.Lanes);
                    xt = ref Unsafe.Add(ref xt, inner);
                }
            }
        }

        // No call may happen while accumulators are live (every vector register is caller-saved, and the JIT would
        // then spill them inside the loop): the common epilogue is inline; a tile whose last row stores part of its
        // lanes goes through a scratch tile, finished by a call once every accumulator is stored.
        int first = t.FirstStored;
        if (!t.CheckLanes)
        {
            if (Unsafe.SizeOf<TPositions>() > 0 && first <= 0) Store<TOps, TVec, TRows, TPositions, TAct>(ref t, act, 0, a00, a01, a02, a03);
            if (Unsafe.SizeOf<TPositions>() > 1 && first <= 1) Store<TOps, TVec, TRows, TPositions, TAct>(ref t, act, 1, a10, a11, a12, a13);
            if (Unsafe.SizeOf<TPositions>() > 2 && first <= 2) Store<TOps, TVec, TRows, TPositions, TAct>(ref t, act, 2, a20, a21, a22, a23);
            if (Unsafe.SizeOf<TPositions>() > 3 && first <= 3) Store<TOps, TVec, TRows, TPositions, TAct>(ref t, act, 3, a30, a31, a32, a33);
            if (Unsafe.SizeOf<TPositions>() > 4 && first <= 4) Store<TOps, TVec, TRows, TPositions, TAct>(ref t, act, 4, a40, a41, a42, a43);
            if (Unsafe.SizeOf<TPositions>() > 5 && first <= 5) Store<TOps, TVec, TRows, TPositions, TAct>(ref t, act, 5, a50, a51, a52, a53);
            if (Unsafe.SizeOf<TPositions>() > 6 && first <= 6) Store<TOps, TVec, TRows, TPositions, TAct>(ref t, act, 6, a60, a61, a62, a63);
            if (Unsafe.SizeOf<TPositions>() > 7 && first <= 7) Store<TOps, TVec, TRows, TPositions, TAct>(ref t, act, 7, a70, a71, a72, a73);
            if (Unsafe.SizeOf<TPositions>() > 8 && first <= 8) Store<TOps, TVec, TRows, TPositions, TAct>(ref t, act, 8, a80, a81, a82, a83);
            if (Unsafe.SizeOf<TPositions>() > 9 && first <= 9) Store<TOps, TVec, TRows, TPositions, TAct>(ref t, act, 9, a90, a91, a92, a93);
            if (Unsafe.SizeOf<TPositions>() > 10 && first <= 10) Store<TOps, TVec, TRows, TPositions, TAct>(ref t, act, 10, aA0, aA1, aA2, aA3);
            if (Unsafe.SizeOf<TPositions>() > 11 && first <= 11) Store<TOps, TVec, TRows, TPositions, TAct>(ref t, act, 11, aB0, aB1, aB2, aB3);
            if (Unsafe.SizeOf<TPositions>() > 12 && first <= 12) Store<TOps, TVec, TRows, TPositions, TAct>(ref t, act, 12, aC0, aC1, aC2, aC3);
            if (Unsafe.SizeOf<TPositions>() > 13 && first <= 13) Store<TOps, TVec, TRows, TPositions, TAct>(ref t, act, 13, aD0, aD1, aD2, aD3);
            if (Unsafe.SizeOf<TPositions>() > 14 && first <= 14) Store<TOps, TVec, TRows, TPositions, TAct>(ref t, act, 14, aE0, aE1, aE2, aE3);
            if (Unsafe.SizeOf<TPositions>() > 15 && first <= 15) Store<TOps, TVec, TRows, TPositions, TAct>(ref t, act, 15, aF0, aF1, aF2, aF3);
            if (!TAct.InRegisters) ActivateStored<TOps, TVec, TRows, TPositions, TAct>(ref t, act);
            return;
        }

        Span<float> scratch = stackalloc float[ConvTile.MaxPositions * ConvTile.MaxBlocks * Blocked16.Lanes];
        ref float sr = ref MemoryMarshal.GetReference(scratch);
        {
            if (Unsafe.SizeOf<TPositions>() > 0) Raw<TOps, TVec, TRows, TPositions>(ref sr, 0, a00, a01, a02, a03);
            if (Unsafe.SizeOf<TPositions>() > 1) Raw<TOps, TVec, TRows, TPositions>(ref sr, 1, a10, a11, a12, a13);
            if (Unsafe.SizeOf<TPositions>() > 2) Raw<TOps, TVec, TRows, TPositions>(ref sr, 2, a20, a21, a22, a23);
            if (Unsafe.SizeOf<TPositions>() > 3) Raw<TOps, TVec, TRows, TPositions>(ref sr, 3, a30, a31, a32, a33);
            if (Unsafe.SizeOf<TPositions>() > 4) Raw<TOps, TVec, TRows, TPositions>(ref sr, 4, a40, a41, a42, a43);
            if (Unsafe.SizeOf<TPositions>() > 5) Raw<TOps, TVec, TRows, TPositions>(ref sr, 5, a50, a51, a52, a53);
            if (Unsafe.SizeOf<TPositions>() > 6) Raw<TOps, TVec, TRows, TPositions>(ref sr, 6, a60, a61, a62, a63);
            if (Unsafe.SizeOf<TPositions>() > 7) Raw<TOps, TVec, TRows, TPositions>(ref sr, 7, a70, a71, a72, a73);
            if (Unsafe.SizeOf<TPositions>() > 8) Raw<TOps, TVec, TRows, TPositions>(ref sr, 8, a80, a81, a82, a83);
            if (Unsafe.SizeOf<TPositions>() > 9) Raw<TOps, TVec, TRows, TPositions>(ref sr, 9, a90, a91, a92, a93);
            if (Unsafe.SizeOf<TPositions>() > 10) Raw<TOps, TVec, TRows, TPositions>(ref sr, 10, aA0, aA1, aA2, aA3);
            if (Unsafe.SizeOf<TPositions>() > 11) Raw<TOps, TVec, TRows, TPositions>(ref sr, 11, aB0, aB1, aB2, aB3);
            if (Unsafe.SizeOf<TPositions>() > 12) Raw<TOps, TVec, TRows, TPositions>(ref sr, 12, aC0, aC1, aC2, aC3);
            if (Unsafe.SizeOf<TPositions>() > 13) Raw<TOps, TVec, TRows, TPositions>(ref sr, 13, aD0, aD1, aD2, aD3);
            if (Unsafe.SizeOf<TPositions>() > 14) Raw<TOps, TVec, TRows, TPositions>(ref sr, 14, aE0, aE1, aE2, aE3);
            if (Unsafe.SizeOf<TPositions>() > 15) Raw<TOps, TVec, TRows, TPositions>(ref sr, 15, aF0, aF1, aF2, aF3);
        }

        FinishPartial<TOps, TVec, TRows, TPositions, TAct>(ref t, act, scratch);
    }

    /// <summary>Floats in a cache line of 64 bytes.</summary>
    internal const int LineFloats = 16;

    // A hint (never a fault, whatever the address): the line holding `address` into L2, where the ISA has the instruction.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void PrefetchLine(nint address)
    {
        if (System.Runtime.Intrinsics.X86.Sse.IsSupported) System.Runtime.Intrinsics.X86.Sse.Prefetch1((void*)address);
    }

    /// <summary>The address of <paramref name="at"/> now (for <see cref="TileArgs.PrefetchAddress"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe nint AddressOf(ref float at) => (nint)Unsafe.AsPointer(ref at);

    // Accumulators of position p into the scratch tile [p][row][lanes].
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Raw<TOps, TVec, TRows, TPositions>(ref float scratch, int p, TVec a0, TVec a1, TVec a2, TVec a3)
        where TOps : IVectorOps<TVec> where TVec : struct where TRows : struct, IConstant where TPositions : struct, IConstant
    {
        ref float at = ref Unsafe.Add(ref scratch, p * Unsafe.SizeOf<TRows>() * TOps.Count);
        TOps.Store(a0, ref at);
        if (Unsafe.SizeOf<TRows>() > 1) TOps.Store(a1, ref Unsafe.Add(ref at, TOps.Count));
        if (Unsafe.SizeOf<TRows>() > 2) TOps.Store(a2, ref Unsafe.Add(ref at, 2 * TOps.Count));
        if (Unsafe.SizeOf<TRows>() > 3) TOps.Store(a3, ref Unsafe.Add(ref at, 3 * TOps.Count));
    }

    // The epilogue of a tile with partially stored lanes (row-major outputs): residual, activation, mask, then only
    // the valid lanes of each row.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void FinishPartial<TOps, TVec, TRows, TPositions, TAct>(scoped ref TileArgs t, TAct act, scoped Span<float> scratch)
        where TOps : IVectorOps<TVec> where TVec : struct where TRows : struct, IConstant where TPositions : struct, IConstant where TAct : struct, IActivation
    {
        for (int p = t.FirstStored; p < Unsafe.SizeOf<TPositions>(); p++)
            for (int v = 0; v < Unsafe.SizeOf<TRows>(); v++)
            {
                int valid = Math.Min(TOps.Count, t.ValidLanes - v * TOps.Count);
                nint offset = p * t.OutputPositionStride + v * t.OutputRowStride;
                for (int l = 0; l < valid; l++)
                {
                    float value = scratch[(p * Unsafe.SizeOf<TRows>() + v) * TOps.Count + l];
                    if (t.HasResidual) value += Unsafe.Add(ref t.Residual, offset + l);
                    Unsafe.Add(ref t.Output, offset + l) = act.Apply<Scalar, float>(value);
                }
            }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Splat<TOps, TVec, TRows>(TVec value, ref TVec a0, ref TVec a1, ref TVec a2, ref TVec a3)
        where TOps : IVectorOps<TVec> where TVec : struct where TRows : struct, IConstant
    {
        a0 = value;
        if (Unsafe.SizeOf<TRows>() > 1) a1 = value;
        if (Unsafe.SizeOf<TRows>() > 2) a2 = value;
        if (Unsafe.SizeOf<TRows>() > 3) a3 = value;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Fma<TOps, TVec, TRows, TPositions>(TVec x, TVec w0, TVec w1, TVec w2, TVec w3, ref TVec a0, ref TVec a1, ref TVec a2, ref TVec a3)
        where TOps : IVectorOps<TVec> where TVec : struct where TRows : struct, IConstant where TPositions : struct, IConstant
    {
        a0 = TOps.MultiplyAdd(w0, x, a0);
        if (Unsafe.SizeOf<TRows>() > 1) a1 = TOps.MultiplyAdd(w1, x, a1);
        if (Unsafe.SizeOf<TRows>() > 2) a2 = TOps.MultiplyAdd(w2, x, a2);
        if (Unsafe.SizeOf<TRows>() > 3) a3 = TOps.MultiplyAdd(w3, x, a3);
    }

    // Position p of the tile: residual, activation (when cheap) and mask, then the store of each vector row.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<TOps, TVec, TRows, TPositions, TAct>(scoped ref TileArgs t, TAct act, int p, TVec a0, TVec a1, TVec a2, TVec a3)
        where TOps : IVectorOps<TVec> where TVec : struct where TRows : struct, IConstant where TPositions : struct, IConstant where TAct : struct, IActivation
    {
        nint at = p * t.OutputPositionStride;
        StoreRow<TOps, TVec, TRows, TPositions, TAct>(ref t, act, at, 0, a0);
        if (Unsafe.SizeOf<TRows>() > 1) StoreRow<TOps, TVec, TRows, TPositions, TAct>(ref t, act, at, 1, a1);
        if (Unsafe.SizeOf<TRows>() > 2) StoreRow<TOps, TVec, TRows, TPositions, TAct>(ref t, act, at, 2, a2);
        if (Unsafe.SizeOf<TRows>() > 3) StoreRow<TOps, TVec, TRows, TPositions, TAct>(ref t, act, at, 3, a3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow<TOps, TVec, TRows, TPositions, TAct>(scoped ref TileArgs t, TAct act, nint at, int v, TVec value)
        where TOps : IVectorOps<TVec> where TVec : struct where TRows : struct, IConstant where TPositions : struct, IConstant where TAct : struct, IActivation
    {
        nint offset = at + v * t.OutputRowStride;
        if (t.HasResidual) value = TOps.Add(value, TOps.Load(ref Unsafe.Add(ref t.Residual, offset)));
        if (TAct.InRegisters)
        {
            value = act.Apply<TOps, TVec>(value);
            if (!TAct.PreservesZero && t.Masked) value = TOps.Multiply(value, TOps.Load(ref Unsafe.Add(ref t.Mask, v * t.BiasRowStride)));
        }

        TOps.Store(value, ref Unsafe.Add(ref t.Output, offset));
    }

    // The activation over the tile just stored (sums with bias and residual), while it is in L1, then the mask.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void ActivateStored<TOps, TVec, TRows, TPositions, TAct>(scoped ref TileArgs t, TAct act)
        where TOps : IVectorOps<TVec> where TVec : struct where TRows : struct, IConstant where TPositions : struct, IConstant where TAct : struct, IActivation
    {
        for (int p = t.FirstStored; p < Unsafe.SizeOf<TPositions>(); p++)
        {
            for (int v = 0; v < Unsafe.SizeOf<TRows>(); v++)
            {
                ref float y = ref Unsafe.Add(ref t.Output, p * t.OutputPositionStride + v * t.OutputRowStride);
                TVec value = act.Apply<TOps, TVec>(TOps.Load(ref y));
                if (!TAct.PreservesZero && t.Masked) value = TOps.Multiply(value, TOps.Load(ref Unsafe.Add(ref t.Mask, v * t.BiasRowStride)));
                TOps.Store(value, ref y);
            }
        }
    }
}
