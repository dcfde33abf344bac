using System.Runtime.Intrinsics;
using ConvGen.Reference;
using ConvGen.Runtime.Kernels;
using ConvGen.Runtime.Simd;
using static ConvGen.Tests.Runtime.PoolingTestSupport;

namespace ConvGen.Tests.Runtime;

public class PoolKernelTests
{
    // ---- Width-forcing entry points ----

    private static float[] Max(int width, float[] input, Pool2dGeometry g)
    {
        var output = new float[g.OutputLength];
        Array.Fill(output, 12345f);   // stale values must be overwritten
        switch (width)
        {
            case 16: Pool2d.Max<Vec512, Vector512<float>>(input, output, g); break;
            case 8: Pool2d.Max<Vec256, Vector256<float>>(input, output, g); break;
            case 4: Pool2d.Max<Vec128, Vector128<float>>(input, output, g); break;
            default: Pool2d.Max<Scalar, float>(input, output, g); break;
        }
        return output;
    }

    private static float[] Average(int width, float[] input, Pool2dGeometry g, bool countIncludePad, int divisorOverride)
    {
        var output = new float[g.OutputLength];
        Array.Fill(output, 12345f);
        switch (width)
        {
            case 16: Pool2d.Average<Vec512, Vector512<float>>(input, output, g, countIncludePad, divisorOverride); break;
            case 8: Pool2d.Average<Vec256, Vector256<float>>(input, output, g, countIncludePad, divisorOverride); break;
            case 4: Pool2d.Average<Vec128, Vector128<float>>(input, output, g, countIncludePad, divisorOverride); break;
            default: Pool2d.Average<Scalar, float>(input, output, g, countIncludePad, divisorOverride); break;
        }
        return output;
    }

    private static float[] Adaptive(int width, bool average, float[] input, int c, int h, int w, int oh, int ow)
    {
        var output = new float[c * oh * ow];
        Array.Fill(output, 12345f);
        switch (width, average)
        {
            case (16, true): Pool2d.AdaptiveAverage<Vec512, Vector512<float>>(input, output, c, h, w, oh, ow); break;
            case (8, true): Pool2d.AdaptiveAverage<Vec256, Vector256<float>>(input, output, c, h, w, oh, ow); break;
            case (4, true): Pool2d.AdaptiveAverage<Vec128, Vector128<float>>(input, output, c, h, w, oh, ow); break;
            case (_, true): Pool2d.AdaptiveAverage<Scalar, float>(input, output, c, h, w, oh, ow); break;
            case (16, false): Pool2d.AdaptiveMax<Vec512, Vector512<float>>(input, output, c, h, w, oh, ow); break;
            case (8, false): Pool2d.AdaptiveMax<Vec256, Vector256<float>>(input, output, c, h, w, oh, ow); break;
            case (4, false): Pool2d.AdaptiveMax<Vec128, Vector128<float>>(input, output, c, h, w, oh, ow); break;
            default: Pool2d.AdaptiveMax<Scalar, float>(input, output, c, h, w, oh, ow); break;
        }
        return output;
    }

    /// <summary>A geometry with PyTorch's output size, or null when the output would be empty.</summary>
    private static Pool2dGeometry? Geometry(int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw, bool ceil)
    {
        int oh = PoolReference.OutputSize(h, kh, sh, ph, dh, ceil), ow = PoolReference.OutputSize(w, kw, sw, pw, dw, ceil);
        return oh < 1 || ow < 1 ? null : new Pool2dGeometry(c, h, w, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw);
    }

    /// <summary>Random PyTorch-legal geometries: kernel 1..5 per axis, stride 1..3, padding 0..k/2, dilation 1..3, both ceil modes.</summary>
    private static IEnumerable<(Pool2dGeometry G, bool Ceil)> RandomGeometries(int seed, int count, bool dilation)
    {
        var rng = new Random(seed);
        int produced = 0;
        while (produced < count)
        {
            int kh = rng.Next(1, 6), kw = rng.Next(1, 6);
            int sh = rng.Next(1, 4), sw = rng.Next(1, 4);
            int ph = rng.Next(0, kh / 2 + 1), pw = rng.Next(0, kw / 2 + 1);
            int dh = dilation ? rng.Next(1, 3) : 1, dw = dilation ? rng.Next(1, 4) : 1;
            bool ceil = rng.Next(2) == 1;
            // Widths past three 16-float vectors exercise the vector loops and their overlapped tails.
            var g = Geometry(rng.Next(1, 4), rng.Next(1, 24), rng.Next(1, 60), kh, kw, sh, sw, ph, pw, dh, dw, ceil);
            if (g is null) continue;
            produced++;
            yield return (g.Value, ceil);
        }
    }

