using System.Runtime.Intrinsics;
using ConvGen.Reference;
using ConvGen.Runtime.Kernels;
using ConvGen.Runtime.Simd;
using static ConvGen.Tests.Runtime.PoolingTestSupport;

namespace ConvGen.Tests.Runtime;

public class UpsampleKernelTests
{
    private static readonly double[] Scales = [0, 0, 0.5, 0.7, 1.0, 1.3, 1.5, 2.0, 2.2, 3.0];

    private static IEnumerable<(int C, int H, int W, int OH, int OW, double SH, double SW)> Cases(int seed)
    {
        var rng = new Random(seed);
        int produced = 0;
        while (produced < 300)
        {
            int c = rng.Next(1, 3), h = rng.Next(1, 13), w = rng.Next(1, 30);
            double sh = Scales[rng.Next(Scales.Length)], sw = Scales[rng.Next(Scales.Length)];
            // Scale 0: an output size was given instead.
            int oh = sh > 0 ? Upsample.OutputSize(h, sh) : rng.Next(1, 26), ow = sw > 0 ? Upsample.OutputSize(w, sw) : rng.Next(1, 60);
            if (oh < 1 || ow < 1) continue;
            produced++;
            yield return (c, h, w, oh, ow, sh, sw);
        }
    }

    [Fact]
    public void Nearest_MatchesReference()
    {
        var rng = new Random(89);
        foreach (var (c, h, w, oh, ow, sh, sw) in Cases(1))
        {
            float[] x = RandomValues(rng, c * h * w);
            var y = new float[c * oh * ow];
            Upsample.Nearest(x, y, c, h, w, oh, ow, sh, sw);
            AssertEqual(PadReference.Nearest(x, c, h, w, oh, ow, sh, sw, channelsLastShortcuts: c == 1), y, $"{c}x{h}x{w} -> {oh}x{ow}, scale ({sh}, {sw})");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Bilinear_MatchesReference(bool alignCorners)
    {
        var rng = new Random(97);
        foreach (var (c, h, w, oh, ow, sh, sw) in Cases(2))
        {
            float[] x = RandomValues(rng, c * h * w);
            var y = new float[c * oh * ow];
            Upsample.Bilinear(x, y, c, h, w, oh, ow, alignCorners, sh, sw);
            AssertClose(PadReference.Bilinear(x, c, h, w, oh, ow, alignCorners, sh, sw), y, 1e-6,
                $"{c}x{h}x{w} -> {oh}x{ow}, scale ({sh}, {sw}), align_corners {alignCorners}");
        }
    }

    [Theory, MemberData(nameof(Widths), MemberType = typeof(PoolingTestSupport))]
    public void Bilinear_EveryWidth_MatchesReference(int width)
    {
        var rng = new Random(101);
        foreach (var (c, h, w, oh, ow, sh, sw) in Cases(3).Take(100))
            foreach (bool alignCorners in new[] { false, true })
            {
                float[] x = RandomValues(rng, c * h * w);
                var y = new float[c * oh * ow];
                switch (width)
                {
                    case 16: Upsample.Bilinear<Vec512, Vector512<float>>(x, y, c, h, w, oh, ow, alignCorners, sh, sw); break;
                    case 8: Upsample.Bilinear<Vec256, Vector256<float>>(x, y, c, h, w, oh, ow, alignCorners, sh, sw); break;
                    case 4: Upsample.Bilinear<Vec128, Vector128<float>>(x, y, c, h, w, oh, ow, alignCorners, sh, sw); break;
                    default: Upsample.Bilinear<Scalar, float>(x, y, c, h, w, oh, ow, alignCorners, sh, sw); break;
                }
                AssertClose(PadReference.Bilinear(x, c, h, w, oh, ow, alignCorners, sh, sw), y, 1e-6,
                    $"width {width}, {c}x{h}x{w} -> {oh}x{ow}, scale ({sh}, {sw}), align_corners {alignCorners}");
            }
    }

    [Fact]
    public void WideRows_MatchReference()
    {
        // Outputs wider than the column table take the direct bilinear path; x2 nearest duplicates columns by vectors.
        var rng = new Random(103);
        float[] x = RandomValues(rng, 2 * 3 * 700);
        var y = new float[2 * 6 * 1400];
        foreach (bool alignCorners in new[] { false, true })
        {
            Upsample.Bilinear(x, y, 2, 3, 700, 6, 1400, alignCorners, 2.0, 2.0);
            AssertClose(PadReference.Bilinear(x, 2, 3, 700, 6, 1400, alignCorners, 2.0, 2.0), y, 1e-6, $"bilinear 700 -> 1400, align_corners {alignCorners}");
        }
        Upsample.Nearest(x, y, 2, 3, 700, 6, 1400, 2.0, 2.0);
        AssertEqual(PadReference.Nearest(x, 2, 3, 700, 6, 1400, 2.0, 2.0, channelsLastShortcuts: false), y, "nearest 700 -> 1400");
        var z = new float[2 * 3 * 701];
        Upsample.Bilinear(x, z, 2, 3, 700, 3, 701, false);
        AssertClose(PadReference.Bilinear(x, 2, 3, 700, 3, 701, false, 0, 0), z, 1e-6, "bilinear 700 -> 701");
    }

    [Fact]
    public void KnownPyTorchValues()
    {
        // F.interpolate of arange(10.) (two channels) to width 11, PyTorch 1.13: a scale factor of 1.15 maps with
        // 1/1.15, a size with 10/11, and they differ at the end.
        float[] x = Enumerable.Range(0, 10).Select(v => (float)v).Concat(Enumerable.Range(0, 10).Select(v => (float)v)).ToArray();
        var y = new float[22];
        Upsample.Nearest(x, y, 2, 1, 10, 1, 11, 1.0, 1.15);
        AssertEqual([0, 0, 1, 2, 3, 4, 5, 6, 6, 7, 8], y.AsSpan(0, 11), "nearest, scale_factor 1.15");
        Upsample.Nearest(x, y, 2, 1, 10, 1, 11);
        AssertEqual([0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9], y.AsSpan(0, 11), "nearest, size 11");
        Upsample.Bilinear(x, y, 2, 1, 10, 1, 11, false, 1.0, 1.15);
        AssertClose([0.0f, 0.8043477535247803f, 1.6739130020141602f, 2.543478012084961f, 3.413043260574341f, 4.282608509063721f,
            5.1521735191345215f, 6.0217390060424805f, 6.891304016113281f, 7.760869026184082f, 8.630434036254883f], y.AsSpan(0, 11), 1e-6, "bilinear, scale_factor 1.15");

        // One channel: PyTorch's channels-last kernel, out == 2 * in reads index / 2 whatever the scale (2.2 here).
        var z = new float[8];
        Upsample.Nearest([0, 1, 2, 3], z, 1, 1, 4, 1, 8, 1.0, 2.2);
        AssertEqual([0, 0, 1, 1, 2, 2, 3, 3], z, "one channel, scale 2.2");
        var z2 = new float[16];
        Upsample.Nearest([0, 1, 2, 3, 0, 1, 2, 3], z2, 2, 1, 4, 1, 8, 1.0, 2.2);
        AssertEqual([0, 0, 0, 1, 1, 2, 2, 3], z2.AsSpan(0, 8), "two channels, scale 2.2");

        // arange(1., 7.).reshape(2, 3): bilinear to 3x5 with align_corners, and x2 without.
        float[] six = [1, 2, 3, 4, 5, 6];
        var a = new float[15];
        Upsample.Bilinear(six, a, 1, 2, 3, 3, 5, true);
        AssertClose([1.0f, 1.5f, 2.0f, 2.5f, 3.0f, 2.5f, 3.0f, 3.5f, 4.0f, 4.5f, 4.0f, 4.5f, 5.0f, 5.5f, 6.0f], a, 1e-7, "align_corners");
        var b = new float[24];
        Upsample.Bilinear(six, b, 1, 2, 3, 4, 6, false, 2.0, 2.0);
        AssertClose([1.0f, 1.25f, 1.75f, 2.25f, 2.75f, 3.0f, 1.75f, 2.0f, 2.5f, 3.0f, 3.5f, 3.75f, 3.25f, 3.5f, 4.0f, 4.5f, 5.0f, 5.25f,
            4.0f, 4.25f, 4.75f, 5.25f, 5.75f, 6.0f], b, 1e-7, "scale 2");
    }

    [Fact]
    public void InvalidArguments_Throw()
    {
        Assert.Equal("output", Assert.Throws<ArgumentException>(() => Upsample.Nearest(new float[4], new float[15], 1, 2, 2, 4, 4)).ParamName);
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => Upsample.Bilinear(new float[3], new float[16], 1, 2, 2, 4, 4, false)).ParamName);
        Assert.Throws<ArgumentException>(() => Upsample.Nearest(new float[4], new float[0], 1, 2, 2, 0, 4));
    }
}
