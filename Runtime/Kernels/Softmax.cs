using System.Runtime.Intrinsics;
using ConvGen.Runtime.Simd;

namespace ConvGen.Runtime.Kernels;

/// <summary>
/// Softmax and LogSoftmax over one axis of a tensor viewed as [outer, axis, inner]: the channels of a CHW tensor
/// are outer = 1, axis = C, inner = H*W; the features of a vector are outer = 1, axis = N, inner = 1.
/// </summary>
/// <remarks>
/// Numerically stable as PyTorch's: the maximum along the axis is subtracted before exp, so inputs of 1000 do not
/// overflow. softmax = exp(x - max) * (1 / sum); log_softmax = (x - max) - log(sum). With inner = 1 each row is
/// contiguous and vectorised along the axis; otherwise a vector holds adjacent inner positions and walks the axis
/// with stride inner, and the inner positions left over take the scalar path. y may be x itself.
/// </remarks>
public static class Softmax
{
    /// <summary>y = softmax(x) along the axis.</summary>
    public static void Forward(ReadOnlySpan<float> x, Span<float> y, int outer, int axis, int inner)
    {
        Check(x.Length, y.Length, outer, axis, inner);
        var job = new Job(x, y, outer, axis, inner, log: false);
        WidthDispatch.Run(ref job);
    }

    /// <summary>y = log_softmax(x) along the axis.</summary>
    public static void LogForward(ReadOnlySpan<float> x, Span<float> y, int outer, int axis, int inner)
    {
        Check(x.Length, y.Length, outer, axis, inner);
        var job = new Job(x, y, outer, axis, inner, log: true);
        WidthDispatch.Run(ref job);
    }

    private readonly ref struct Job(ReadOnlySpan<float> x, Span<float> y, int outer, int axis, int inner, bool log) : IWidthKernel
    {
        private readonly ReadOnlySpan<float> _x = x;
        private readonly Span<float> _y = y;

        public void Run<TOps, TVec>() where TOps : IVectorOps<TVec> where TVec : struct =>
            Softmax.Run<TOps, TVec>(ref MemoryMarshal.GetReference(_x), ref MemoryMarshal.GetReference(_y), outer, axis, inner, log);
    }

    internal static void Forward<TOps, TVec>(ReadOnlySpan<float> x, Span<float> y, int outer, int axis, int inner)
        where TOps : IVectorOps<TVec> where TVec : struct
        => Run<TOps, TVec>(ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(y), outer, axis, inner, log: false);

    internal static void LogForward<TOps, TVec>(ReadOnlySpan<float> x, Span<float> y, int outer, int axis, int inner)
        where TOps : IVectorOps<TVec> where TVec : struct
        => Run<TOps, TVec>(ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(y), outer, axis, inner, log: true);

