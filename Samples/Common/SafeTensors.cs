using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace ConvGen.Samples;

/// <summary>
/// A minimal safetensors reader and writer for the samples (float32 only): enough to read the PyTorch reference
/// outputs the samples compare against, and to build a weights file in memory for a network whose weights are
/// computed in C# (the Sobel sample). Networks load their weights with the generated <c>Load</c>, not with this.
/// </summary>
/// <remarks>
/// Format: u64 little-endian header length N, N bytes of JSON <c>{name: {"dtype", "shape", "data_offsets"}}</c>
/// (offsets relative to the end of the header), then the raw little-endian tensor data.
/// </remarks>
public static class SafeTensors
{
    /// <summary>A float32 tensor: its shape and its elements, row-major.</summary>
    public sealed record Tensor(int[] Shape, float[] Data)
    {
        /// <summary>The <paramref name="index"/>-th slice along the first axis (e.g. one sample of a batch).</summary>
        public ReadOnlySpan<float> Slice(int index)
        {
            int length = Data.Length / Shape[0];
            return Data.AsSpan(index * length, length);
        }
    }

    /// <summary>Reads every F32 tensor of a safetensors file; other dtypes (e.g. BatchNorm's I64 counter) are skipped.</summary>
    public static Dictionary<string, Tensor> Read(string path) => Read(File.ReadAllBytes(path));

    /// <inheritdoc cref="Read(string)"/>
    public static Dictionary<string, Tensor> Read(ReadOnlySpan<byte> file)
    {
        if (file.Length < 8) throw new InvalidDataException("safetensors: shorter than its 8-byte header length");
        long headerLength = BinaryPrimitives.ReadInt64LittleEndian(file);
        if (headerLength < 2 || headerLength > file.Length - 8) throw new InvalidDataException($"safetensors: header length {headerLength} does not fit in {file.Length} bytes");
        ReadOnlySpan<byte> data = file[(8 + (int)headerLength)..];
        using JsonDocument header = JsonDocument.Parse(file.Slice(8, (int)headerLength).ToArray());
        var tensors = new Dictionary<string, Tensor>();
        foreach (JsonProperty entry in header.RootElement.EnumerateObject())
        {
            if (entry.Name == "__metadata__" || entry.Value.GetProperty("dtype").GetString() != "F32") continue;
            int[] shape = entry.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
            int begin = entry.Value.GetProperty("data_offsets")[0].GetInt32(), end = entry.Value.GetProperty("data_offsets")[1].GetInt32();
            long count = shape.Aggregate(1L, (a, b) => a * b);
            if (end - begin != count * 4 || end > data.Length) throw new InvalidDataException($"safetensors: tensor '{entry.Name}' has offsets {begin}..{end} for {count} floats in {data.Length} bytes of data");
            float[] values = new float[count];
            for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(data[(begin + 4 * i)..]);
            tensors.Add(entry.Name, new Tensor(shape, values));
        }
        return tensors;
    }

    /// <summary>Writes float32 tensors, in the order given, as the bytes of a safetensors file.</summary>
    public static byte[] Write(params (string Name, int[] Shape, float[] Data)[] tensors)
    {
        var header = new StringBuilder("{");
        long offset = 0;
        foreach ((string name, int[] shape, float[] values) in tensors)
        {
            if (shape.Aggregate(1L, (a, b) => a * b) != values.Length) throw new ArgumentException($"tensor '{name}': shape [{string.Join(", ", shape)}] does not hold {values.Length} values");
            if (header.Length > 1) header.Append(',');
            header.Append($"\"{JsonEncodedText.Encode(name)}\":{{\"dtype\":\"F32\",\"shape\":[{string.Join(",", shape)}],\"data_offsets\":[{offset},{offset + 4L * values.Length}]}}");
            offset += 4L * values.Length;
        }
        header.Append('}');
        while ((header.Length % 8) != 0) header.Append(' ');   // ASCII only, so characters are bytes
        byte[] headerBytes = Encoding.UTF8.GetBytes(header.ToString());
        byte[] file = new byte[8 + headerBytes.Length + offset];
        BinaryPrimitives.WriteInt64LittleEndian(file, headerBytes.Length);
        headerBytes.CopyTo(file, 8);
        int position = 8 + headerBytes.Length;
        foreach ((_, _, float[] values) in tensors)
            foreach (float v in values) { BinaryPrimitives.WriteSingleLittleEndian(file.AsSpan(position), v); position += 4; }
        return file;
    }
}
