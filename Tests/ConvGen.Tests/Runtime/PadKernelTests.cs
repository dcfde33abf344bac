using ConvGen.Reference;
using ConvGen.Runtime.Kernels;
using static ConvGen.Tests.Runtime.PoolingTestSupport;

namespace ConvGen.Tests.Runtime;

public class PadKernelTests
{
    private static float[] Pad(float[] x, int c, int h, int w, int left, int right, int top, int bottom, PaddingMode mode)
    {
        var y = new float[c * (h + top + bottom) * (w + left + right)];
        Array.Fill(y, 12345f);
        Pad2d.Forward(x, y, c, h, w, left, right, top, bottom, mode);
        return y;
    }

    [Theory]
    [InlineData(PaddingMode.Zeros)]
    [InlineData(PaddingMode.Reflect)]
    [InlineData(PaddingMode.Replicate)]
    [InlineData(PaddingMode.Circular)]
    public void Pad_RandomShapes_MatchReference(PaddingMode mode)
    {
        var rng = new Random(79 + (int)mode);
        int tested = 0;
        while (tested < 300)
        {
            int c = rng.Next(1, 4), h = rng.Next(1, 10), w = rng.Next(1, 40);
            int Amount(int size) => mode switch
            {
                PaddingMode.Reflect => rng.Next(-(size - 1) / 2, size),        // < size; crops allowed
                PaddingMode.Circular => rng.Next(0, size + 1),                // 0..size
                _ => rng.Next(-(size - 1) / 2, 6),
            };
            int left = Amount(w), right = Amount(w), top = Amount(h), bottom = Amount(h);
            if (Math.Max(0, -left) + Math.Max(0, -right) >= w || Math.Max(0, -top) + Math.Max(0, -bottom) >= h) continue;
            tested++;
            float[] x = RandomValues(rng, c * h * w);
            AssertEqual(PadReference.Pad(x, c, h, w, left, right, top, bottom, mode), Pad(x, c, h, w, left, right, top, bottom, mode),
                $"{mode}, {c}x{h}x{w} padded ({left}, {right}, {top}, {bottom})");
        }
    }

    [Fact]
    public void Pad_KnownPyTorchValues()
    {
        // F.pad(tensor([[0, 1], [2, 3]]), ...) in PyTorch 1.13; reflect on a width-2 input alternates the two columns.
        float[] x = [0, 1, 2, 3];
        AssertEqual([3, 2, 3, 2, 1, 0, 1, 0, 3, 2, 3, 2, 1, 0, 1, 0], Pad(x, 1, 2, 2, 1, 1, 1, 1, PaddingMode.Reflect), "reflect (1,1,1,1)");
        AssertEqual([0, 1, 0, 1, 0, 2, 3, 2, 3, 2, 0, 1, 0, 1, 0], Pad(x, 1, 2, 2, 2, 1, 0, 1, PaddingMode.Circular), "circular (2,1,0,1)");
        AssertEqual([0, 0, 0, 1, 1, 2, 2, 2, 3, 3, 2, 2, 2, 3, 3], Pad(x, 1, 2, 2, 2, 1, 0, 1, PaddingMode.Replicate), "replicate (2,1,0,1)");
        // F.pad(arange(6).reshape(2, 3), (-1, 2, 1, 0)): a crop on the left, zeros elsewhere.
        AssertEqual([0, 0, 0, 0, 1, 2, 0, 0, 4, 5, 0, 0], Pad([0, 1, 2, 3, 4, 5], 1, 2, 3, -1, 2, 1, 0, PaddingMode.Zeros), "zeros with crop");
        // F.pad(arange(6).reshape(2, 3), (2, 2, 1, 1), mode='reflect').
        AssertEqual([5, 4, 3, 4, 5, 4, 3, 2, 1, 0, 1, 2, 1, 0, 5, 4, 3, 4, 5, 4, 3, 2, 1, 0, 1, 2, 1, 0],
            Pad([0, 1, 2, 3, 4, 5], 1, 2, 3, 2, 2, 1, 1, PaddingMode.Reflect), "reflect (2,2,1,1)");
    }

    [Fact]
    public void Pad_ReflectOnWidthTwo_AllAmounts()
    {
        var rng = new Random(83);
        float[] x = RandomValues(rng, 3 * 5 * 2);
        for (int left = 0; left <= 1; left++)
            for (int right = 0; right <= 1; right++)
                AssertEqual(PadReference.Pad(x, 3, 5, 2, left, right, 2, 4, PaddingMode.Reflect), Pad(x, 3, 5, 2, left, right, 2, 4, PaddingMode.Reflect),
                    $"({left}, {right})");
    }

    [Fact]
    public void Pad_InvalidArguments_Throw()
    {
        Assert.Throws<ArgumentException>(() => Pad2d.Forward(new float[4], new float[16], 1, 2, 2, 2, 0, 0, 0, PaddingMode.Reflect));      // reflect >= size
        Assert.Throws<ArgumentException>(() => Pad2d.Forward(new float[4], new float[12], 1, 2, 2, 0, 0, 3, 0, PaddingMode.Circular));     // circular > size
        Assert.Throws<ArgumentException>(() => Pad2d.Forward(new float[4], new float[2], 1, 2, 2, -1, 0, 0, 0, PaddingMode.Circular));     // circular crop
        Assert.Throws<ArgumentException>(() => Pad2d.Forward(new float[4], new float[0], 1, 2, 2, -1, -1, 0, 0, PaddingMode.Zeros));       // crops everything
        Assert.Throws<ArgumentException>(() => Pad2d.Forward(new float[4], new float[4], 1, 2, 2, 0, 0, 0, 0, (PaddingMode)7));
        Assert.Equal("output", Assert.Throws<ArgumentException>(() => Pad2d.Forward(new float[4], new float[15], 1, 2, 2, 1, 1, 1, 1, PaddingMode.Zeros)).ParamName);
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => Pad2d.Forward(new float[5], new float[16], 1, 2, 2, 1, 1, 1, 1, PaddingMode.Zeros)).ParamName);
    }
}
