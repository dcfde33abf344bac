namespace ConvGen.Tests.Runtime;

/// <summary>Shared helpers of the pooling, element-wise, softmax, padding and upsampling kernel tests.</summary>
internal static class PoolingTestSupport
{
    /// <summary>Vector widths in floats (16: Vec512, 8: Vec256, 4: Vec128, 1: Scalar); each test forces every one.</summary>
    public static TheoryData<int> Widths => new() { 16, 8, 4, 1 };

    /// <summary>Normal-ish values (sum of uniforms) times <paramref name="scale"/>.</summary>
    public static float[] RandomValues(Random rng, int length, float scale = 3f)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = (float)((rng.NextDouble() + rng.NextDouble() + rng.NextDouble() - 1.5) * 2 * scale);
        return values;
    }

    /// <summary>
    /// |actual - expected| &lt;= tolerance * max(1, max|expected|) element-wise; NaN must match NaN and an infinity
    /// the same infinity.
    /// </summary>
    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double tolerance, string context)
    {
        Assert.True(expected.Length == actual.Length, $"{context}: length {actual.Length}, expected {expected.Length}");
        double scale = 1;
        foreach (float e in expected)
            if (float.IsFinite(e)) scale = Math.Max(scale, Math.Abs(e));
        double bound = tolerance * scale;
        for (int i = 0; i < expected.Length; i++)
        {
            float e = expected[i], a = actual[i];
            bool ok = float.IsNaN(e) ? float.IsNaN(a)
                : float.IsInfinity(e) ? a == e
                : float.IsFinite(a) && Math.Abs((double)a - e) <= bound;
            Assert.True(ok, $"{context}: element {i} is {a:R}, expected {e:R} (bound {bound:E2})");
        }
    }

    /// <summary>Exact equality (max pooling and data movement are exact).</summary>
    public static void AssertEqual(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string context)
    {
        Assert.True(expected.Length == actual.Length, $"{context}: length {actual.Length}, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
            Assert.True(expected[i].Equals(actual[i]), $"{context}: element {i} is {actual[i]:R}, expected {expected[i]:R}");
    }
}
