using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ConvGen.Runtime.Kernels;

namespace ConvGen.Tests.Runtime;

/// <summary>The scratch arena and the packed weights start on a 64-byte boundary and never move.</summary>
public class AlignedMemoryTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(17)]
    [InlineData(4099)]
    public void AlignedWeights_HoldACopyOnALineBoundary_ThatACompactingCollectionDoesNotMove(int length)
    {
        float[] packed = Enumerable.Range(0, length).Select(i => i * 0.5f - 3).ToArray();
        AlignedWeights weights = packed;
        packed.AsSpan().Clear();
        Assert.Equal(length, weights.Length);
        Assert.Equal(Enumerable.Range(0, length).Select(i => i * 0.5f - 3), weights.Span.ToArray());
        nint before = Address(weights.Span);
        Assert.Equal(0, before % 64);
        for (int i = 0; i < 3; i++)
        {
            _ = new float[10_000];
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        }
        Assert.Equal(before, Address(weights.Span));
        ReadOnlySpan<float> viaConversion = weights;
        Assert.Equal(before, Address(viaConversion));
    }

    [Fact]
    public void Arena_StartsOnALineBoundary()
    {
        float[] arena = Arena.Allocate(1000, out int start);
        Assert.Equal(0, Address(arena.AsSpan(start)) % 64);
        Assert.True(arena.Length - start >= 1000);
    }

    private static unsafe nint Address(ReadOnlySpan<float> span) => (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(span));
}
