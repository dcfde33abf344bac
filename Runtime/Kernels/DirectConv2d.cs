using System.Buffers;
using ConvGen.Runtime.Simd;

namespace ConvGen.Runtime.Kernels;

/// <summary>
/// PyTorch <c>Conv2d</c> (cross-correlation, batch 1) to a <see cref="TensorLayout.Blocked16"/> output, computed
/// directly with the register-tiled <see cref="TileKernel"/>: each tile holds Blocks x 16 output channels at Positions
/// consecutive positions of one output row, and accumulates, per input block, kernel tap and input channel, a
/// weight vector times a broadcast input value. Padding taps read zeros of a padded copy of the input.
/// </summary>
/// <remarks>
/// The input is blocked (any channel count) or CHW (first layers with a few channels, groups = 1). The epilogue adds
/// the bias, then the residual (same shape and layout as the output; it may be the output span itself), then applies
/// the activation, as the tile stores. Padding lanes of the output are zero. Input and output must not overlap.
/// </remarks>
[SkipLocalsInit]
public static partial class DirectConv2d
{
    // Taps whose table stays on the stack (8 KB); more use a pooled array.
    private const int StackTaps = 1024;

    /// <summary>
    /// Packs PyTorch weights <c>[OutChannels, InChannels/Groups, KH, KW]</c> (BatchNorm already folded) and the bias
    /// (empty: none) into the layout of <see cref="PackedLength"/>. Done once, at load.
    /// </summary>
    public static float[] Pack(ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, in Conv2dGeometry g)
    {
        g.Validate();
        Conv2d.CheckLength(weights.Length, g.WeightLength, nameof(weights));
        Conv2d.CheckBias(bias.Length, g.OutChannels);
        var packed = new float[PackedLengthUnchecked(g)];
        int outBlocks = Blocked16.Blocks(g.OutChannelsPerGroup), inBlocks = Blocked16.Blocks(g.InChannelsPerGroup);
        int rows = RowsPerTap(g), kh = g.KernelHeight, kw = g.KernelWidth;
        int cinG = g.InChannelsPerGroup, coutG = g.OutChannelsPerGroup;
        int at = 0;
        for (int group = 0; group < g.Groups; group++)
            for (int ob = 0; ob < outBlocks; ob++)
                for (int ib = 0; ib < inBlocks; ib++)
                    for (int y = 0; y < kh; y++)
                        for (int x = 0; x < kw; x++)
                            for (int r = 0; r < rows; r++, at += Blocked16.Lanes)
                            {
                                int ci = ib * rows + r;
                                if (ci >= cinG) continue;
                                for (int l = 0; l < Blocked16.Lanes; l++)
                                {
                                    int co = ob * Blocked16.Lanes + l;
                                    if (co >= coutG) break;
                                    packed[at + l] = weights[(((group * coutG + co) * cinG + ci) * kh + y) * kw + x];
                                }
                            }

        bias.CopyTo(packed.AsSpan(at));
        return packed;
    }

    /// <summary>
    /// Runs the convolution: <paramref name="input"/> in <paramref name="inputLayout"/>, <paramref name="output"/>
    /// blocked; <paramref name="packed"/> from <see cref="Pack"/>; <paramref name="residual"/> empty or the output's
    /// length; <paramref name="tile"/> accepted by <see cref="TileRejects(in Conv2dGeometry, ConvTile)"/>;
    /// <paramref name="workspace"/> at least <see cref="WorkspaceLength"/> floats.
    /// </summary>
    public static void Run<TAct>(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packed, ReadOnlySpan<float> residual,
        in Conv2dGeometry g, TensorLayout inputLayout, ConvTile tile, TAct activation, Span<float> workspace)
        where TAct : struct, IActivation
        => Run(0, input, output, packed, residual, g, inputLayout, tile, activation, workspace);