    // ---- Max pooling ----

    [Theory, MemberData(nameof(Widths), MemberType = typeof(PoolingTestSupport))]
    public void Max_RandomGeometries_MatchReference(int width)
    {
        var rng = new Random(101);
        foreach (var (g, ceil) in RandomGeometries(1, 400, dilation: true))
        {
            float[] x = RandomValues(rng, g.InputLength);
            AssertEqual(PoolReference.Max(x, g), Max(width, x, g), $"width {width}, {g}, ceil {ceil}");
        }
    }

    [Theory, MemberData(nameof(Widths), MemberType = typeof(PoolingTestSupport))]
    public void Max_CommonShapes_MatchReference(int width)
    {
        var rng = new Random(7);
        // kernel 2/3/(2,3), stride 1/2/3, padding 0..k/2, dilation 2, floor and ceil, widths 1..(3*16+3).
        foreach (var (kh, kw) in new[] { (2, 2), (3, 3), (2, 3) })
            foreach (int s in new[] { 1, 2, 3 })
                foreach (int d in new[] { 1, 2 })
                    foreach (bool ceil in new[] { false, true })
                        for (int p = 0; p <= Math.Min(kh, kw) / 2; p++)
                            for (int w = 1; w <= 3 * 16 + 3; w += 5)
                            {
                                var g = Geometry(2, 1 + w % 9, w, kh, kw, s, s, p, p, d, d, ceil);
                                if (g is null) continue;
                                float[] x = RandomValues(rng, g.Value.InputLength);
                                AssertEqual(PoolReference.Max(x, g.Value), Max(width, x, g.Value), $"width {width}, {g}");
                            }
    }

    [Theory, MemberData(nameof(Widths), MemberType = typeof(PoolingTestSupport))]
    public void Max_2x2Stride2_FastPath_EveryWidthAndTail(int width)
    {
        var rng = new Random(11);
        for (int w = 1; w <= 3 * 16 + 5; w++)
            foreach (bool ceil in new[] { false, true })
                foreach (int ph in new[] { 0, 1 })
                {
                    var g = Geometry(3, 5, w, 2, 2, 2, 2, ph, 0, 1, 1, ceil);
                    if (g is null) continue;
                    float[] x = RandomValues(rng, g.Value.InputLength);
                    AssertEqual(PoolReference.Max(x, g.Value), Max(width, x, g.Value), $"width {width}, {g}");
                }
    }

    [Theory, MemberData(nameof(Widths), MemberType = typeof(PoolingTestSupport))]
    public void Max_KnownPyTorchValues(int width)
    {
        // torch.arange(1., 26.).reshape(1, 1, 5, 5) with x[2, 2] = -3, checked against PyTorch 1.13.
        float[] x = Enumerable.Range(1, 25).Select(v => (float)v).ToArray();
        x[12] = -3;
        var g = new Pool2dGeometry(1, 5, 5, 3, 3, 3, 3, 2, 2, 1, 1, 1, 1);          // MaxPool2d(3, 2, 1, ceil_mode=True)
        AssertEqual([7, 9, 10, 17, 19, 20, 22, 24, 25], Max(width, x, g), "k3 s2 p1 ceil");
        g = new Pool2dGeometry(1, 5, 5, 3, 3, 2, 2, 2, 2, 0, 0, 1, 1);              // MaxPool2d(2, ceil_mode=True)
        AssertEqual([7, 9, 10, 17, 19, 20, 22, 24, 25], Max(width, x, g), "k2 s2 ceil");
        g = new Pool2dGeometry(1, 5, 5, 5, 5, 2, 2, 1, 1, 1, 1, 2, 2);              // MaxPool2d(2, 1, 1, dilation=2)
        AssertEqual([7, 8, 9, 10, 9, 12, 11, 14, 15, 14, 17, 18, 19, 20, 19, 22, 23, 24, 25, 24, 17, 18, 19, 20, 19], Max(width, x, g), "k2 d2 p1");
        // A dilated window whose only taps fall in the padding: PyTorch gives -inf.
        g = new Pool2dGeometry(1, 1, 2, 1, 1, 1, 2, 1, 1, 0, 1, 1, 3);
        AssertEqual([float.NegativeInfinity], Max(width, [1f, 2f], g), "window of padding only");
    }

