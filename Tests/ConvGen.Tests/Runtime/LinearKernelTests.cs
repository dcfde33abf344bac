using System.Runtime.Intrinsics;
using ConvGen.Reference;
using ConvGen.Runtime.Kernels;
using ConvGen.Runtime.Simd;
using static ConvGen.Tests.Runtime.ConvTestSupport;

namespace ConvGen.Tests.Runtime;

/// <summary>torch.nn.Linear at every width against the double-precision reference: GEMV (one row) and GEMM (more rows).</summary>
public class LinearKernelTests
{
    [Theory]
    [MemberData(nameof(Widths), MemberType = typeof(ConvTestSupport))]
    public void OneRow_OddSizes_MatchReference(int width)
    {
        var random = new Random(60 + width);
        int cases = 0;
        foreach (int inFeatures in new[] { 1, 2, 3, 7, 17, 64, 84, 400 })
        {
            foreach (int outFeatures in new[] { 1, 3, 4, 10, 15, 16, 17, 33, 49, 64, 65, 84, 120 })
            {
                Check(width, 1, inFeatures, outFeatures, ConvReference.Epilogues[cases % ConvReference.Epilogues.Length], withBias: cases % 3 != 2, random);
                cases++;
            }
        }
    }

    [Theory]
    [MemberData(nameof(Widths), MemberType = typeof(ConvTestSupport))]
    public void SeveralRows_OddSizes_MatchReference(int width)
    {
        var random = new Random(70 + width);
        int cases = 0;
        foreach (int rows in new[] { 2, 3, 5, 9, 49 })
        {
            foreach ((int inFeatures, int outFeatures) in new[] { (1, 1), (3, 5), (9, 15), (17, 16), (23, 19), (31, 100), (64, 12), (40, 49) })
            {
                Check(width, rows, inFeatures, outFeatures, ConvReference.Epilogues[cases % ConvReference.Epilogues.Length], withBias: cases % 2 == 0, random);
                cases++;
            }
        }
    }

    [Theory]
    [MemberData(nameof(Widths), MemberType = typeof(ConvTestSupport))]
    public void ZeroRows_WritesNothing(int width)
    {
        float[] packed = Linear.PackWeights(new float[12], 4, 3);
        Forward(width, ReadOnlySpan<float>.Empty, Span<float>.Empty, packed, default, 0, 4, 3, Epilogue.None);
    }

    [Fact]
    public void PackWeights_TransposesAndPadsTheOutputsToSixteen()
    {
        const int inFeatures = 3, outFeatures = 18;
        float[] weights = Enumerable.Range(0, inFeatures * outFeatures).Select(i => (float)(i + 1)).ToArray();
        float[] packed = Linear.PackWeights(weights, inFeatures, outFeatures);
        Assert.Equal(inFeatures * 32, packed.Length);
        Assert.Equal(Linear.PackedLength(inFeatures, outFeatures), packed.Length);
        for (int i = 0; i < inFeatures; i++)
            for (int o = 0; o < 32; o++)
                Assert.Equal(o < outFeatures ? weights[o * inFeatures + i] : 0f, packed[i * 32 + o]);
    }

    [Fact]
    public void PublicForward_MatchesReference()
    {
        var random = new Random(3);
        float[] x = ConvReference.RandomValues(random, 2 * 30), w = ConvReference.RandomValues(random, 30 * 20), b = ConvReference.RandomValues(random, 20);
        var y = new float[2 * 20];
        Linear.Forward(x, y, Linear.PackWeights(w, 30, 20), b, 2, 30, 20, new Epilogue(ActivationKind.ReLU6));
        AssertClose(y, ConvReference.Linear(x, w, b, 2, 30, 20, new Epilogue(ActivationKind.ReLU6)), 30, "rows 2");
        y = new float[20];
        Linear.Forward(x.AsSpan(0, 30), y, Linear.PackWeights(w, 30, 20), b, 1, 30, 20, Epilogue.None);
        AssertClose(y, ConvReference.Linear(x[..30], w, b, 1, 30, 20, Epilogue.None), 30, "rows 1");
    }

    [Fact]
    public void WrongLengthsAndSizes_ThrowArgumentException()
    {
        float[] packed = Linear.PackWeights(new float[12], 4, 3);
        Assert.Throws<ArgumentException>(() => Linear.Forward(new float[5], new float[3], packed, default, 1, 4, 3, Epilogue.None));
        Assert.Throws<ArgumentException>(() => Linear.Forward(new float[4], new float[4], packed, default, 1, 4, 3, Epilogue.None));
        Assert.Throws<ArgumentException>(() => Linear.Forward(new float[4], new float[3], new float[12], default, 1, 4, 3, Epilogue.None));
        Assert.Throws<ArgumentException>(() => Linear.Forward(new float[4], new float[3], packed, new float[2], 1, 4, 3, Epilogue.None));
        Assert.Throws<ArgumentException>(() => Linear.Forward(new float[8], new float[6], packed, default, 1, 4, 3, Epilogue.None));
        Assert.Throws<ArgumentException>(() => Linear.Forward(new float[4], new float[3], packed, default, -1, 4, 3, Epilogue.None));
        Assert.Throws<ArgumentException>(() => Linear.PackWeights(new float[11], 4, 3));
        Assert.Throws<ArgumentException>(() => Linear.PackWeights(new float[0], 0, 3));
        ArgumentException e = Assert.Throws<ArgumentException>(() => Linear.Forward<Vec128, Vector128<float>>(new float[4], new float[7], packed, default, 1, 4, 3, Epilogue.None));
        Assert.Equal("output", e.ParamName);
    }

    private static void Check(int width, int rows, int inFeatures, int outFeatures, Epilogue epilogue, bool withBias, Random random)
    {
        float[] x = ConvReference.RandomValues(random, rows * inFeatures);
        float[] w = ConvReference.RandomValues(random, inFeatures * outFeatures);
        float[]? b = withBias ? ConvReference.RandomValues(random, outFeatures) : null;
        ConvTestSupport.Guarded input = ConvTestSupport.Guarded.Input(x), output = ConvTestSupport.Guarded.Output(rows * outFeatures);
        Forward(width, input.Span, output.Span, Linear.PackWeights(w, inFeatures, outFeatures), b, rows, inFeatures, outFeatures, epilogue);
        string label = $"width {width} rows {rows} in {inFeatures} out {outFeatures} {epilogue.Activation} bias {withBias}";
        output.AssertGuardsIntact(label);
        AssertClose(output.Span, ConvReference.Linear(x, w, b, rows, inFeatures, outFeatures, epilogue), inFeatures, label);
    }

    private static void Forward(int width, ReadOnlySpan<float> x, Span<float> y, ReadOnlySpan<float> packed, ReadOnlySpan<float> bias,
        int rows, int inFeatures, int outFeatures, Epilogue epilogue)
    {
        switch (width)
        {
            case 16: Linear.Forward<Vec512, Vector512<float>>(x, y, packed, bias, rows, inFeatures, outFeatures, epilogue); break;
            case 8: Linear.Forward<Vec256, Vector256<float>>(x, y, packed, bias, rows, inFeatures, outFeatures, epilogue); break;
            case 4: Linear.Forward<Vec128, Vector128<float>>(x, y, packed, bias, rows, inFeatures, outFeatures, epilogue); break;
            default: Linear.Forward<Scalar, float>(x, y, packed, bias, rows, inFeatures, outFeatures, epilogue); break;
        }
    }
}