    /// <summary>The public <c>Run</c> at <paramref name="lanes"/> (16, 8, 4, 1; 0 for the widest): tests run every width.</summary>
    internal static void Run<TAct>(int lanes, ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packed, ReadOnlySpan<float> residual,
        in Conv2dGeometry g, TensorLayout inputLayout, ConvTile tile, TAct activation, Span<float> workspace)
        where TAct : struct, IActivation
    {
        g.Validate();
        string? problem = Rejects(g, inputLayout) ?? TileRejects(g, tile);
        Conv2d.CheckRuns(problem, "DirectConv2d", g);
        CheckSpans(input, output, packed, residual, g, inputLayout);
        RunChecked(lanes, input, output, packed, residual, g, inputLayout, tile, activation, workspace);
    }

    /// <summary><c>Run</c> on a geometry, tile and spans already checked (PointwiseConv2d checks its own, then runs the flattened geometry).</summary>
    internal static void RunChecked<TAct>(int lanes, ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packed, ReadOnlySpan<float> residual,
        in Conv2dGeometry g, TensorLayout inputLayout, ConvTile tile, TAct activation, Span<float> workspace)
        where TAct : struct, IActivation
    {
        int needed = WorkspaceLengthUnchecked(g, inputLayout);
        Conv2d.CheckWorkspace(workspace.Length, needed, "DirectConv2d", g);
        var job = new Job<TAct>(input, output, packed, residual, workspace.Slice(0, needed), g, inputLayout, tile, activation);
        WidthDispatch.Run(lanes, ref job);
    }

    internal static string Describe(in Conv2dGeometry g) =>
        $"{g.InChannels}x{g.InHeight}x{g.InWidth} -> {g.OutChannels}x{g.OutHeight}x{g.OutWidth}, kernel {g.KernelHeight}x{g.KernelWidth}, stride {g.StrideHeight}x{g.StrideWidth}, pad {g.PadTop},{g.PadLeft}, dilation {g.DilationHeight}x{g.DilationWidth}, groups {g.Groups}";

    // The spans' lengths for a validated geometry.
    internal static void CheckSpans(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packed, ReadOnlySpan<float> residual,
        in Conv2dGeometry g, TensorLayout inputLayout)
    {
        Conv2d.CheckLength(input.Length, Blocked16.Length(inputLayout, g.InChannels, g.InHeight * g.InWidth), nameof(input));
        int outputLength = Blocked16.Length(g.OutChannels, g.OutHeight * g.OutWidth);
        Conv2d.CheckLength(output.Length, outputLength, nameof(output));
        Conv2d.CheckLength(packed.Length, PackedLengthUnchecked(g), nameof(packed));
        if (!residual.IsEmpty) Conv2d.CheckLength(residual.Length, outputLength, nameof(residual));
        if (input.Overlaps(output)) throw new ArgumentException("input and output must not overlap.", nameof(output));
    }