    [Theory, MemberData(nameof(Widths), MemberType = typeof(PoolingTestSupport))]
    public void Max_PropagatesNaN(int width)
    {
        var g = Geometry(1, 4, 40, 2, 2, 2, 2, 0, 0, 1, 1, false)!.Value;
        float[] x = RandomValues(new Random(5), g.InputLength);
        x[2 * 40 + 17] = float.NaN;      // row 2, column 17: output (1, 8)
        float[] y = Max(width, x, g);
        AssertEqual(PoolReference.Max(x, g), y, $"width {width}");
        Assert.True(float.IsNaN(y[g.OutWidth + 8]));
        Assert.Equal(1, y.Count(float.IsNaN));
    }

    [Theory, MemberData(nameof(Widths), MemberType = typeof(PoolingTestSupport))]
    public void Max_RowsWiderThanTheRowBuffer_AreChunked(int width)
    {
        var rng = new Random(3);
        foreach (int s in new[] { 1, 2, 3 })
        {
            var g = Geometry(1, 3, 9001, 3, 3, s, s, 1, 1, 1, 1, true)!.Value;
            float[] x = RandomValues(rng, g.InputLength);
            AssertEqual(PoolReference.Max(x, g), Max(width, x, g), $"width {width}, stride {s}");
        }
        // A window wider than the row buffer takes the direct path.
        var wide = Geometry(1, 2, 5000, 1, 4500, 1, 7, 0, 0, 1, 1, false)!.Value;
        float[] xw = RandomValues(rng, wide.InputLength);
        AssertEqual(PoolReference.Max(xw, wide), Max(width, xw, wide), $"width {width}, kernel 4500");
    }

    // ---- Average pooling ----

    [Theory, MemberData(nameof(Widths), MemberType = typeof(PoolingTestSupport))]
    public void Average_RandomGeometries_MatchReference(int width)
    {
        var rng = new Random(202);
        int index = 0;
        foreach (var (g, ceil) in RandomGeometries(2, 400, dilation: false))
        {
            bool include = index % 2 == 0;
            int divisor = index % 5 == 4 ? 1 + index % 7 : 0;
            index++;
            float[] x = RandomValues(rng, g.InputLength);
            AssertClose(PoolReference.Average(x, g, include, divisor), Average(width, x, g, include, divisor), 1e-6 * 5,
                $"width {width}, {g}, ceil {ceil}, countIncludePad {include}, divisor {divisor}");
        }
    }

    [Theory, MemberData(nameof(Widths), MemberType = typeof(PoolingTestSupport))]
    public void Average_2x2Stride2_FastPath_EveryWidthAndDivisor(int width)
    {
        var rng = new Random(13);
        for (int w = 1; w <= 3 * 16 + 5; w++)
            foreach (bool ceil in new[] { false, true })
                foreach (int divisor in new[] { 0, 3, 8 })
                    foreach (bool include in new[] { false, true })
                    {
                        var g = Geometry(2, 5, w, 2, 2, 2, 2, 1, 0, 1, 1, ceil);
                        if (g is null) continue;
                        float[] x = RandomValues(rng, g.Value.InputLength);
                        AssertClose(PoolReference.Average(x, g.Value, include, divisor), Average(width, x, g.Value, include, divisor), 4e-7,
                            $"width {width}, {g}, divisor {divisor}, countIncludePad {include}");
                    }
    }

