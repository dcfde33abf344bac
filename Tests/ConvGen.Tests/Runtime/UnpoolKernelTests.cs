using ConvGen.Runtime.Kernels;
using static ConvGen.Tests.Runtime.PoolingTestSupport;

namespace ConvGen.Tests.Runtime;

/// <summary>
/// MaxPool2dIndices and MaxUnpool2d against a direct transcription of PyTorch 1.13's CPU kernels (cpu_max_pool,
/// cpu_max_unpool), in both layouts and, blocked, at every vector width: values and indices bit for bit, over kernel,
/// stride, padding, dilation and ceil mode, with ties and NaNs; plus facts checked in PyTorch itself.
/// </summary>
public sealed class UnpoolKernelTests
{
    /// <summary>(kernel h, w, stride h, w, pad h, w, dilation h, w, ceil).</summary>
    public static TheoryData<int, int, int, int, int, int, int, int, bool, int> Geometries()
    {
        var data = new TheoryData<int, int, int, int, int, int, int, int, bool, int>();
        var shapes = new (int, int, int, int, int, int, int, int, bool)[]
        {
            (2, 2, 2, 2, 0, 0, 1, 1, false), (3, 3, 2, 2, 1, 1, 1, 1, false), (3, 2, 2, 1, 1, 0, 1, 1, false),
            (2, 2, 2, 2, 0, 0, 2, 2, true), (3, 3, 1, 1, 1, 1, 1, 1, false), (2, 3, 3, 2, 1, 1, 1, 2, true),
            (1, 1, 2, 2, 0, 0, 1, 1, false), (3, 3, 3, 3, 0, 0, 1, 1, true),
        };
        foreach (var s in shapes)
            foreach (int width in new[] { 16, 8, 4, 1 })
                data.Add(s.Item1, s.Item2, s.Item3, s.Item4, s.Item5, s.Item6, s.Item7, s.Item8, s.Item9, width);
        return data;
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void PoolWithIndicesIsPyTorchsInBothLayouts(int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw, bool ceil, int width)
    {
        foreach (int channels in new[] { 3, 16, 21 })
        {
            const int h = 9, w = 10;
            var g = new Pool2dGeometry(channels, h, w, OutSize(h, kh, sh, ph, dh, ceil), OutSize(w, kw, sw, pw, dw, ceil), kh, kw, sh, sw, ph, pw, dh, dw);
            var rng = new Random(7000 + kh * 100 + sw * 10 + channels);
            // Few levels (ties everywhere), some NaNs and infinities.
            float[] x = RandomValues(rng, channels * h * w).Select(v => MathF.Round(v)).ToArray();
            for (int i = 0; i < x.Length; i += 13) x[i] = float.NaN;
            for (int i = 5; i < x.Length; i += 29) x[i] = float.NegativeInfinity;
            (float[] expected, int[] expectedIndices) = ReferencePool(x, g);
            string context = $"k{kh}x{kw} s{sh},{sw} p{ph},{pw} d{dh},{dw} ceil {ceil}, {channels} channels";

            int outPositions = g.OutHeight * g.OutWidth;
            float[] y = new float[expected.Length];
            int[] indices = new int[expected.Length];
            MaxPool2dIndices.Forward(width, x, y, indices, TensorLayout.Chw, g);
            AssertBits(expected, y, context + ", CHW values");
            Assert.Equal(expectedIndices, indices);

            float[] xb = new float[Blocked16.Length(channels, h * w)];
            Blocked16.FromChw(x, xb, channels, h * w);
            float[] yb = new float[Blocked16.Length(channels, outPositions)];
            int[] ib = new int[yb.Length];
            Array.Fill(ib, -7);
            MaxPool2dIndices.Forward(width, xb, yb, ib, TensorLayout.Blocked16, g);
            float[] back = new float[expected.Length];
            Blocked16.ToChw(yb, back, channels, outPositions);
            AssertBits(expected, back, context + $", blocked values at width {width}");
            float[] indexBits = new float[expected.Length];
            Blocked16.ToChw(ib.Select(BitConverter.Int32BitsToSingle).ToArray(), indexBits, channels, outPositions);
            Assert.Equal(expectedIndices, indexBits.Select(BitConverter.SingleToInt32Bits));
            // Padding lanes: zero values and index 0, never left unwritten.
            for (int i = 0; i < yb.Length; i++)
            {
                int channel = i / (outPositions * Blocked16.Lanes) * Blocked16.Lanes + i % Blocked16.Lanes;
                if (channel >= channels) Assert.True(yb[i] == 0 && ib[i] == 0, $"{context}: padding lane {i} is {yb[i]}, index {ib[i]}");
            }

            // Unpooled in either layout: zeros but at the indices, the later value on a shared position.
            float[] values = RandomValues(rng, expected.Length);
            float[] expectedUnpool = ReferenceUnpool(values, expectedIndices, channels, outPositions, h * w);
            float[] u = new float[channels * h * w];
            MaxUnpool2d.Forward(values, expectedIndices, u, TensorLayout.Chw, channels, outPositions, h * w);
            AssertBits(expectedUnpool, u, context + ", CHW unpool");

            float[] vb = new float[yb.Length];
            Blocked16.FromChw(values, vb, channels, outPositions);
            float[] ub = new float[xb.Length];
            Array.Fill(ub, float.NaN);
            MaxUnpool2d.Forward(vb, ib, ub, TensorLayout.Blocked16, channels, outPositions, h * w);
            float[] ubBack = new float[u.Length];
            Blocked16.ToChw(ub, ubBack, channels, h * w);
            AssertBits(expectedUnpool, ubBack, context + ", blocked unpool");
            for (int i = 0; i < ub.Length; i++)
                if (i / (h * w * Blocked16.Lanes) * Blocked16.Lanes + i % Blocked16.Lanes >= channels) Assert.Equal(0f, ub[i]);
        }
    }

    [Theory]
    [MemberData(nameof(Widths), MemberType = typeof(PoolingTestSupport))]
    public void PyTorchFacts(int width)
    {
        // F.max_pool2d(torch.ones(1, 1, 4, 4), 2, return_indices=True): ties keep the first maximum, [0, 2, 8, 10].
        Assert.Equal(new[] { 0, 2, 8, 10 }, PoolBoth(width, Enumerable.Repeat(1f, 16).ToArray(), 4, 4, 2).Indices);
        // [[nan, 3], [7, nan]]: a NaN is always taken, so the last NaN wins: value NaN, index 3.
        (float[] y, int[] i) = PoolBoth(width, [float.NaN, 3f, 7f, float.NaN], 2, 2, 2);
        Assert.True(float.IsNaN(y[0]));
        Assert.Equal(3, i[0]);
        // F.max_unpool2d([[1, 2]], [[3, 3]], 2, output_size=(2, 4)) is [0, 0, 0, 2, 0, 0, 0, 0].
        float[] u = new float[8];
        MaxUnpool2d.Forward([1f, 2f], [3, 3], u, TensorLayout.Chw, 1, 2, 8);
        Assert.Equal(new[] { 0f, 0, 0, 2, 0, 0, 0, 0 }, u);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(8)]
    public void AnIndexOutsideThePlaneThrowsInBothLayouts(int index)
    {
        var e = Assert.Throws<ArgumentException>(() => MaxUnpool2d.Forward([1f, 2f], [0, index], new float[8], TensorLayout.Chw, 1, 2, 8));
        Assert.Contains($"index {index}", e.Message);
        int[] blocked = new int[2 * Blocked16.Lanes];
        blocked[Blocked16.Lanes] = index;
        Assert.Throws<ArgumentException>(() => MaxUnpool2d.Forward(new float[2 * Blocked16.Lanes], blocked, new float[8 * Blocked16.Lanes], TensorLayout.Blocked16, 1, 2, 8));
    }

    [Fact]
    public void WrongLengthsAndOverlapsThrow()
    {
        var g = new Pool2dGeometry(2, 4, 4, 2, 2, 2, 2, 2, 2, 0, 0, 1, 1);
        Assert.Throws<ArgumentException>(() => MaxPool2dIndices.Forward(new float[32], new float[8], new int[7], TensorLayout.Chw, g));
        Assert.Throws<ArgumentException>(() => MaxPool2dIndices.Forward(new float[31], new float[8], new int[8], TensorLayout.Chw, g));
        float[] shared = new float[40];
        Assert.Throws<ArgumentException>(() => MaxPool2dIndices.Forward(shared.AsSpan(0, 32), shared.AsSpan(24, 8), new int[8], TensorLayout.Chw, g));
        Assert.Throws<ArgumentException>(() => MaxUnpool2d.Forward(new float[8], new int[8], new float[31], TensorLayout.Chw, 2, 4, 16));
    }

    [Fact]
    public void AllocatesNothing()
    {
        var g = new Pool2dGeometry(20, 8, 8, 4, 4, 2, 2, 2, 2, 0, 0, 1, 1);
        float[] x = RandomValues(new Random(3), Blocked16.Length(20, 64)), y = new float[Blocked16.Length(20, 16)], u = new float[x.Length];
        int[] indices = new int[y.Length];
        void Both()
        {
            MaxPool2dIndices.Forward(x, y, indices, TensorLayout.Blocked16, g);
            MaxUnpool2d.Forward(y, indices, u, TensorLayout.Blocked16, 20, 16, 64);
        }
        Both();
        long before = GC.GetAllocatedBytesForCurrentThread();
        Both();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static (float[] Values, int[] Indices) PoolBoth(int width, float[] plane, int h, int w, int k)
    {
        var g = new Pool2dGeometry(1, h, w, h / k, w / k, k, k, k, k, 0, 0, 1, 1);
        float[] y = new float[g.OutputLength];
        int[] i = new int[g.OutputLength];
        MaxPool2dIndices.Forward(width, plane, y, i, TensorLayout.Chw, g);
        // The blocked form must say the same on one channel.
        float[] xb = new float[Blocked16.Length(1, h * w)], yb = new float[Blocked16.Length(1, g.OutputLength)];
        int[] ib = new int[yb.Length];
        Blocked16.FromChw(plane, xb, 1, h * w);
        MaxPool2dIndices.Forward(width, xb, yb, ib, TensorLayout.Blocked16, g);
        for (int p = 0; p < g.OutputLength; p++)
        {
            Assert.Equal(BitConverter.SingleToInt32Bits(y[p]), BitConverter.SingleToInt32Bits(yb[p * Blocked16.Lanes]));
            Assert.Equal(i[p], ib[p * Blocked16.Lanes]);
        }
        return (y, i);
    }

    /// <summary>ATen's pooling_output_shape.</summary>
    private static int OutSize(int input, int k, int s, int p, int d, bool ceil)
    {
        int numerator = input + 2 * p - d * (k - 1) - 1 + (ceil ? s - 1 : 0);
        int output = (int)Math.Floor((double)numerator / s) + 1;
        if (ceil && (output - 1) * s >= input + p) output--;
        return output;
    }

    /// <summary>cpu_max_pool of aten/src/ATen/native/cpu/MaxPoolKernel.cpp (torch 1.13), line for line.</summary>
    private static (float[], int[]) ReferencePool(float[] x, Pool2dGeometry g)
    {
        var y = new float[g.OutputLength];
        var indices = new int[g.OutputLength];
        for (int c = 0; c < g.Channels; c++)
            for (int oh = 0; oh < g.OutHeight; oh++)
                for (int ow = 0; ow < g.OutWidth; ow++)
                {
                    int ih0 = oh * g.StrideHeight - g.PadHeight, iw0 = ow * g.StrideWidth - g.PadWidth;
                    int ih1 = Math.Min(ih0 + (g.KernelHeight - 1) * g.DilationHeight + 1, g.InHeight);
                    int iw1 = Math.Min(iw0 + (g.KernelWidth - 1) * g.DilationWidth + 1, g.InWidth);
                    while (ih0 < 0) ih0 += g.DilationHeight;
                    while (iw0 < 0) iw0 += g.DilationWidth;
                    int maxIndex = ih0 * g.InWidth + iw0;
                    float maxValue = float.NegativeInfinity;
                    for (int ih = ih0; ih < ih1; ih += g.DilationHeight)
                        for (int iw = iw0; iw < iw1; iw += g.DilationWidth)
                        {
                            int index = ih * g.InWidth + iw;
                            float v = x[c * g.InHeight * g.InWidth + index];
                            if (v > maxValue || float.IsNaN(v))
                            {
                                maxValue = v;
                                maxIndex = index;
                            }
                        }
                    int o = (c * g.OutHeight + oh) * g.OutWidth + ow;
                    y[o] = maxValue;
                    indices[o] = maxIndex;
                }
        return (y, indices);
    }

    /// <summary>cpu_max_unpool: zeros, then output[c][indices[c][i]] = input[c][i] in order.</summary>
    private static float[] ReferenceUnpool(float[] x, int[] indices, int channels, int inPositions, int outPositions)
    {
        var y = new float[channels * outPositions];
        for (int c = 0; c < channels; c++)
            for (int i = 0; i < inPositions; i++)
                y[c * outPositions + indices[c * inPositions + i]] = x[c * inPositions + i];
        return y;
    }

    private static void AssertBits(float[] expected, float[] actual, string context)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            bool same = BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i])
                || (float.IsNaN(expected[i]) && float.IsNaN(actual[i]));
            Assert.True(same, $"{context}: element {i} is {actual[i]:R}, expected {expected[i]:R}");
        }
    }
}
