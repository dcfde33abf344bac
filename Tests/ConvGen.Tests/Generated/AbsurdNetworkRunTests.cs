using ConvGen.Samples;

namespace ConvGen.Tests.Generated;

// Absurd declarations that compile (AbsurdDeclarationTests) also run: each beside a sane twin that PyTorch's
// rules make equal. A stride past the padded input leaves one window per axis, so stride int.MaxValue computes what
// stride 8 does on an 8-pixel axis; a dilation of 2^16 with padding 2^16 on 8×8 reads only the centre tap.
#pragma warning disable CG0002
[Network(2, 8, 8)] [Conv2d(4, 3, Stride = int.MaxValue)] public partial class StrideMaxConv;
[Network(2, 8, 8)] [Conv2d(4, 3, Stride = 8)] public partial class StrideEightConv;
[Network(2, 8, 8)] [Conv2d(4, 3, Stride = 50000)] public partial class Stride50000Conv;
[Network(2, 8, 8)] [Conv2d(4, 3, Stride = new[] { int.MaxValue, 1 })] public partial class StrideMaxRowsConv;
[Network(2, 8, 8)] [Conv2d(4, 3, Stride = new[] { 8, 1 })] public partial class StrideEightRowsConv;
[Network(2, 16)] [Conv1d(4, 3, Stride = int.MaxValue)] public partial class StrideMaxConv1d;
[Network(2, 16)] [Conv1d(4, 3, Stride = 16)] public partial class StrideSixteenConv1d;
[Network(2, 8, 8)] [Conv2d(4, 3, Stride = int.MaxValue, Groups = 2)] public partial class StrideMaxGroupedConv;
[Network(2, 8, 8)] [Conv2d(4, 3, Stride = 8, Groups = 2)] public partial class StrideEightGroupedConv;
[Network(2, 8, 8)] [Conv2d(2, 3, Stride = int.MaxValue, Groups = 2)] public partial class StrideMaxDepthwiseConv;
[Network(2, 8, 8)] [Conv2d(2, 3, Stride = 8, Groups = 2)] public partial class StrideEightDepthwiseConv;
[Network(2, 8, 8)] [MaxPool2d(2, Stride = int.MaxValue)] public partial class StrideMaxPool;
[Network(2, 8, 8)] [MaxPool2d(2, Stride = 8)] public partial class StrideEightPool;
[Network(2, 8, 8)] [AvgPool2d(3, Stride = 1 << 30, Padding = 1, CeilMode = true)] public partial class StrideHugeCeilPool;
[Network(2, 8, 8)] [AvgPool2d(3, Stride = 16, Padding = 1, CeilMode = true)] public partial class StrideSixteenCeilPool;
[Network(2, 8, 8)] [Conv2d(4, 3, Dilation = 1 << 16, Padding = 1 << 16)] public partial class DilationHugeConv;
[Network(2, 8, 8)] [Conv2d(4, 1)] public partial class CentreTapConv;
[Network(2, 4, 4)] [BatchNorm2d(Eps = double.PositiveInfinity)] public partial class InfiniteEpsBatchNorm;
[Network(2, 1, 1)] [ConvTranspose2d(4, 3, Stride = int.MaxValue)] public partial class StrideMaxTransposed;
[Network(2, 1, 1)] [ConvTranspose2d(4, 3, Stride = 3)] public partial class StrideThreeTransposed;
#pragma warning restore CG0002

public class AbsurdNetworkRunTests
{
    private static float[] Values(Random random, int n) => Enumerable.Range(0, n).Select(_ => random.NextSingle() * 2 - 1).ToArray();