    [Theory, MemberData(nameof(Widths), MemberType = typeof(PoolingTestSupport))]
    public void Average_KnownPyTorchValues(int width)
    {
        float[] x = Enumerable.Range(1, 25).Select(v => (float)v).ToArray();
        x[12] = -3;
        var g = new Pool2dGeometry(1, 5, 5, 3, 3, 3, 3, 2, 2, 1, 1, 1, 1);          // AvgPool2d(3, 2, 1, ceil_mode=True)
        AssertClose([1.7777777910232544f, 3.6666667461395264f, 3.1111111640930176f, 7.666666507720947f, 11.222222328186035f,
            9.666666984558105f, 8.44444465637207f, 13.666666984558105f, 9.777777671813965f], Average(width, x, g, true, 0), 1e-7, "count_include_pad");
        AssertClose([4.0f, 5.5f, 7.0f, 11.5f, 11.222222328186035f, 14.5f, 19.0f, 20.5f, 22.0f], Average(width, x, g, false, 0), 1e-7, "exclude pad");
        g = new Pool2dGeometry(1, 5, 5, 3, 3, 2, 2, 2, 2, 0, 0, 1, 1);              // AvgPool2d(2, ceil_mode=True, divisor_override=3)
        AssertClose([5.333333492279053f, 8.0f, 5.0f, 18.66666603088379f, 16.0f, 11.666666984558105f, 14.333333015441895f,
            15.666666984558105f, 8.333333015441895f], Average(width, x, g, true, 3), 1e-7, "divisor_override");
        // AvgPool2d((2, 3), (1, 2), (1, 1), ceil_mode=True): the last row's window runs past the padded input.
        g = new Pool2dGeometry(1, 5, 5, 6, 3, 2, 3, 1, 2, 1, 1, 1, 1);
        AssertClose([0.5f, 1.5f, 1.5f, 2.6666667461395264f, 5.5f, 4.666666507720947f, 6.0f, 7.833333492279053f, 8.0f,
            9.333333015441895f, 12.833333015441895f, 11.333333015441895f, 12.666666984558105f, 20.5f, 14.666666984558105f,
            7.166666507720947f, 11.5f, 8.166666984558105f], Average(width, x, g, true, 0), 1e-7, "(2,3) ceil");
    }

    // ---- Adaptive pooling ----

    [Theory, MemberData(nameof(Widths), MemberType = typeof(PoolingTestSupport))]
    public void Adaptive_MatchReference(int width)
    {
        var rng = new Random(303);
        // Non-divisible (5->3, 7->2), divisible (14->7, 8->2), upsizing (3->5), global (1x1) and random sizes.
        var shapes = new List<(int H, int W, int OH, int OW)> { (5, 5, 3, 3), (7, 7, 2, 2), (14, 14, 7, 7), (8, 12, 2, 3), (3, 3, 5, 5), (7, 5, 2, 3), (1, 1, 1, 1) };
        for (int n = 1; n <= 3 * 16 + 1; n += 3) shapes.Add((n, n + 2, 1, 1));
        for (int i = 0; i < 60; i++) shapes.Add((rng.Next(1, 30), rng.Next(1, 60), rng.Next(1, 9), rng.Next(1, 12)));
        foreach (var (h, w, oh, ow) in shapes)
        {
            int c = rng.Next(1, 4);
            float[] x = RandomValues(rng, c * h * w);
            string context = $"width {width}, {c}x{h}x{w} -> {oh}x{ow}";
            AssertClose(PoolReference.AdaptiveAverage(x, c, h, w, oh, ow), Adaptive(width, true, x, c, h, w, oh, ow), 1e-6 * Math.Sqrt(h * w), context);
            AssertEqual(PoolReference.AdaptiveMax(x, c, h, w, oh, ow), Adaptive(width, false, x, c, h, w, oh, ow), context);
        }
    }

    [Theory, MemberData(nameof(Widths), MemberType = typeof(PoolingTestSupport))]
    public void Adaptive_KnownPyTorchValues(int width)
    {
        float[] x = Enumerable.Range(1, 25).Select(v => (float)v).ToArray();
        x[12] = -3;
        AssertClose([4.0f, 5.5f, 7.0f, 11.5f, 11.222222328186035f, 14.5f, 19.0f, 20.5f, 22.0f], Adaptive(width, true, x, 1, 5, 5, 3, 3), 1e-7, "avg 5->3");
        AssertEqual([12f, 14f, 15f, 22f, 24f, 25f], Adaptive(width, false, x, 1, 5, 5, 2, 3), "max 5->(2,3)");
    }

