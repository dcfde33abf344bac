using ConvGen.Generator.Analysis;
using ConvGen.Runtime.Kernels;

namespace ConvGen.Tests.Analysis;

/// <summary>
/// The closed forms that replaced loops over every stride, channel count or kernel tap give what the loops gave,
/// checked against the loops on small values; on the largest values they answer at once.
/// </summary>
public class BoundedSuggestionTests
{
    [Fact]
    public void PaddingFixMatchesTheSearchOverEveryPadding()
    {
        for (int s = 1; s <= 12; s++)
            for (long eff = 0; eff <= 40; eff++)
                for (long padEnd = 0; padEnd <= 3; padEnd++)
                {
                    long? expected = null;
                    for (long extra = 1; extra < s; extra++)
                        if ((eff + 2 * extra) % s <= padEnd + extra) { expected = extra; break; }
                    if (eff % s <= padEnd) expected = null; // nothing is unread: no fix is asked for
                    Assert.True(expected == LayerRules.PaddingThatReadsAll(eff, s, padEnd), $"eff {eff}, stride {s}, end padding {padEnd}");
                }
    }

    [Fact]
    public void StrideFixMatchesTheSearchOverEveryStride()
    {
        for (int s = 2; s <= 40; s++)
            for (long eff = 0; eff <= 200; eff++)
            {
                long? expected = null;
                for (long smaller = s - 1; smaller >= 1; smaller--)
                    if (eff % smaller == 0) { expected = smaller; break; }
                Assert.Equal(expected, LayerRules.LargestStrideThatReadsAll(eff, s));
            }
    }

    [Fact]
    public void FixesOnTheLargestValuesAreImmediate()
    {
        Assert.Equal((int.MaxValue - 5 + 1) / 2, LayerRules.PaddingThatReadsAll(5, int.MaxValue, 0));
        Assert.Equal(1L << 29, LayerRules.LargestStrideThatReadsAll(1L << 30, int.MaxValue - 1 >> 1)); // 2^30 - 1 > 2^29
        Assert.Equal(1073741789, LayerRules.LargestStrideThatReadsAll(1073741789, int.MaxValue));
        Assert.Equal(1, LayerRules.LargestStrideThatReadsAll(1073741789, 1073741789)); // a prime: only stride 1 divides it
    }

    [Fact]
    public void UsedPhaseCountMatchesCountingEveryTap()
    {
        for (int k = 1; k <= 7; k++)
            for (int s = 1; s <= 6; s++)
                for (int d = 1; d <= 6; d++)
                {
                    var used = new HashSet<(int, int)>();
                    for (int kh = 0; kh < k; kh++)
                        for (int kw = 0; kw < 3; kw++)
                            used.Add((kh * d % s, kw * 2 % 4));
                    Assert.Equal(used.Count, ConvWorkspace.UsedPhaseCount(k, 3, s, 4, d, 2));
                }
        Assert.Equal(1L, ConvWorkspace.UsedPhaseCount(3, 3, int.MaxValue, int.MaxValue, int.MaxValue, int.MaxValue));
        Assert.Equal(9L, ConvWorkspace.UsedPhaseCount(3, 3, int.MaxValue, int.MaxValue, 1, 1));
    }
}
