using System.Runtime.Intrinsics;
using ConvGen.Reference;
using ConvGen.Runtime.Kernels;
using ConvGen.Runtime.Simd;
using static ConvGen.Tests.Runtime.ConvTestSupport;

namespace ConvGen.Tests.Runtime;

/// <summary>
/// The GEMM under the CHW convolutions, at every width, on shapes around its tile edges: rows around the 4- and 8-row
/// tiles, columns around one and three vectors, with and without bias.
/// C has a gap between rows (ldc &gt; n) and guards after it, both of which must stay untouched.
/// </summary>
public class GemmTests
{
    private const float Sentinel = -777.25f;

    [Theory]
    [MemberData(nameof(Widths), MemberType = typeof(ConvTestSupport))]
    public void PackedA_ShapesAroundTheTiles_MatchReference(int width)
    {
        var random = new Random(400 + width);
        int[] ks = [1, 2, 5, 64, 150];
        int cases = 0;
        foreach (int m in new[] { 1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 33 })
        {
            foreach (int n in ColumnCounts(width))
            {
                int k = ks[cases % ks.Length];
                Epilogue epilogue = ConvReference.Epilogues[cases % ConvReference.Epilogues.Length];
                Check(width, m, k, n, hasBias: cases % 3 != 0, epilogue, bReadableExtra: 0, random);
                cases++;
            }
        }

        Assert.True(cases > 80);
    }

    [Theory]
    [MemberData(nameof(Widths), MemberType = typeof(ConvTestSupport))]
    public void NarrowColumns_WithReadablePadding_IgnoreThePaddingValues(int width)
    {
        // n < one vector and the caller vouches that a whole vector of each B row is readable: the kernel reads
        // the padding columns (NaN here) but must not let them reach C.
        var random = new Random(600 + width);
        for (int n = 1; n < width; n++)
        {
            Check(width, m: 11, k: 9, n, hasBias: false, new Epilogue(ActivationKind.ReLU), bReadableExtra: Gemm.MaxLanes, random);
            Check(width, m: 3, k: 20, n, hasBias: true, Epilogue.None, bReadableExtra: Gemm.MaxLanes, random);
        }
    }

    [Theory]
    [MemberData(nameof(Widths), MemberType = typeof(ConvTestSupport))]
    public void NarrowColumns_TooDeepForTheStackStrip_UseAPooledStripAndMatch(int width)
    {
        // k * lanes above the strip's stack budget: the strip comes from the array pool.
        var random = new Random(700 + width);
        Check(width, m: 10, k: 1100, n: Math.Max(1, width - 3), hasBias: true, new Epilogue(ActivationKind.Tanh), bReadableExtra: 0, random);
        Check(width, m: 5, k: 700, n: 2, hasBias: false, Epilogue.None, bReadableExtra: 0, random);
    }

    [Fact]
    public void PackA_InterleavesEightRowsPerStep_AndZeroFillsTheLastPanel()
    {
        const int m = 10, k = 3, lda = 5;
        float[] a = Enumerable.Range(0, m * lda).Select(i => (float)(i + 1)).ToArray();
        var packed = new float[Gemm.PackedLength(m, k)];
        Assert.Equal(2 * Gemm.MR * k, packed.Length);
        Gemm.PackA(a, m, k, lda, packed);
        for (int i = 0; i < 2 * Gemm.MR; i++)
            for (int p = 0; p < k; p++)
                Assert.Equal(i < m ? a[i * lda + p] : 0f, packed[i / Gemm.MR * Gemm.MR * k + p * Gemm.MR + i % Gemm.MR]);
    }

    // Around one and three vectors of this width (the full tile is three), plus a few larger ragged counts.
    private static IEnumerable<int> ColumnCounts(int lanes)
    {
        var counts = new SortedSet<int> { 1, 2, 3, lanes - 1, lanes, lanes + 1, 2 * lanes - 1, 2 * lanes + 3, 3 * lanes, 3 * lanes + 1, 4 * lanes - 1, 7 * lanes + 5, 100 };
        counts.RemoveWhere(n => n < 1);
        return counts;
    }

    private static void Check(int width, int m, int k, int n, bool hasBias, Epilogue epilogue, int bReadableExtra, Random random)
    {
        string label = $"width {width} m {m} k {k} n {n} bias {hasBias} {epilogue.Activation}";
        int lda = k + 2, ldb = n + bReadableExtra, ldc = n + 3;
        float[] a = ConvReference.RandomValues(random, m * lda);
        var b = new float[k * ldb];
        for (int p = 0; p < k; p++)
            for (int j = 0; j < ldb; j++)
                b[p * ldb + j] = j < n ? (float)(random.NextDouble() * 2 - 1) : float.NaN;
        float[] bias = ConvReference.RandomValues(random, m);
        var c = new float[m * ldc + 16];
        Array.Fill(c, Sentinel);

        var aArg = new float[Gemm.PackedLength(m, k)];
        Gemm.PackA(a, m, k, lda, aArg);

        ref float aRef = ref aArg[0];
        ref float bRef = ref b[0];
        ref float cRef = ref c[0];
        ref float biasRef = ref bias[0];
        int bReadable = n + bReadableExtra;
        switch (width)
        {
            case 16: Gemm.RunPacked<Vec512, Vector512<float>>(ref aRef, m, k, ref bRef, ldb, n, bReadable, ref cRef, ldc, ref biasRef, hasBias, epilogue); break;
            case 8: Gemm.RunPacked<Vec256, Vector256<float>>(ref aRef, m, k, ref bRef, ldb, n, bReadable, ref cRef, ldc, ref biasRef, hasBias, epilogue); break;
            case 4: Gemm.RunPacked<Vec128, Vector128<float>>(ref aRef, m, k, ref bRef, ldb, n, bReadable, ref cRef, ldc, ref biasRef, hasBias, epilogue); break;
            default: Gemm.RunPacked<Scalar, float>(ref aRef, m, k, ref bRef, ldb, n, bReadable, ref cRef, ldc, ref biasRef, hasBias, epilogue); break;
        }

        var actual = new float[m * n];
        var expected = new float[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = hasBias ? bias[i] : 0.0;
                for (int p = 0; p < k; p++) sum += (double)a[i * lda + p] * b[p * ldb + j];
                expected[i * n + j] = (float)ConvReference.Activate(sum, epilogue);
                actual[i * n + j] = c[i * ldc + j];
            }

            for (int j = n; j < ldc; j++) Assert.True(c[i * ldc + j] == Sentinel, $"{label}: wrote column {j} of row {i}");
        }

        for (int i = m * ldc; i < c.Length; i++) Assert.True(c[i] == Sentinel, $"{label}: wrote past the last row");
        AssertClose(actual, expected, k, label);
    }
}
