namespace ConvGen.Runtime.Kernels;

/// <summary>The scratch memory of a generated network: one array, its used part starting on a 64-byte boundary.</summary>
/// <remarks>
/// The planner places every tensor and workspace of the arena at a multiple of 16 floats, so with the arena's start
/// aligned every 16-float vector the kernels load or store lies within one cache line: a 512-bit access that crosses
/// a line costs two (DepthwiseConv2d on MobileNetV2's 144 x 56 x 56, all buffers aligned: 72 µs; 16 bytes past a
/// boundary: 104 µs; DS-CNN 0.90 -> 0.87 and VWW 0.84 -> 0.82 of ORT's time, arena aligned against 16 bytes past a
/// boundary). The array is pinned (allocated on the pinned object heap), so its alignment never changes.
/// </remarks>
public static class Arena
{
    /// <summary>
    /// A zeroed, pinned array of <paramref name="length"/> + <see cref="Blocked16.AlignmentSlack"/> floats and the index
    /// of its first 64-byte aligned float.
    /// </summary>
    public static float[] Allocate(int length, out int start)
    {
        if (length < 0) throw new ArgumentOutOfRangeException(nameof(length), length, "length must be >= 0.");
        float[] array = GC.AllocateArray<float>(checked(length + Blocked16.AlignmentSlack), pinned: true);
        start = Blocked16.AlignmentSkip(ref MemoryMarshal.GetArrayDataReference(array));
        return array;
    }
}

/// <summary>
/// A layer's weights as the kernels read them: copied once, at load, to a 64-byte boundary of a pinned array.
/// </summary>
/// <remarks>
/// For the reason <see cref="Arena"/> aligns the scratch: a 512-bit load of a weight vector that crosses a cache line
/// costs two. A packed array from the ordinary heap starts wherever the allocator put it, and a compacting collection
/// may move it: BenchmarkDotNet's forced collections between iterations moved VWW's weights mid-run, its Run swinging
/// between 84 and 102-106 µs in one process. Pinned and aligned, the weights' placement is the same in every process
/// and every run. Generated networks hold every array their Load makes in one (packed weights, biases, scales, learned
/// tensors; assigned from the array) and pass it where a kernel takes a <see cref="ReadOnlySpan{T}"/>.
/// </remarks>
public sealed class AlignedWeights
{
    private readonly float[] _array;
    private readonly int _start;

    private AlignedWeights(ReadOnlySpan<float> packed)
    {
        _array = Arena.Allocate(packed.Length, out _start);
        packed.CopyTo(_array.AsSpan(_start));
        Length = packed.Length;
    }

    /// <summary>No weights (a field's value before Load assigns it).</summary>
    public static AlignedWeights Empty { get; } = new(ReadOnlySpan<float>.Empty);

    /// <summary>Floats of the packed weights.</summary>
    public int Length { get; }

    /// <summary>The packed weights, starting on a 64-byte boundary.</summary>
    public ReadOnlySpan<float> Span => new(_array, _start, Length);

    /// <summary>A copy of <paramref name="packed"/> at a 64-byte boundary of a pinned array (what a generated <c>Load</c> assigns).</summary>
    public static implicit operator AlignedWeights(float[] packed) => new(packed);

    public static implicit operator ReadOnlySpan<float>(AlignedWeights weights) => weights.Span;
}
