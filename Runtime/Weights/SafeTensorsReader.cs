using System.Buffers.Binary;
using System.Collections.Generic;
using System.Text;

namespace ConvGen.Runtime.Weights;

/// <summary>
/// Reads the float tensors of a safetensors file (a PyTorch <c>state_dict</c> saved with
/// <c>safetensors.torch.save_file</c>) into a network at load time. <see cref="Open"/> validates the whole header
/// up front; each <c>ReadFloat32</c> then checks the tensor's shape and dtype against what the declaration expects
/// and marks it consumed, and <see cref="ThrowIfUnconsumed"/> finally rejects tensors no layer asked for. Every
/// problem with the file is a <see cref="WeightsException"/> naming the key and both shapes or dtypes.
/// </summary>
/// <remarks>
/// Float32 tensors are copied; float16 and bfloat16 tensors are widened exactly (every value, including subnormals,
/// infinities and NaN, is representable in float32). Other dtypes are refused: ConvGen does not quantise or narrow.
/// The reader holds the file span, so it lives on the stack for the duration of one <c>Load</c>.
/// </remarks>
public ref struct SafeTensorsReader
{
    private const int UnexpectedKeysListed = 5;

    private readonly ReadOnlySpan<byte> _data;
    private readonly SafeTensorsHeaderInfo? _header;
    private readonly bool[]? _consumed;

    private SafeTensorsReader(ReadOnlySpan<byte> data, SafeTensorsHeaderInfo header)
    {
        _data = data;
        _header = header;
        _consumed = new bool[header.Count];
    }

    /// <summary>How many tensors the file holds.</summary>
    public readonly int Count => Header.Count;

    /// <summary>The validated header: entries, metadata, offsets.</summary>
    public readonly SafeTensorsHeaderInfo Header => _header ?? throw new InvalidOperationException("This SafeTensorsReader was not created by SafeTensorsReader.Open.");

    /// <summary>
    /// Validates the header of <paramref name="file"/> (a whole safetensors file) and returns a reader over it.
    /// Throws <see cref="WeightsException"/> for an empty, truncated or malformed file.
    /// </summary>
    public static SafeTensorsReader Open(ReadOnlySpan<byte> file)
    {
        byte[] prefix = file.Slice(0, Math.Min(file.Length, SafeTensorsHeader.PrefixLength)).ToArray();
        int headerLength = SafeTensorsHeader.ReadHeaderLength(prefix, file.Length);
        byte[] json = file.Slice(SafeTensorsHeader.PrefixLength, headerLength).ToArray();
        int dataOffset = SafeTensorsHeader.PrefixLength + headerLength;
        SafeTensorsHeaderInfo header = SafeTensorsHeader.ParseHeaderJson(json, file.Length - dataOffset);
        return new SafeTensorsReader(file.Slice(dataOffset), header);
    }

    /// <summary>Whether the file has a tensor <paramref name="key"/> (any dtype or shape).</summary>
    public readonly bool Contains(string key) => Header.IndexOf(key) >= 0;

    /// <summary>
    /// Reads tensor <paramref name="key"/> as float32, checking that its shape is <paramref name="expectedShape"/>
    /// and its dtype F32, F16 or BF16, and marks it consumed.
    /// </summary>
    public readonly float[] ReadFloat32(string key, ReadOnlySpan<int> expectedShape)
    {
        TensorEntry entry = Require(key, expectedShape);
        var values = new float[entry.ElementCount];
        Widen(entry, values);
        return values;
    }

    /// <summary>
    /// Reads tensor <paramref name="key"/> as float32 into <paramref name="destination"/>, whose length must be the
    /// element count of <paramref name="expectedShape"/>; same checks as <see cref="ReadFloat32(string, ReadOnlySpan{int})"/>.
    /// </summary>
    public readonly void ReadFloat32(string key, ReadOnlySpan<int> expectedShape, Span<float> destination)
    {
        long expectedCount = ElementCount(expectedShape);
        if (destination.Length != expectedCount)
        {
            throw new ArgumentException($"destination has {destination.Length} elements but shape {FormatShape(expectedShape)} has {expectedCount}.", nameof(destination));
        }

        TensorEntry entry = Require(key, expectedShape);
        Widen(entry, destination);
    }

    /// <summary>
    /// Reads an optional tensor: false (and an empty array) when the file has no <paramref name="key"/>; when it
    /// has one, the same checks as <see cref="ReadFloat32(string, ReadOnlySpan{int})"/> apply and a mismatch throws.
    /// </summary>
    public readonly bool TryReadFloat32(string key, ReadOnlySpan<int> expectedShape, out float[] values)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (Header.IndexOf(key) < 0)
        {
            values = [];
            return false;
        }

        values = ReadFloat32(key, expectedShape);
        return true;
    }

    /// <summary>Marks <paramref name="key"/> consumed if the file has it, whatever its dtype and shape (e.g. <c>num_batches_tracked</c>).</summary>
    public readonly void Ignore(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        int index = Header.IndexOf(key);
        if (index >= 0)
        {
            _consumed![index] = true;
        }
    }

    /// <summary>
    /// Throws <see cref="WeightsException"/> if the file holds tensors that nothing read or ignored: a state_dict
    /// with more layers than the declaration, or keys that do not follow its layer names or indices.
    /// </summary>
    public readonly void ThrowIfUnconsumed()
    {
        SafeTensorsHeaderInfo header = Header;
        var unexpected = new List<TensorEntry>();
        for (int i = 0; i < header.Count; i++)
        {
            if (!_consumed![i])
            {
                unexpected.Add(header.Tensors[i]);
            }
        }

        if (unexpected.Count == 0)
        {
            return;
        }

        if (unexpected.Count == 1)
        {
            TensorEntry only = unexpected[0];
            throw new WeightsException($"unexpected tensor '{only.Name}' (shape {only.ShapeText}) in the weights file: the declaration has no layer with that key", only.Name);
        }

        var message = new StringBuilder();
        message.Append(unexpected.Count).Append(" unexpected tensors in the weights file (the declaration has no layer with these keys): ");
        int listed = Math.Min(unexpected.Count, UnexpectedKeysListed);
        for (int i = 0; i < listed; i++)
        {
            message.Append(i == 0 ? "" : ", ").Append('\'').Append(unexpected[i].Name).Append("' (shape ").Append(unexpected[i].ShapeText).Append(')');
        }

        if (unexpected.Count > listed)
        {
            message.Append(" and ").Append(unexpected.Count - listed).Append(" more");
        }

        throw new WeightsException(message.ToString(), unexpected[0].Name);
    }

    private readonly TensorEntry Require(string key, ReadOnlySpan<int> expectedShape)
    {
        ArgumentNullException.ThrowIfNull(key);
        foreach (int dim in expectedShape)
        {
            if (dim < 0)
            {
                throw new ArgumentException($"expected shape {FormatShape(expectedShape)} has a negative dimension.", nameof(expectedShape));
            }
        }

        SafeTensorsHeaderInfo header = Header;
        int index = header.IndexOf(key);
        if (index < 0)
        {
            throw new WeightsException($"missing tensor '{key}' (expected shape {FormatShape(expectedShape)}){PrefixHint(header, key)}", key);
        }

        TensorEntry entry = header.Tensors[index];
        if (!expectedShape.SequenceEqual(entry.Shape))
        {
            throw new WeightsException($"tensor '{key}': expected shape {FormatShape(expectedShape)}, file has {entry.ShapeText}", key);
        }

        if (entry.DType is not (TensorDType.F32 or TensorDType.F16 or TensorDType.BF16))
        {
            throw new WeightsException($"tensor '{key}': dtype {TensorDTypes.FileName(entry.DType)} is not supported; F32, F16 or BF16 expected", key);
        }

        _consumed![index] = true;
        return entry;
    }

    // The header validated that [Begin, End) lies in the data buffer and holds exactly ElementCount elements.
    private readonly void Widen(TensorEntry entry, Span<float> destination)
    {
        ReadOnlySpan<byte> source = _data.Slice((int)entry.Begin, (int)entry.ByteLength);
        switch (entry.DType)
        {
            case TensorDType.F32:
                WidenFloat32(source, destination);
                break;
            case TensorDType.F16:
                WidenFloat16(source, destination);
                break;
            default:
                WidenBFloat16(source, destination);
                break;
        }
    }

    /// <summary>Copies little-endian float32 bytes.</summary>
    internal static void WidenFloat32(ReadOnlySpan<byte> source, Span<float> destination)
    {
        if (BitConverter.IsLittleEndian)
        {
            // A byte copy: the source may sit at any alignment in the file.
            MemoryMarshal.Cast<byte, float>(source).CopyTo(destination);
            return;
        }

        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = BinaryPrimitives.ReadSingleLittleEndian(source.Slice(4 * i));
        }
    }

    /// <summary>Widens little-endian IEEE half-precision bytes to float32 (exact).</summary>
    internal static void WidenFloat16(ReadOnlySpan<byte> source, Span<float> destination)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(source.Slice(2 * i));
        }
    }

    /// <summary>Widens little-endian bfloat16 bytes to float32: the 16 bits are the top half of the float32 (exact).</summary>
    internal static void WidenBFloat16(ReadOnlySpan<byte> source, Span<float> destination)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(source.Slice(2 * i)) << 16);
        }
    }

    // A state_dict saved from a wrapper (DataParallel's "module.", a parent's "features.") has the right tensors
    // under longer keys; point at the first one so the user sees the prefix to strip.
    private static string PrefixHint(SafeTensorsHeaderInfo header, string key)
    {
        string suffix = "." + key;
        foreach (TensorEntry entry in header.Tensors)
        {
            if (entry.Name.EndsWith(suffix, StringComparison.Ordinal))
            {
                string prefix = entry.Name.Substring(0, entry.Name.Length - key.Length);
                return $"; the file has '{entry.Name}': save the state_dict of the module this network declares, or strip the '{prefix}' prefix from the keys";
            }
        }

        return "";
    }

    private static long ElementCount(ReadOnlySpan<int> shape)
    {
        long count = 1;
        foreach (int dim in shape)
        {
            count *= dim;
        }

        return count;
    }

    private static string FormatShape(ReadOnlySpan<int> shape) => SafeTensorsHeader.FormatShape(shape.ToArray());
}
