using ConvGen.Runtime.Simd;

namespace ConvGen.Runtime.Kernels;

/// <summary><c>torch.nn.PReLU</c>: y = x &gt; 0 ? x : a·x, with one learned slope or one per channel; either layout.</summary>
public static class ParametricReLU
{
    /// <summary><paramref name="slopes"/> has 1 or <paramref name="channels"/> values; <paramref name="y"/> may be <paramref name="x"/>.</summary>
    public static void Forward(ReadOnlySpan<float> x, Span<float> y, ReadOnlySpan<float> slopes, TensorLayout layout, int channels, int positions)
        => Forward(0, x, y, slopes, layout, channels, positions);

    internal static void Forward(int lanes, ReadOnlySpan<float> x, Span<float> y, ReadOnlySpan<float> slopes, TensorLayout layout, int channels, int positions)
    {
        if (channels < 1 || positions < 1) throw new ArgumentException($"channels {channels} and positions {positions} must be at least 1.");
        if (slopes.Length != 1 && slopes.Length != channels) throw new ArgumentException($"PReLU needs 1 or {channels} slopes, got {slopes.Length}.", nameof(slopes));
        int length = Blocked16.Length(layout, channels, positions);
        Conv2d.CheckLength(x.Length, length, nameof(x));
        Conv2d.CheckLength(y.Length, length, nameof(y));
        var job = new Job(x, y, slopes, layout, channels, positions);
        WidthDispatch.Run(lanes, ref job);
    }