    private static void Run<TOps, TVec>(ref float x, ref float y, int outer, int axis, int inner, bool log)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        if (axis == 0 || inner == 0) return;
        nint slab = (nint)axis * inner;
        for (int o = 0; o < outer; o++)
        {
            ref float xs = ref Unsafe.Add(ref x, o * slab);
            ref float ys = ref Unsafe.Add(ref y, o * slab);
            if (inner == 1)
            {
                Row<TOps, TVec>(ref xs, ref ys, axis, log);
                continue;
            }
            int j = 0;
            if (TOps.Count > 1)
                for (; j <= inner - TOps.Count; j += TOps.Count)
                    Columns<TOps, TVec>(ref Unsafe.Add(ref xs, j), ref Unsafe.Add(ref ys, j), axis, inner, log);
            for (; j < inner; j++)
                Columns<Scalar, float>(ref Unsafe.Add(ref xs, j), ref Unsafe.Add(ref ys, j), axis, inner, log);
        }
    }

    /// <summary>One contiguous row of <paramref name="n"/> &gt;= 1 values.</summary>
    private static void Row<TOps, TVec>(ref float x, ref float y, int n, bool log)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        int vectorEnd = TOps.Count > 1 ? n - n % TOps.Count : 0;

        float max = float.NegativeInfinity;
        if (vectorEnd > 0)
        {
            TVec m = TOps.Load(ref x);
            for (int i = TOps.Count; i < vectorEnd; i += TOps.Count) m = TOps.Max(m, TOps.Load(ref Unsafe.Add(ref x, i)));
            max = TOps.MaxAcross(m);
        }
        for (int i = vectorEnd; i < n; i++) max = MathF.Max(max, Unsafe.Add(ref x, i));

        // sum of exp(x - max); softmax keeps the exponentials in y.
        TVec maxV = TOps.Create(max);
        TVec sumV = TOps.Zero;
        for (int i = 0; i < vectorEnd; i += TOps.Count)
        {
            TVec e = TOps.Exp(TOps.Subtract(TOps.Load(ref Unsafe.Add(ref x, i)), maxV));
            if (!log) TOps.Store(e, ref Unsafe.Add(ref y, i));
            sumV = TOps.Add(sumV, e);
        }
        float sum = vectorEnd > 0 ? TOps.Sum(sumV) : 0f;
        for (int i = vectorEnd; i < n; i++)
        {
            float e = MathF.Exp(Unsafe.Add(ref x, i) - max);
            if (!log) Unsafe.Add(ref y, i) = e;
            sum += e;
        }

        if (log)
        {
            float logSum = MathF.Log(sum);
            TVec logSumV = TOps.Create(logSum);
            for (int i = 0; i < vectorEnd; i += TOps.Count)
                TOps.Store(TOps.Subtract(TOps.Subtract(TOps.Load(ref Unsafe.Add(ref x, i)), maxV), logSumV), ref Unsafe.Add(ref y, i));
            for (int i = vectorEnd; i < n; i++) Unsafe.Add(ref y, i) = Unsafe.Add(ref x, i) - max - logSum;
        }
        else
        {
            float scale = 1f / sum;
            TVec scaleV = TOps.Create(scale);
            for (int i = 0; i < vectorEnd; i += TOps.Count)
                TOps.Store(TOps.Multiply(TOps.Load(ref Unsafe.Add(ref y, i)), scaleV), ref Unsafe.Add(ref y, i));
            for (int i = vectorEnd; i < n; i++) Unsafe.Add(ref y, i) *= scale;
        }
    }

    /// <summary><c>TOps.Count</c> adjacent inner positions, each a softmax over <paramref name="axis"/> values <paramref name="stride"/> apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Columns<TOps, TVec>(ref float x, ref float y, int axis, int stride, bool log)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        TVec max = TOps.Load(ref x);
        for (int a = 1; a < axis; a++) max = TOps.Max(max, TOps.Load(ref Unsafe.Add(ref x, (nint)a * stride)));

        TVec sum = TOps.Zero;
        for (int a = 0; a < axis; a++)
        {
            nint at = (nint)a * stride;
            TVec e = TOps.Exp(TOps.Subtract(TOps.Load(ref Unsafe.Add(ref x, at)), max));
            if (!log) TOps.Store(e, ref Unsafe.Add(ref y, at));
            sum = TOps.Add(sum, e);
        }

        if (log)
        {
            TVec logSum = Log<TOps, TVec>(sum);
            for (int a = 0; a < axis; a++)
            {
                nint at = (nint)a * stride;
                TOps.Store(TOps.Subtract(TOps.Subtract(TOps.Load(ref Unsafe.Add(ref x, at)), max), logSum), ref Unsafe.Add(ref y, at));
            }
        }
        else
        {
            TVec scale = TOps.Divide(TOps.Create(1f), sum);
            for (int a = 0; a < axis; a++)
            {
                ref float at = ref Unsafe.Add(ref y, (nint)a * stride);
                TOps.Store(TOps.Multiply(TOps.Load(ref at), scale), ref at);
            }
        }
    }

    /// <summary>Natural logarithm per lane (not part of <see cref="IVectorOps{TVec}"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec Log<TOps, TVec>(TVec value) where TOps : IVectorOps<TVec> where TVec : struct
    {
        if (typeof(TVec) == typeof(Vector512<float>)) return Unsafe.BitCast<Vector512<float>, TVec>(Vector512.Log(Unsafe.BitCast<TVec, Vector512<float>>(value)));
        if (typeof(TVec) == typeof(Vector256<float>)) return Unsafe.BitCast<Vector256<float>, TVec>(Vector256.Log(Unsafe.BitCast<TVec, Vector256<float>>(value)));
        if (typeof(TVec) == typeof(Vector128<float>)) return Unsafe.BitCast<Vector128<float>, TVec>(Vector128.Log(Unsafe.BitCast<TVec, Vector128<float>>(value)));
        if (typeof(TVec) == typeof(float)) return Unsafe.BitCast<float, TVec>(MathF.Log(Unsafe.BitCast<TVec, float>(value)));
        throw new PlatformNotSupportedException();
    }

    private static void Check(int xLength, int yLength, int outer, int axis, int inner)
    {
        long need = (long)outer * axis * inner;
        if (outer < 0 || axis < 0 || inner < 0 || xLength != need || yLength != need) Throw(xLength, yLength, outer, axis, inner);
    }

    // Out of line (never inlined), so that Check formats no message inline.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Throw(int xLength, int yLength, int outer, int axis, int inner)
    {
        long need = (long)outer * axis * inner;
        if (outer < 0 || axis < 0 || inner < 0)
            throw new ArgumentException($"outer, axis and inner must be >= 0, got ({outer}, {axis}, {inner}).", nameof(axis));
        if (xLength != need) throw new ArgumentException($"x has {xLength} floats, [{outer}, {axis}, {inner}] needs {need}.", "x");
        throw new ArgumentException($"y has {yLength} floats, [{outer}, {axis}, {inner}] needs {need}.", "y");
    }
}
