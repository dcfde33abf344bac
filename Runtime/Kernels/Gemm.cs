using System.Buffers;
using ConvGen.Runtime.Simd;

namespace ConvGen.Runtime.Kernels;

/// <summary>
/// The activations a GEMM tile applies as it stores (max with Low, then min with High if HasHigh): ReLU and ReLU6,
/// cheap enough to keep the accumulators in registers. Other activations run as a pass over each panel's rows.
/// </summary>
internal readonly record struct GemmClamp(bool Enabled, float Low, bool HasHigh, float High)
{
    public static GemmClamp For(Epilogue epilogue) => epilogue.Activation switch
    {
        ActivationKind.ReLU => new(true, 0f, false, 0f),
        ActivationKind.ReLU6 => new(true, 0f, true, 6f),
        _ => default,
    };

    /// <summary>The clamp applied to one vector (the identity when not enabled).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec Apply<TOps, TVec>(TVec value) where TOps : IVectorOps<TVec> where TVec : struct
    {
        if (!Enabled) return value;
        value = TOps.Max(value, TOps.Create(Low));
        return HasHigh ? TOps.Min(value, TOps.Create(High)) : value;
    }
}

/// <summary>
/// The single-precision GEMM under the CHW convolutions: <c>C[i, j] = epilogue(bias[i] + sum_p A[i, p] * B[p, j])</c>
/// for <c>i &lt; m</c>, <c>j &lt; n</c>, on A packed by <see cref="PackA"/>.
/// </summary>
/// <remarks>
/// <para>
/// The tiles are <see cref="TileKernel"/>'s in its CHW GEMM form (<see cref="PackedGemm"/>): 1..<see cref="NR"/>
/// vectors along the columns of C (TileKernel's vector rows) by the output channels of a panel (its positions: all
/// <see cref="MR"/> with 512-bit vectors, which come with 32 registers, else 4), the accumulators held in registers
/// for the whole reduction: per step p the kernel loads the vectors of row p of B and broadcasts one value of column
/// p of A per channel, so each loaded value feeds several fused multiply-adds. Bias initialises the accumulators; ReLU
/// and ReLU6 are applied as the tiles store, any other activation to each panel's rows afterwards while they are still
/// in L1 (inlining the exp-based activations into the tiles makes the JIT spill the accumulators). A last panel of
/// fewer than MR rows runs as a tile of exactly its rows.
/// </para>
/// <para>
/// B is addressed through a table of row offsets (row p starts at <c>b + bRows[p]</c>), so a convolution can
/// multiply shifted views of its padded input planes without unfolding them; a plain strided B is the table
/// <c>p * ldb</c>.
/// </para>
/// <para>
/// Columns: full tiles of NR vectors, then the ragged end as one tile that ends exactly at column n and overlaps
/// the previous one (its columns are recomputed with the same order of operations, so they get the same values).
/// When n is narrower than one vector, the columns are copied to a zero-padded strip (or B is read directly when the
/// caller guarantees a vector's worth of readable columns) and the tile is stored through a temporary. Each C element
/// is a sum over p in increasing order, one fused multiply-add per step.
/// </para>
/// </remarks>
[SkipLocalsInit]
internal static class Gemm
{
    /// <summary>Rows of C per packed panel of A: one tile with 512-bit vectors, two tiles of 4 otherwise.</summary>
    public const int MR = 8;

    /// <summary>Vectors along the columns of C per full micro-tile.</summary>
    public const int NR = 3;

    /// <summary>The widest vector, in floats; buffers that must hold one vector of any width use this.</summary>
    public const int MaxLanes = 16;

    // The tallest panel of A (ConvTranspose2d packs 2 MR rows per panel).
    private const int MaxPanelRows = 2 * MR;

    // Output channels per tile below 512 bits: 3 x 4 accumulators + 3 vectors of B + 1 broadcast in 16 registers.
    private const int NarrowChannels = 4;

    // Floats of stack for the zero-padded strip of B when n is narrower than a vector (a pooled array beyond).
    private const int MaxStripFloats = 4096;