    private readonly ref struct Job(ReadOnlySpan<float> x, Span<float> y, ReadOnlySpan<float> slopes, TensorLayout layout, int channels, int positions) : IWidthKernel
    {
        private readonly ReadOnlySpan<float> _x = x, _slopes = slopes;
        private readonly Span<float> _y = y;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run<TOps, TVec>() where TOps : IVectorOps<TVec> where TVec : struct
        {
            ref float xr = ref MemoryMarshal.GetReference(_x), yr = ref MemoryMarshal.GetReference(_y);
            bool shared = _slopes.Length == 1;
            if (layout == TensorLayout.Chw)
            {
                for (int c = 0; c < channels; c++)
                    Row<TOps, TVec>(ref Unsafe.Add(ref xr, (nint)c * positions), ref Unsafe.Add(ref yr, (nint)c * positions), positions,
                        TOps.Create(_slopes[shared ? 0 : c]), _slopes[shared ? 0 : c]);
                return;
            }
            Span<float> a16 = stackalloc float[Blocked16.Lanes];
            for (int k = 0; k < Blocked16.Blocks(channels); k++)
            {
                // Padding lanes are 0 and stay 0 whatever their slope.
                if (shared) a16.Fill(_slopes[0]);
                else Blocked16.LoadBlock(_slopes, k, channels, a16);
                nint plane = (nint)k * positions * Blocked16.Lanes;
                for (int part = 0; part < Blocked16.Lanes; part += TOps.Count)
                {
                    TVec a = TOps.Load(ref a16[part]);
                    for (int p = 0; p < positions; p++)
                    {
                        nint at = plane + (nint)p * Blocked16.Lanes + part;
                        TVec v = TOps.Load(ref Unsafe.Add(ref xr, at));
                        TOps.Store(TOps.SelectGreater(v, TOps.Zero, v, TOps.Multiply(v, a)), ref Unsafe.Add(ref yr, at));
                    }
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Row<TOps, TVec>(ref float x, ref float y, int n, TVec a, float slope) where TOps : IVectorOps<TVec> where TVec : struct
        {
            if (n < TOps.Count)
            {
                for (int i = 0; i < n; i++) { float v = Unsafe.Add(ref x, i); Unsafe.Add(ref y, i) = v > 0 ? v : v * slope; }
                return;
            }
            nint last = n - TOps.Count;
            TVec lv = TOps.Load(ref Unsafe.Add(ref x, last));
            TVec lastY = TOps.SelectGreater(lv, TOps.Zero, lv, TOps.Multiply(lv, a));
            for (nint i = 0; i < last; i += TOps.Count)
            {
                TVec v = TOps.Load(ref Unsafe.Add(ref x, i));
                TOps.Store(TOps.SelectGreater(v, TOps.Zero, v, TOps.Multiply(v, a)), ref Unsafe.Add(ref y, i));
            }
            TOps.Store(lastY, ref Unsafe.Add(ref y, last));
        }
    }
}

/// <summary>
/// Copies and relabellings of CHW (and channel-blocked) tensors: one piece along a dimension (<c>torch.chunk</c>,
/// <c>torch.split</c>), and a permutation of the dimensions (<c>Tensor.permute</c>).
/// </summary>
public static class TensorCopy
{
    /// <summary>
    /// The piece [start, start + length) along the middle axis of x viewed as [outer, axis, inner] (CHW): y is
    /// [outer, length, inner].
    /// </summary>
    public static void Slice(ReadOnlySpan<float> x, Span<float> y, int outer, int axis, int inner, int start, int length)
    {
        if (outer < 1 || axis < 1 || inner < 1 || start < 0 || length < 1 || start + length > axis)
            throw new ArgumentException($"[{start}, {start + length}) is not a piece of an axis of {axis} (outer {outer}, inner {inner}).");
        Conv2d.CheckLength(x.Length, outer * axis * inner, nameof(x));
        Conv2d.CheckLength(y.Length, outer * length * inner, nameof(y));
        for (int o = 0; o < outer; o++)
            x.Slice((o * axis + start) * inner, length * inner).CopyTo(y.Slice(o * length * inner));
    }

    /// <summary>
    /// Channels [start, start + length) of a blocked tensor of <paramref name="channels"/> channels × <paramref name="positions"/>,
    /// <paramref name="start"/> a multiple of 16: whole blocks copied, the padding lanes of the last one cleared.
    /// </summary>
    public static void SliceChannelsBlocked(ReadOnlySpan<float> x, Span<float> y, int channels, int positions, int start, int length)
    {
        if (start < 0 || start % Blocked16.Lanes != 0 || length < 1 || start + length > channels || positions < 1)
            throw new ArgumentException($"Channels [{start}, {start + length}) of {channels} do not start on a block.");
        Conv2d.CheckLength(x.Length, Blocked16.Length(TensorLayout.Blocked16, channels, positions), nameof(x));
        Conv2d.CheckLength(y.Length, Blocked16.Length(TensorLayout.Blocked16, length, positions), nameof(y));
        x.Slice(start / Blocked16.Lanes * positions * Blocked16.Lanes, y.Length).CopyTo(y);
        Blocked16.ClearPadding(y, length, positions);
    }

    /// <summary>
    /// y (CHW, of <paramref name="sizes"/>) = x read at <paramref name="strides"/>: a permutation of x's dimensions
    /// (each output dimension's stride in x).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Permute(ReadOnlySpan<float> x, Span<float> y, in Dims4 sizes, in Dims4 strides)
    {
        Dims4 n = sizes, s = strides;
        if (n.D0 < 1 || n.D1 < 1 || n.D2 < 1 || n.D3 < 1) throw new ArgumentException($"sizes {n} must be at least 1.", nameof(sizes));
        int count = n.D0 * n.D1 * n.D2 * n.D3;
        Conv2d.CheckLength(x.Length, count, nameof(x));
        Conv2d.CheckLength(y.Length, count, nameof(y));
        Broadcast.CheckReach(x.Length, s, n, nameof(x));
        ref float xr = ref MemoryMarshal.GetReference(x), yr = ref MemoryMarshal.GetReference(y);
        nint o = 0;
        for (int i0 = 0; i0 < n.D0; i0++)
            for (int i1 = 0; i1 < n.D1; i1++)
                for (int i2 = 0; i2 < n.D2; i2++)
                {
                    nint at = (nint)i0 * s.D0 + (nint)i1 * s.D1 + (nint)i2 * s.D2;
                    for (int i3 = 0; i3 < n.D3; i3++, o++) Unsafe.Add(ref yr, o) = Unsafe.Add(ref xr, at + (nint)i3 * s.D3);
                }
    }
}

/// <summary>
/// <c>torch.nn.LayerNorm</c> and torchvision's <c>LayerNorm2d</c>: y = (x - mean) / sqrt(var + eps) · weight + bias, mean
/// and biased variance over the middle axis of x viewed as [outer, axis, inner] (LayerNorm: inner 1, the last
/// dimensions flattened into axis; LayerNorm2d: the channels, inner = H·W). Statistics in double, two passes.
/// </summary>
public static class LayerNormalization
{
    /// <summary>Positions normalised together (LayerNorm2d): their running sums fit the stack.</summary>
    private const int Chunk = 64;

    /// <summary><paramref name="weight"/> and <paramref name="bias"/> have <paramref name="axis"/> values, or are empty (no affine, no bias); y may be x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(ReadOnlySpan<float> x, Span<float> y, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, int outer, int axis, int inner, float eps)
    {
        if (outer < 1 || axis < 1 || inner < 1) throw new ArgumentException($"outer {outer}, axis {axis} and inner {inner} must be at least 1.");
        Conv2d.CheckLength(x.Length, outer * axis * inner, nameof(x));
        Conv2d.CheckLength(y.Length, outer * axis * inner, nameof(y));
        if (!weight.IsEmpty) Conv2d.CheckLength(weight.Length, axis, nameof(weight));
        if (!bias.IsEmpty) Conv2d.CheckLength(bias.Length, axis, nameof(bias));
        Span<double> mean = stackalloc double[Chunk], scale = stackalloc double[Chunk];
        for (int o = 0; o < outer; o++)
        {
            int plane = o * axis * inner;
            for (int p0 = 0; p0 < inner; p0 += Chunk)
            {
                int m = Math.Min(Chunk, inner - p0);
                mean.Slice(0, m).Clear();
                scale.Slice(0, m).Clear();
                for (int a = 0; a < axis; a++)
                {
                    ReadOnlySpan<float> row = x.Slice(plane + a * inner + p0, m);
                    for (int j = 0; j < m; j++) mean[j] += row[j];
                }
                for (int j = 0; j < m; j++) mean[j] /= axis;
                for (int a = 0; a < axis; a++)
                {
                    ReadOnlySpan<float> row = x.Slice(plane + a * inner + p0, m);
                    for (int j = 0; j < m; j++) { double d = row[j] - mean[j]; scale[j] += d * d; }
                }
                for (int j = 0; j < m; j++) scale[j] = 1.0 / Math.Sqrt(scale[j] / axis + eps);
                for (int a = 0; a < axis; a++)
                {
                    double w = weight.IsEmpty ? 1.0 : weight[a], b = bias.IsEmpty ? 0.0 : bias[a];
                    int at = plane + a * inner + p0;
                    for (int j = 0; j < m; j++) y[at + j] = (float)((x[at + j] - mean[j]) * scale[j] * w + b);
                }
            }
        }
    }
}