    [Theory, MemberData(nameof(Widths), MemberType = typeof(PoolingTestSupport))]
    public void GlobalPooling_LargePlane_MatchesReference(int width)
    {
        var rng = new Random(17);
        float[] x = RandomValues(rng, 4 * 56 * 57);
        AssertClose(PoolReference.AdaptiveAverage(x, 4, 56, 57, 1, 1), Adaptive(width, true, x, 4, 56, 57, 1, 1), 1e-5, "global average");
        AssertEqual(PoolReference.AdaptiveMax(x, 4, 56, 57, 1, 1), Adaptive(width, false, x, 4, 56, 57, 1, 1), "global max");
    }

    // ---- Public entry points: dispatch and validation ----

    [Fact]
    public void PublicEntryPoints_MatchReference()
    {
        var rng = new Random(23);
        var g = Geometry(8, 28, 28, 3, 3, 2, 2, 1, 1, 1, 1, true)!.Value;
        float[] x = RandomValues(rng, g.InputLength);
        var y = new float[g.OutputLength];
        Pool2d.Max(x, y, g);
        AssertEqual(PoolReference.Max(x, g), y, "Max");
        Pool2d.Average(x, y, g, false, 0);
        AssertClose(PoolReference.Average(x, g, false, 0), y, 1e-6, "Average");
        var z = new float[8 * 3 * 3];
        Pool2d.AdaptiveAverage(x, z, 8, 28, 28, 3, 3);
        AssertClose(PoolReference.AdaptiveAverage(x, 8, 28, 28, 3, 3), z, 1e-5, "AdaptiveAverage");
        Pool2d.AdaptiveMax(x, z, 8, 28, 28, 3, 3);
        AssertEqual(PoolReference.AdaptiveMax(x, 8, 28, 28, 3, 3), z, "AdaptiveMax");
    }

    [Fact]
    public void InvalidArguments_Throw()
    {
        var g = new Pool2dGeometry(2, 5, 5, 2, 2, 2, 2, 2, 2, 0, 0, 1, 1);
        var ex = Assert.Throws<ArgumentException>(() => Pool2d.Max(new float[49], new float[8], g));
        Assert.Equal("input", ex.ParamName);
        Assert.Contains("50", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Pool2d.Max(new float[50], new float[9], g));
        Assert.Equal("output", ex.ParamName);
        // Ceil mode may not add a window that starts in the right padding: 5 wide, k2 s2 gives at most 3.
        var late = g with { OutHeight = 4, OutWidth = 4 };
        Assert.Throws<ArgumentException>(() => Pool2d.Max(new float[50], new float[32], late));
        Assert.Throws<ArgumentException>(() => Pool2d.Average(new float[50], new float[8], g with { DilationWidth = 2 }, true, 0));
        Assert.Throws<ArgumentException>(() => Pool2d.Average(new float[50], new float[8], g, true, -1));
        Assert.Throws<ArgumentException>(() => Pool2d.AdaptiveAverage(new float[50], new float[7], 2, 5, 5, 2, 2));
        Assert.Throws<ArgumentException>(() => Pool2d.AdaptiveMax(new float[50], new float[0], 2, 5, 5, 0, 2));
    }

    [Fact]
    public void OutputSize_FollowsPyTorchsCeilRule()
    {
        // The reference's size formula drives the random tests; pin it to PyTorch's on known cases.
        Assert.Equal(2, PoolReference.OutputSize(5, 2, 2, 0, 1, false));
        Assert.Equal(3, PoolReference.OutputSize(5, 2, 2, 0, 1, true));
        Assert.Equal(3, PoolReference.OutputSize(5, 3, 2, 1, 1, true));
        // ceil gives 4, but the fourth window would start at 3 * 2 - 1 = 5, in the right padding: PyTorch drops it.
        Assert.Equal(3, PoolReference.OutputSize(5, 2, 2, 1, 1, true));
        Assert.Equal(3, PoolReference.OutputSize(5, 2, 2, 1, 1, false));
        Assert.Equal(6, PoolReference.OutputSize(5, 2, 1, 1, 1, true));
    }
}