    private static (byte[] Weights, float[] Kernel, float[] Bias) ConvWeights(int outC, int inPerGroup, int kh, int kw, int seed)
    {
        var random = new Random(seed);
        float[] kernel = Values(random, outC * inPerGroup * kh * kw), bias = Values(random, outC);
        return (SafeTensors.Write(("0.weight", new[] { outC, inPerGroup, kh, kw }, kernel), ("0.bias", new[] { outC }, bias)), kernel, bias);
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5f, $"[{i}]: {actual[i]}, expected {expected[i]}");
    }

    private delegate void Runner(ReadOnlySpan<float> input, Span<float> output);

    private static float[] Run(Runner run, float[] x, int outputLength)
    {
        float[] y = new float[outputLength];
        run(x, y);
        return y;
    }

    [Fact]
    public void StridesPastTheInputComputeTheFirstWindow()
    {
        var random = new Random(7);
        float[] x2d = Values(random, 2 * 8 * 8), x1d = Values(random, 2 * 16);
        byte[] w = ConvWeights(4, 2, 3, 3, 1).Weights, grouped = ConvWeights(4, 1, 3, 3, 2).Weights, depthwise = ConvWeights(2, 1, 3, 3, 3).Weights;
        byte[] w1d = SafeTensors.Write(("0.weight", new[] { 4, 2, 3 }, Values(random, 24)), ("0.bias", new[] { 4 }, Values(random, 4)));

        float[] twin = Run(StrideEightConv.Load(w).Run, x2d, StrideEightConv.OutputLength);
        AssertClose(twin, Run(StrideMaxConv.Load(w).Run, x2d, StrideMaxConv.OutputLength));
        AssertClose(twin, Run(Stride50000Conv.Load(w).Run, x2d, Stride50000Conv.OutputLength));
        AssertClose(Run(StrideEightRowsConv.Load(w).Run, x2d, StrideEightRowsConv.OutputLength), Run(StrideMaxRowsConv.Load(w).Run, x2d, StrideMaxRowsConv.OutputLength));
        AssertClose(Run(StrideSixteenConv1d.Load(w1d).Run, x1d, StrideSixteenConv1d.OutputLength), Run(StrideMaxConv1d.Load(w1d).Run, x1d, StrideMaxConv1d.OutputLength));
        AssertClose(Run(StrideEightGroupedConv.Load(grouped).Run, x2d, 4), Run(StrideMaxGroupedConv.Load(grouped).Run, x2d, 4));
        AssertClose(Run(StrideEightDepthwiseConv.Load(depthwise).Run, x2d, 2), Run(StrideMaxDepthwiseConv.Load(depthwise).Run, x2d, 2));
        AssertClose(Run(StrideEightPool.Load(SafeTensors.Write()).Run, x2d, 2), Run(StrideMaxPool.Load(SafeTensors.Write()).Run, x2d, 2));
        AssertClose(Run(StrideSixteenCeilPool.Load(SafeTensors.Write()).Run, x2d, 2), Run(StrideHugeCeilPool.Load(SafeTensors.Write()).Run, x2d, 2));
        // A transposed convolution of a 1×1 input: no stride multiplies anything.
        byte[] transposed = SafeTensors.Write(("0.weight", new[] { 2, 4, 3, 3 }, Values(random, 72)), ("0.bias", new[] { 4 }, Values(random, 4)));
        float[] pixel = Values(random, 2);
        AssertClose(Run(StrideThreeTransposed.Load(transposed).Run, pixel, 36), Run(StrideMaxTransposed.Load(transposed).Run, pixel, 36));
    }

    [Fact]
    public void HugeDilationWithAsMuchPaddingReadsOnlyTheCentreTap()
    {
        var random = new Random(8);
        float[] x = Values(random, 2 * 8 * 8);
        (byte[] weights, float[] kernel, float[] bias) = ConvWeights(4, 2, 3, 3, 4);
        // Centre taps [o, c, 1, 1] as a 1×1 kernel.
        float[] centre = Enumerable.Range(0, 4 * 2).Select(i => kernel[i * 9 + 4]).ToArray();
        byte[] centreWeights = SafeTensors.Write(("0.weight", new[] { 4, 2, 1, 1 }, centre), ("0.bias", new[] { 4 }, bias));
        AssertClose(Run(CentreTapConv.Load(centreWeights).Run, x, CentreTapConv.OutputLength), Run(DilationHugeConv.Load(weights).Run, x, DilationHugeConv.OutputLength));
    }

    [Fact]
    public void InfiniteEpsLeavesTheShift()
    {
        var random = new Random(9);
        float[] gamma = Values(random, 2), beta = Values(random, 2), mean = Values(random, 2), variance = { 0.5f, 2f };
        var net = InfiniteEpsBatchNorm.Load(SafeTensors.Write(("0.weight", new[] { 2 }, gamma), ("0.bias", new[] { 2 }, beta),
            ("0.running_mean", new[] { 2 }, mean), ("0.running_var", new[] { 2 }, variance)));
        float[] y = Run(net.Run, Values(random, 2 * 16), 2 * 16);
        // (x - mean) / sqrt(var + inf) * gamma + beta = beta, as in PyTorch.
        AssertClose(Enumerable.Range(0, 32).Select(i => beta[i / 16]).ToArray(), y);
    }
}
