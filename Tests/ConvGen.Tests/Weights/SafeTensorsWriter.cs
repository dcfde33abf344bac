using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace ConvGen.Tests.Weights;

/// <summary>
/// Builds safetensors files in memory for tests, the way <c>safetensors.torch.save_file</c> lays them out (8-byte
/// little-endian header length, JSON header padded with spaces to a multiple of 8, tensors back to back in the
/// order added), with knobs to produce every kind of malformed file.
/// </summary>
internal sealed class SafeTensorsWriter
{
    private readonly List<Tensor> _tensors = [];
    private readonly List<KeyValuePair<string, string>> _metadata = [];
    private bool _hasMetadata;

    /// <summary>Pad the header with spaces to a multiple of 8 bytes, as the reference writer does.</summary>
    public bool PadHeader { get; set; } = true;

    /// <summary>Write non-ASCII characters of names as \uXXXX escapes instead of raw UTF-8.</summary>
    public bool EscapeNonAscii { get; set; }

    public SafeTensorsWriter Add(string name, string dtype, int[] shape, byte[] data, long[]? offsets = null)
    {
        _tensors.Add(new Tensor(name, dtype, shape, data, offsets));
        return this;
    }

    public SafeTensorsWriter AddF32(string name, int[] shape, float[] values)
    {
        var data = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(4 * i), values[i]);
        }

        return Add(name, "F32", shape, data);
    }

    /// <summary>F16 or BF16 tensors from raw 16-bit patterns.</summary>
    public SafeTensorsWriter Add16(string name, string dtype, int[] shape, ushort[] bits)
    {
        var data = new byte[bits.Length * 2];
        for (int i = 0; i < bits.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(2 * i), bits[i]);
        }

        return Add(name, dtype, shape, data);
    }

    public SafeTensorsWriter AddI64(string name, int[] shape, long[] values)
    {
        var data = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan(8 * i), values[i]);
        }

        return Add(name, "I64", shape, data);
    }

    public SafeTensorsWriter Metadata(string key, string value)
    {
        _hasMetadata = true;
        _metadata.Add(new(key, value));
        return this;
    }

    /// <summary>The header JSON exactly as <see cref="ToArray"/> writes it (unpadded).</summary>
    public string HeaderJson()
    {
        var json = new StringBuilder("{");
        bool first = true;
        if (_hasMetadata)
        {
            json.Append("\"__metadata__\":{");
            for (int i = 0; i < _metadata.Count; i++)
            {
                json.Append(i == 0 ? "" : ",").Append(Quote(_metadata[i].Key, EscapeNonAscii)).Append(':').Append(Quote(_metadata[i].Value, EscapeNonAscii));
            }

            json.Append('}');
            first = false;
        }

        long offset = 0;
        foreach (Tensor t in _tensors)
        {
            long[] offsets = t.Offsets ?? [offset, offset + t.Data.Length];
            offset += t.Data.Length;
            json.Append(first ? "" : ",").Append(Quote(t.Name, EscapeNonAscii))
                .Append(":{\"dtype\":").Append(Quote(t.DType, false))
                .Append(",\"shape\":[").Append(string.Join(",", t.Shape))
                .Append("],\"data_offsets\":[").Append(string.Join(",", offsets)).Append("]}");
            first = false;
        }

        return json.Append('}').ToString();
    }

    public byte[] ToArray()
    {
        byte[] header = Encoding.UTF8.GetBytes(HeaderJson());
        if (PadHeader && header.Length % 8 != 0)
        {
            header = [.. header, .. Enumerable.Repeat((byte)' ', 8 - (header.Length % 8))];
        }

        return Build(header, _tensors.SelectMany(t => t.Data).ToArray());
    }

    /// <summary>A file with the given raw header bytes and data buffer; the prefix says the header's true length.</summary>
    public static byte[] Build(byte[] header, byte[] data) => Build((ulong)header.Length, header, data);

    public static byte[] Build(string header, byte[] data) => Build(Encoding.UTF8.GetBytes(header), data);

    public static byte[] Build(string header, int dataLength) => Build(Encoding.UTF8.GetBytes(header), new byte[dataLength]);

    /// <summary>A file whose length prefix says <paramref name="declaredLength"/>, whatever the header's true length.</summary>
    public static byte[] Build(ulong declaredLength, byte[] header, byte[] data)
    {
        var file = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, declaredLength);
        header.CopyTo(file, 8);
        data.CopyTo(file, 8 + header.Length);
        return file;
    }

    /// <summary>A JSON string literal; control characters, quotes and backslashes escaped.</summary>
    public static string Quote(string text, bool escapeNonAscii)
    {
        var json = new StringBuilder("\"");
        foreach (char c in text)
        {
            switch (c)
            {
                case '"': json.Append("\\\""); break;
                case '\\': json.Append("\\\\"); break;
                case '\n': json.Append("\\n"); break;
                case '\t': json.Append("\\t"); break;
                default:
                    if (c < 0x20 || (escapeNonAscii && c > 0x7E))
                    {
                        json.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        json.Append(c);
                    }

                    break;
            }
        }

        return json.Append('"').ToString();
    }

    private sealed record Tensor(string Name, string DType, int[] Shape, byte[] Data, long[]? Offsets);
}