    // Row offsets of a strided B kept on the stack up to this reduction length (a pooled array beyond).
    private const int MaxStackRows = 4096;

    /// <summary>Floats of <see cref="PackA"/>'s output for an m x k matrix.</summary>
    public static int PackedLength(int m, int k) => checked((m + MR - 1) / MR * MR * k);

    /// <summary>
    /// Packs row-major A (m x k, row stride <paramref name="lda"/>) into panels <c>[ceil(m/MR)][k][MR]</c>; rows past
    /// m are zero.
    /// </summary>
    public static void PackA(ReadOnlySpan<float> a, int m, int k, int lda, Span<float> packed)
    {
        int panels = (m + MR - 1) / MR;
        for (int panel = 0; panel < panels; panel++)
        {
            Span<float> dst = packed.Slice(panel * MR * k, MR * k);
            for (int r = 0; r < MR; r++)
            {
                int row = panel * MR + r;
                if (row < m)
                {
                    ReadOnlySpan<float> src = a.Slice(row * lda, k);
                    for (int p = 0; p < k; p++) dst[p * MR + r] = src[p];
                }
                else
                {
                    for (int p = 0; p < k; p++) dst[p * MR + r] = 0f;
                }
            }
        }
    }

    /// <summary>
    /// C = epilogue(bias + A B) on packed A (<see cref="PackA"/>, or panels of <paramref name="panelRows"/> rows laid
    /// out the same way: a multiple of MR) and strided B (row p at <c>b + p * ldb</c>); <paramref name="bias"/> holds m
    /// values when <paramref name="hasBias"/>. <paramref name="bReadable"/> is how many columns of each row of B may be
    /// read (at least n); lengths are the caller's responsibility.
    /// </summary>
    public static void RunPacked<TOps, TVec>(ref float packedA, int m, int k, ref float b, nint ldb, int n, int bReadable,
        ref float c, nint ldc, ref float bias, bool hasBias, Epilogue epilogue, int panelRows = MR)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        int[]? rented = k <= MaxStackRows ? null : ArrayPool<int>.Shared.Rent(k);
        Span<int> rows = rented is null ? stackalloc int[k] : rented.AsSpan(0, k);
        for (int p = 0; p < rows.Length; p++) rows[p] = checked((int)(p * ldb));
        RunRows<TOps, TVec>(ref packedA, m, k, ref b, rows, n, bReadable, ref c, ldc, ref bias, hasBias, epilogue, panelRows);
        if (rented is not null) ArrayPool<int>.Shared.Return(rented);
    }

    // Out of line (never inlined): RunRows and its tiles run on every call of the CHW convolutions.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowArgument(string format, int a, int b, string name) =>
        throw new ArgumentException(string.Format(System.Globalization.CultureInfo.InvariantCulture, format, a, b), name);

    /// <summary>
    /// C = epilogue(bias + A B) on packed A with B row p at <c>b + bRows[p]</c> (<c>bRows.Length == k</c>).
    /// </summary>
    /// <remarks>
    /// With <paramref name="segments"/> &gt; 1 the columns of C are that many segments of n columns, back to back
    /// (a row of C is segments x n wide), segment s reading the columns of B from <c>s * bSegmentStride</c> on: a
    /// convolution whose B rows are padded planes then writes its output rows directly, without computing the padding
    /// columns between them. Needs n of at least a vector.
    /// </remarks>
    public static void RunRows<TOps, TVec>(ref float packedA, int m, int k, ref float b, ReadOnlySpan<int> bRows, int n, int bReadable,
        ref float c, nint ldc, ref float bias, bool hasBias, Epilogue epilogue, int panelRows = MR, int segments = 1, nint bSegmentStride = 0)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        if (m <= 0 || n <= 0) return;
        if (segments > 1 && n < TOps.Count) ThrowArgument("Segments of C need at least {0} columns, got {1}.", TOps.Count, n, nameof(n));
        switch (epilogue.Activation)
        {
            case ActivationKind.ReLU: Run<TOps, TVec, ReLU>(ref packedA, m, k, ref b, bRows, n, bReadable, ref c, ldc, ref bias, hasBias, default, epilogue, panelRows, segments, bSegmentStride); break;
            case ActivationKind.ReLU6: Run<TOps, TVec, ReLU6>(ref packedA, m, k, ref b, bRows, n, bReadable, ref c, ldc, ref bias, hasBias, default, epilogue, panelRows, segments, bSegmentStride); break;
            default: Run<TOps, TVec, Identity>(ref packedA, m, k, ref b, bRows, n, bReadable, ref c, ldc, ref bias, hasBias, default, epilogue, panelRows, segments, bSegmentStride); break;
        }
    }

    // TAct: the activation the tiles apply as they store (ReLU, ReLU6, else none: then the epilogue's activation runs
    // over each panel's rows after its tiles).
    private static void Run<TOps, TVec, TAct>(ref float packedA, int m, int k, ref float b, ReadOnlySpan<int> bRows, int n, int bReadable,
        ref float c, nint ldc, ref float bias, bool hasBias, TAct act, Epilogue epilogue, int panelRows, int segments, nint bSegmentStride)
        where TOps : IVectorOps<TVec> where TVec : struct where TAct : struct, IActivation
    {
        if (panelRows % MR != 0 || panelRows > MaxPanelRows) ThrowArgument("A panel has MR or 2 MR rows, got {0}.", panelRows, 0, nameof(panelRows));
        bool activateRows = typeof(TAct) == typeof(Identity) && epilogue.Activation != ActivationKind.None;
        Span<float> zeroBias = stackalloc float[MR];
        zeroBias.Clear();
        if (n < TOps.Count)
        {
            NarrowColumns<TOps, TVec, TAct>(ref packedA, m, k, ref b, bRows, n, bReadable, ref c, ldc,
                ref hasBias ? ref bias : ref MemoryMarshal.GetReference(zeroBias), hasBias, act, epilogue, activateRows, panelRows);
            return;
        }

        scoped ColumnTiles<TOps, TVec, TAct> job = new(act)
        {
            Args = new TileArgs
            {
                WeightRowStride = TOps.Count,
                Taps = bRows,
                InnerStride = panelRows,
                OutputRowStride = TOps.Count,
                OutputPositionStride = ldc,
                BiasRowStride = hasBias ? 1 : 0,
            },
        };
        for (int i0 = 0; i0 < m; i0 += panelRows)
        {
            int rows = Math.Min(panelRows, m - i0);
            ref float panel = ref Unsafe.Add(ref packedA, (nint)i0 * k);
            ref float panelBias = ref hasBias ? ref Unsafe.Add(ref bias, i0) : ref MemoryMarshal.GetReference(zeroBias);
            int part = TOps.Count == MaxLanes ? MR : NarrowChannels;
            for (int r0 = 0; r0 < rows; r0 += part)
            {
                job.Args.Input = ref Unsafe.Add(ref panel, r0);
                job.Args.Bias = ref Unsafe.Add(ref panelBias, hasBias ? r0 : 0);
                for (int s = 0; s < segments; s++)
                {
                    job.Args.Weights = ref Unsafe.Add(ref b, s * bSegmentStride);
                    job.Args.Output = ref Unsafe.Add(ref c, (i0 + r0) * ldc + (nint)s * n);
                    PanelColumns(Math.Min(part, rows - r0), n, ref job);
                }
            }

            if (activateRows) ActivateRows<TOps, TVec>(ref Unsafe.Add(ref c, i0 * ldc), ldc, rows, segments * n, epilogue);
        }
    }

    // The tiles of `channels` rows of C across all n >= lanes columns: full tiles of NR vectors, then the ragged end as
    // one tile of 1..NR vectors ending at column n, overlapping what came before.
    private static void PanelColumns<TOps, TVec, TAct>(int channels, int n, scoped ref ColumnTiles<TOps, TVec, TAct> job)
        where TOps : IVectorOps<TVec> where TVec : struct where TAct : struct, IActivation
    {
        int lanes = TOps.Count;
        int full = n / (NR * lanes);
        if (full > 0)
        {
            job.First = 0;
            job.Count = full;
            TileDriver.WithShape(NR, channels, PackedGemm.Value, ref job);
        }

        int rest = n - full * NR * lanes;
        if (rest == 0) return;
        int vectors = (rest + lanes - 1) / lanes;
        int start = n - vectors * lanes;
        job.Count = 1;
        if (start < 0)
        {
            // Only when n < NR vectors and not a whole number of them: full vectors from 0, then one ending at n.
            job.First = 0;
            TileDriver.WithShape(n / lanes, channels, PackedGemm.Value, ref job);
            vectors = 1;
            start = n - lanes;
        }

        job.First = start;
        TileDriver.WithShape(vectors, channels, PackedGemm.Value, ref job);
    }

    // Column tiles of one panel part for one tile shape: Count tiles of TRows vectors from column First, B and C at
    // column 0 being Args.Weights and Args.Output.
    private ref struct ColumnTiles<TOps, TVec, TAct> : TileDriver.IShapeJob
        where TOps : IVectorOps<TVec> where TVec : struct where TAct : struct, IActivation
    {
        public TileArgs Args;
        public int First;
        public int Count;
        private readonly TAct _act;

        public ColumnTiles(TAct act) => _act = act;

        public void Run<TRows, TPositions, TStride>() where TRows : struct, IConstant where TPositions : struct, IConstant where TStride : struct, IConstant =>
            Tiles<TOps, TVec, TRows, TPositions, TAct>(ref Args, First, Count, _act);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Tiles<TOps, TVec, TRows, TPositions, TAct>(scoped ref TileArgs args, int first, int count, TAct act)
        where TOps : IVectorOps<TVec> where TVec : struct where TRows : struct, IConstant where TPositions : struct, IConstant where TAct : struct, IActivation
    {
        ref float b = ref args.Weights, c = ref args.Output;
        nint width = (nint)TRows.Value * TOps.Count;
        for (nint j = first, end = first + count * width; j < end; j += width)
        {
            args.Weights = ref Unsafe.Add(ref b, j);
            args.Output = ref Unsafe.Add(ref c, j);
            TileKernel.Run<TOps, TVec, TRows, TPositions, PackedGemm, TAct>(ref args, act);
        }

        args.Weights = ref b;
        args.Output = ref c;
    }

    // The activation over the first `width` columns of `rows` rows of C, once per element, after the tiles stored
    // biased sums. Kept out of the tiles so their accumulators stay in registers.
    private static void ActivateRows<TOps, TVec>(ref float c, nint ldc, int rows, int width, Epilogue epilogue)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        for (int r = 0; r < rows; r++) ActivateInPlace<TOps, TVec>(ref Unsafe.Add(ref c, r * ldc), width, epilogue);
    }

    /// <summary>
    /// Applies the epilogue's activation to <c>data[0 .. length)</c> in place, each element exactly once: the last
    /// vector is loaded before anything is stored and written last, so it may overlap the one before it.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ActivateInPlace<TOps, TVec>(ref float data, int length, Epilogue epilogue)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        if (epilogue.Activation == ActivationKind.None) return;
        int lanes = TOps.Count;
        if (length < lanes)
        {
            for (int i = 0; i < length; i++) Unsafe.Add(ref data, i) = epilogue.Apply(Unsafe.Add(ref data, i));
            return;
        }

        ref float tail = ref Unsafe.Add(ref data, length - lanes);
        TVec last = TOps.Load(ref tail);
        for (int i = 0; i < length - lanes; i += lanes)
        {
            ref float at = ref Unsafe.Add(ref data, i);
            TOps.Store(epilogue.Apply<TOps, TVec>(TOps.Load(ref at)), ref at);
        }

        TOps.Store(epilogue.Apply<TOps, TVec>(last), ref tail);
    }

    // n < lanes: one vector covers every column. Read B through a zero-padded strip (or directly when a vector's worth
    // of each row is readable), compute 1-vector tiles into a temporary, store the n valid columns. The strip lives
    // on the stack when small and in pooled arrays otherwise (allocation-free once the pool holds them).
    private static void NarrowColumns<TOps, TVec, TAct>(ref float packedA, int m, int k, ref float b, ReadOnlySpan<int> bRows, int n, int bReadable,
        ref float c, nint ldc, ref float bias, bool hasBias, TAct act, Epilogue epilogue, bool activateRows, int panelRows)
        where TOps : IVectorOps<TVec> where TVec : struct where TAct : struct, IActivation
    {
        int lanes = TOps.Count;
        bool copyStrip = bReadable < lanes;
        int stripLength = copyStrip ? k * lanes : 0;
        bool pooled = stripLength > MaxStripFloats;
        float[]? pooledStrip = pooled ? ArrayPool<float>.Shared.Rent(stripLength) : null;
        int[]? pooledRows = pooled ? ArrayPool<int>.Shared.Rent(k) : null;
        Span<float> strip = pooledStrip is null ? stackalloc float[stripLength] : pooledStrip.AsSpan(0, stripLength);
        Span<int> stripRows = pooledRows is null ? stackalloc int[copyStrip ? k : 0] : pooledRows.AsSpan(0, k);
        NarrowTiles<TOps, TVec, TAct>(ref packedA, m, k, ref b, bRows, n, copyStrip, strip, stripRows, ref c, ldc, ref bias, hasBias, act,
            epilogue, activateRows, panelRows);
        if (pooledStrip is not null) ArrayPool<float>.Shared.Return(pooledStrip);
        if (pooledRows is not null) ArrayPool<int>.Shared.Return(pooledRows);
    }

    private static void NarrowTiles<TOps, TVec, TAct>(ref float packedA, int m, int k, ref float b, ReadOnlySpan<int> bRows, int n,
        bool copyStrip, Span<float> strip, Span<int> stripRows, ref float c, nint ldc, ref float bias, bool hasBias, TAct act,
        Epilogue epilogue, bool activateRows, int panelRows)
        where TOps : IVectorOps<TVec> where TVec : struct where TAct : struct, IActivation
    {
        int lanes = TOps.Count;
        ReadOnlySpan<int> rowTable = bRows;
        ref float bStrip = ref b;
        if (copyStrip)
        {
            for (int p = 0; p < k; p++)
            {
                Span<float> row = strip.Slice(p * lanes, lanes);
                MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref b, bRows[p]), n).CopyTo(row);
                row.Slice(n).Clear();
                stripRows[p] = p * lanes;
            }

            bStrip = ref MemoryMarshal.GetReference(strip);
            rowTable = stripRows;
        }

        Span<float> tile = stackalloc float[MaxPanelRows * MaxLanes];
        ref float tileRef = ref MemoryMarshal.GetReference(tile);
        scoped ColumnTiles<TOps, TVec, TAct> job = new(act)
        {
            Args = new TileArgs
            {
                WeightRowStride = lanes,
                Taps = rowTable,
                InnerStride = panelRows,
                OutputRowStride = lanes,
                OutputPositionStride = MaxLanes,
                BiasRowStride = hasBias ? 1 : 0,
            },
            First = 0,
            Count = 1,
        };
        int part = lanes == MaxLanes ? MR : NarrowChannels;
        for (int i0 = 0; i0 < m; i0 += panelRows)
        {
            int rows = Math.Min(panelRows, m - i0);
            ref float panel = ref Unsafe.Add(ref packedA, (nint)i0 * k);
            for (int r0 = 0; r0 < rows; r0 += part)
            {
                job.Args.Input = ref Unsafe.Add(ref panel, r0);
                job.Args.Bias = ref Unsafe.Add(ref bias, hasBias ? i0 + r0 : 0);
                job.Args.Weights = ref bStrip;
                job.Args.Output = ref Unsafe.Add(ref tileRef, r0 * MaxLanes);
                TileDriver.WithShape(1, Math.Min(part, rows - r0), PackedGemm.Value, ref job);
            }

            if (activateRows) ActivateRows<TOps, TVec>(ref tileRef, MaxLanes, rows, lanes, epilogue);
            for (int r = 0; r < rows; r++)
                tile.Slice(r * MaxLanes, n).CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.Add(ref c, (i0 + r) * ldc), n));
        }
    }
}
