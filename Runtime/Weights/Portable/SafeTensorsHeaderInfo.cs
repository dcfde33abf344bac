// Portable: compiles under net10.0 and netstandard2.0; see SafeTensorsHeader.cs.
using System;
using System.Collections.Generic;

#if CONVGEN_GENERATOR
namespace ConvGen.Generator.Weights;
#else
namespace ConvGen.Runtime.Weights;
#endif

/// <summary>
/// One tensor of a safetensors header: its key, element type, shape (row-major; <c>[]</c> is a scalar) and where
/// its bytes lie, as a half-open range <c>[Begin, End)</c> relative to the start of the data buffer (the byte after
/// the header). Equality compares the shape element by element.
/// </summary>
public sealed record TensorEntry(string Name, TensorDType DType, int[] Shape, long Begin, long End)
{
    // Get-only re-declarations: positional records would otherwise emit init accessors, which netstandard2.0 lacks.

    /// <summary>The state_dict key, e.g. <c>"0.weight"</c> or <c>"stem_bn.running_var"</c>.</summary>
    public string Name { get; } = Name;

    /// <summary>The element type.</summary>
    public TensorDType DType { get; } = DType;

    /// <summary>The dimensions, outermost first; empty for a scalar. Do not mutate.</summary>
    public int[] Shape { get; } = Shape;

    /// <summary>Offset of the first byte in the data buffer.</summary>
    public long Begin { get; } = Begin;

    /// <summary>Offset one past the last byte in the data buffer.</summary>
    public long End { get; } = End;

    /// <summary>The number of elements: the product of <see cref="Shape"/> (1 for a scalar, 0 if a dimension is 0).</summary>
    public long ElementCount
    {
        get
        {
            long count = 1;
            foreach (int dim in Shape)
            {
                count *= dim;
            }

            return count;
        }
    }

    /// <summary>The number of bytes the tensor occupies, <c>End - Begin</c>.</summary>
    public long ByteLength => End - Begin;

    /// <summary>The shape as PyTorch users read it: <c>[6, 1, 5, 5]</c>, <c>[]</c> for a scalar.</summary>
    public string ShapeText => SafeTensorsHeader.FormatShape(Shape);

    /// <inheritdoc/>
    public bool Equals(TensorEntry? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (other is null || Name != other.Name || DType != other.DType || Begin != other.Begin || End != other.End
            || Shape.Length != other.Shape.Length)
        {
            return false;
        }

        for (int i = 0; i < Shape.Length; i++)
        {
            if (Shape[i] != other.Shape[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        int hash = StringComparer.Ordinal.GetHashCode(Name);
        hash = (hash * 31) + (int)DType;
        hash = (hash * 31) + Begin.GetHashCode();
        hash = (hash * 31) + End.GetHashCode();
        foreach (int dim in Shape)
        {
            hash = (hash * 31) + dim;
        }

        return hash;
    }

    /// <summary>For debugging: <c>0.weight F32 [6, 1, 5, 5] @ [0, 600)</c>.</summary>
    public override string ToString() => Name + " " + TensorDTypes.FileName(DType) + " " + ShapeText + " @ [" + Begin + ", " + End + ")";
}

/// <summary>
/// A validated safetensors header: every tensor's entry, the free-form <c>__metadata__</c> strings, and where the
/// data buffer lies in the file. Produced by <see cref="SafeTensorsHeader"/>, which has already checked that the
/// tensors tile the data buffer exactly.
/// </summary>
public sealed class SafeTensorsHeaderInfo
{
    private static readonly Dictionary<string, string> NoMetadata = new Dictionary<string, string>();

    private readonly TensorEntry[] _tensors;
    private readonly Dictionary<string, int> _indexByName;
    private readonly Dictionary<string, string>? _metadata;

    internal SafeTensorsHeaderInfo(int headerLength, long dataLength, TensorEntry[] tensors, Dictionary<string, int> indexByName, Dictionary<string, string>? metadata)
    {
        HeaderLength = headerLength;
        DataLength = dataLength;
        _tensors = tensors;
        _indexByName = indexByName;
        _metadata = metadata;
    }

    /// <summary>The length of the JSON header in bytes (the value of the 8-byte prefix).</summary>
    public int HeaderLength { get; }

    /// <summary>Where the data buffer starts in the file: <c>8 + HeaderLength</c>.</summary>
    public long DataOffset => SafeTensorsHeader.PrefixLength + (long)HeaderLength;

    /// <summary>The length of the data buffer in bytes (the rest of the file).</summary>
    public long DataLength { get; }

    /// <summary>The tensors in the order the header lists them.</summary>
    public IReadOnlyList<TensorEntry> Tensors => _tensors;

    /// <summary>How many tensors the header lists.</summary>
    public int Count => _tensors.Length;

    /// <summary>Whether the header has a <c>__metadata__</c> object.</summary>
    public bool HasMetadata => _metadata != null;

    /// <summary>The <c>__metadata__</c> strings (e.g. <c>"format": "pt"</c>); empty when the header has none.</summary>
    public IReadOnlyDictionary<string, string> Metadata => _metadata ?? NoMetadata;

    /// <summary>The position of <paramref name="name"/> in <see cref="Tensors"/>, or -1.</summary>
    public int IndexOf(string name) => _indexByName.TryGetValue(name, out int index) ? index : -1;

    /// <summary>The entry of <paramref name="name"/>, or null when the header has no such tensor.</summary>
    public TensorEntry? Find(string name) => _indexByName.TryGetValue(name, out int index) ? _tensors[index] : null;
}