    private readonly ref struct Job<TAct>(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packed, ReadOnlySpan<float> residual,
        Span<float> workspace, Conv2dGeometry g, TensorLayout inputLayout, ConvTile tile, TAct activation) : IWidthKernel
        where TAct : struct, IActivation
    {
        private readonly ReadOnlySpan<float> _input = input, _packed = packed, _residual = residual;
        private readonly Span<float> _output = output, _workspace = workspace;

        public void Run<TOps, TVec>() where TOps : IVectorOps<TVec> where TVec : struct =>
            Convolve<TOps, TVec, TAct>(_input, _output, _packed, _residual, _workspace, g, inputLayout, tile, activation);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Convolve<TOps, TVec, TAct>(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packed,
        ReadOnlySpan<float> residual, Span<float> workspace, in Conv2dGeometry g, TensorLayout inputLayout, ConvTile tile, TAct act)
        where TOps : IVectorOps<TVec> where TVec : struct where TAct : struct, IActivation
    {
        bool blocked = inputLayout == TensorLayout.Blocked16;
        int hp = PaddedHeight(g), wp = PaddedWidth(g);
        ReadOnlySpan<float> x = input;
        if (CopiesInput(g))
        {
            RowCopy.PadPlanes(input, workspace, blocked ? Blocked16.Blocks(g.InChannels) : g.InChannels, blocked ? Blocked16.Lanes : 1,
                g.InHeight, g.InWidth, g.PadTop, g.PadLeft, hp, wp);
            x = workspace;
        }

        int inBlocks = Blocked16.Blocks(g.InChannelsPerGroup), outBlocks = Blocked16.Blocks(g.OutChannelsPerGroup);
        int rows = RowsPerTap(g), kh = g.KernelHeight, kw = g.KernelWidth, cinG = g.InChannelsPerGroup;
        // A CHW input of one channel: a kernel row is one tap whose inner steps are its columns (the packed weights of
        // consecutive columns are consecutive vectors, the inputs DilationWidth floats apart), so the tile loops once
        // per kernel row rather than once per multiply-add step.
        bool rowTaps = !blocked && cinG == 1;
        int taps = rowTaps ? kh : inBlocks * kh * kw;
        int[]? rented = taps <= StackTaps ? null : ArrayPool<int>.Shared.Rent(2 * taps);
        Span<int> table = rented is null ? stackalloc int[2 * taps] : rented.AsSpan(0, 2 * taps);
        // Blocked: a position is 16 floats and an input block a padded plane of them; CHW: a position is one float
        // and `rows` channels are consecutive padded planes.
        nint plane = (nint)hp * wp, unit = blocked ? Blocked16.Lanes : 1;
        nint blockStride = blocked ? plane * Blocked16.Lanes : plane * rows;
        int t = 0;
        for (int ib = 0; ib < inBlocks; ib++)
        {
            int steps = Math.Min(rows, cinG - ib * rows);
            for (int y = 0; y < kh; y++)
                for (int xk = 0; xk < (rowTaps ? 1 : kw); xk++, t++)
                {
                    table[2 * t] = checked((int)(ib * blockStride + ((nint)y * g.DilationHeight * wp + (nint)xk * g.DilationWidth) * unit));
                    table[2 * t + 1] = rowTaps ? kw : steps;
                }
        }

        nint weightBlock = (nint)inBlocks * kh * kw * rows * Blocked16.Lanes;
        nint outputBlock = (nint)g.OutHeight * g.OutWidth * Blocked16.Lanes;
        ref float w = ref MemoryMarshal.GetReference(packed);
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(output);
        ref float rr = ref MemoryMarshal.GetReference(residual);
        ref float bias = ref Unsafe.Add(ref w, (nint)g.Groups * outBlocks * weightBlock);
        for (int group = 0; group < g.Groups; group++)
        {
            var problem = new TileProblem
            {
                Weights = ref Unsafe.Add(ref w, group * outBlocks * weightBlock),
                WeightBlockStride = weightBlock,
                WeightTapStride = (nint)(rowTaps ? kw : rows) * Blocked16.Lanes,
                Taps = table,
                Input = ref Unsafe.Add(ref xr, group * inBlocks * blockStride),
                InputRowStride = (nint)g.StrideHeight * wp * unit,
                PositionStride = g.StrideWidth * unit,
                InnerStride = blocked ? 1 : rowTaps ? g.DilationWidth : plane,
                Blocks = outBlocks,
                Rows = g.OutHeight,
                Columns = g.OutWidth,
                Output = ref Unsafe.Add(ref yr, group * outBlocks * outputBlock),
                OutputBlockStride = outputBlock,
                OutputRowStride = (nint)g.OutWidth * Blocked16.Lanes,
                OutputPositionStride = Blocked16.Lanes,
                HasResidual = !residual.IsEmpty,
                Residual = ref Unsafe.Add(ref rr, residual.IsEmpty ? 0 : group * outBlocks * outputBlock),
                Bias = ref Unsafe.Add(ref bias, group * outBlocks * Blocked16.Lanes),
                LastBlockLanes = g.OutChannelsPerGroup - (outBlocks - 1) * Blocked16.Lanes,
            };
            TileDriver.Run<TOps, TVec, TAct>(ref problem, tile, act);
        }

        if (rented is not null) ArrayPool<int>.Shared.Return(rented);
    }
}
