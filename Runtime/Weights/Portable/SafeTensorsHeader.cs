// Portable: the files in Runtime/Weights/Portable compile under net10.0 (the runtime) and under netstandard2.0 with
// C# latest (the generator links them to check embedded weights files at compile time). So: no Span, no
// System.Text.Json, no BCL API newer than netstandard2.0, no global usings. Defining CONVGEN_GENERATOR moves the
// types to ConvGen.Generator.Weights so that an assembly seeing both copies has no ambiguity.
using System;
using System.Collections.Generic;
using System.Text;

#if CONVGEN_GENERATOR
namespace ConvGen.Generator.Weights;
#else
namespace ConvGen.Runtime.Weights;
#endif

/// <summary>
/// Reads and validates the header of a safetensors file: an 8-byte little-endian header length N, N bytes of UTF-8
/// JSON <c>{"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ..., "__metadata__": {..}}</c>,
/// then the data buffer, which the tensors must tile exactly (back to back, no overlap, no gap, nothing after the
/// last one), as the reference implementation requires. Every defect is reported as a <see cref="WeightsException"/>
/// whose message says what is wrong, where, and for which tensor key.
/// </summary>
public static class SafeTensorsHeader
{
    /// <summary>The size of the header length prefix.</summary>
    public const int PrefixLength = 8;

    /// <summary>The largest header accepted (100 MB, the reference implementation's limit): a larger length means a corrupt file.</summary>
    public const int MaxHeaderLength = 100_000_000;

    /// <summary>Parses and validates the header of a whole file held in <paramref name="file"/>.</summary>
    public static SafeTensorsHeaderInfo Parse(byte[] file)
    {
        if (file == null)
        {
            throw new ArgumentNullException(nameof(file));
        }

        return Parse(file, file.Length);
    }

    /// <summary>
    /// Parses and validates the header of a file whose first <paramref name="fileLength"/> bytes are in
    /// <paramref name="file"/> (a pooled buffer may be longer than the file).
    /// </summary>
    public static SafeTensorsHeaderInfo Parse(byte[] file, int fileLength)
    {
        if (file == null)
        {
            throw new ArgumentNullException(nameof(file));
        }

        if (fileLength < 0 || fileLength > file.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(fileLength), fileLength, "fileLength must be between 0 and file.Length (" + file.Length + ").");
        }

        int headerLength = ReadHeaderLength(file, fileLength);
        return ParseHeaderJson(file, PrefixLength, headerLength, (long)fileLength - PrefixLength - headerLength);
    }

    /// <summary>
    /// Reads and checks the 8-byte header length prefix of a file of <paramref name="fileLength"/> bytes, given its
    /// first bytes in <paramref name="prefix"/> (at least 8, or the whole file when it is shorter). Lets a caller
    /// that streams the file read only the prefix and then exactly the header.
    /// </summary>
    /// <returns>The header length N; the JSON is bytes [8, 8 + N) and the data buffer is the rest of the file.</returns>
    public static int ReadHeaderLength(byte[] prefix, long fileLength)
    {
        if (prefix == null)
        {
            throw new ArgumentNullException(nameof(prefix));
        }

        if (fileLength < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(fileLength), fileLength, "fileLength must not be negative.");
        }

        if (prefix.Length < Math.Min(PrefixLength, fileLength))
        {
            throw new ArgumentException("prefix holds " + prefix.Length + " bytes but the first " + Math.Min(PrefixLength, fileLength) + " bytes of the file are needed.", nameof(prefix));
        }

        if (fileLength == 0)
        {
            throw new WeightsException("the weights file is empty; a safetensors file starts with an 8-byte header length followed by a JSON header");
        }

        if (fileLength < PrefixLength)
        {
            throw new WeightsException("the weights file is only " + fileLength + " byte(s) long; a safetensors file starts with an 8-byte header length followed by a JSON header");
        }

        ulong length = 0;
        for (int i = PrefixLength - 1; i >= 0; i--)
        {
            length = (length << 8) | prefix[i];
        }

        if (length > MaxHeaderLength)
        {
            throw new WeightsException("not a safetensors file: the first 8 bytes (" + HexBytes(prefix, PrefixLength) + ") give a header length of "
                + length + " bytes, over the " + MaxHeaderLength + "-byte limit" + GuessFormat(prefix));
        }

        long available = fileLength - PrefixLength;
        if ((long)length > available)
        {
            throw new WeightsException("truncated: header says " + length + " bytes but file has " + available
                + " after the 8-byte length prefix (" + fileLength + " bytes in all)");
        }

        return (int)length;
    }

    /// <summary>
    /// Parses and validates a header's JSON alone, for a caller that read only the header: <paramref name="json"/> is
    /// exactly the N header bytes and <paramref name="dataLength"/> the number of bytes after them in the file.
    /// Byte positions in messages count from the start of the file.
    /// </summary>
    public static SafeTensorsHeaderInfo ParseHeaderJson(byte[] json, long dataLength)
    {
        if (json == null)
        {
            throw new ArgumentNullException(nameof(json));
        }

        return ParseHeaderJson(json, 0, json.Length, dataLength);
    }

    /// <summary>
    /// Parses and validates the header JSON in <paramref name="buffer"/>[<paramref name="offset"/>,
    /// <paramref name="offset"/> + <paramref name="count"/>), followed in the file by a data buffer of
    /// <paramref name="dataLength"/> bytes. Byte positions in messages assume the JSON starts at file offset 8.
    /// </summary>
    public static SafeTensorsHeaderInfo ParseHeaderJson(byte[] buffer, int offset, int count, long dataLength)
    {
        if (buffer == null)
        {
            throw new ArgumentNullException(nameof(buffer));
        }

        if (offset < 0 || count < 0 || count > buffer.Length - offset)
        {
            throw new ArgumentOutOfRangeException(nameof(count), "offset " + offset + " and count " + count + " do not lie within the buffer of " + buffer.Length + " bytes.");
        }

        if (dataLength < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(dataLength), dataLength, "dataLength must not be negative.");
        }

        if (count > MaxHeaderLength)
        {
            throw new WeightsException("the header is " + count + " bytes, over the " + MaxHeaderLength + "-byte limit");
        }

        var parsed = SafeTensorsHeaderJson.Parse(buffer, offset, count, PrefixLength);
        TensorEntry[] tensors = parsed.Tensors.ToArray();
        CheckLayout(tensors, dataLength);
        return new SafeTensorsHeaderInfo(count, dataLength, tensors, parsed.IndexByName, parsed.Metadata);
    }

    /// <summary>A shape as PyTorch prints it: <c>[6, 1, 5, 5]</c>, <c>[]</c> for a scalar.</summary>
    public static string FormatShape(IReadOnlyList<int> shape)
    {
        if (shape == null)
        {
            throw new ArgumentNullException(nameof(shape));
        }

        var text = new StringBuilder("[");
        for (int i = 0; i < shape.Count; i++)
        {
            if (i > 0)
            {
                text.Append(", ");
            }

            text.Append(shape[i]);
        }

        return text.Append(']').ToString();
    }

    /// <summary>The number of bytes a tensor needs, or -1 when that overflows or does not fill whole bytes.</summary>
    internal static long ByteSize(TensorDType dtype, int[] shape, out string? problem)
    {
        problem = null;
        long elements = 1;
        foreach (int dim in shape)
        {
            if (dim == 0)
            {
                return 0;
            }
        }

        foreach (int dim in shape)
        {
            if (elements > long.MaxValue / dim)
            {
                problem = "has more than " + long.MaxValue + " elements";
                return -1;
            }

            elements *= dim;
        }

        int bits = TensorDTypes.BitSize(dtype);
        if (elements > long.MaxValue / bits)
        {
            problem = "is too large to address (" + elements + " elements of " + bits + " bits)";
            return -1;
        }

        long totalBits = elements * bits;
        if (totalBits % 8 != 0)
        {
            problem = "does not fill whole bytes (" + elements + " elements of " + bits + " bits)";
            return -1;
        }

        return totalBits / 8;
    }

    // Each tensor's range must be ordered, inside the buffer and exactly as long as its dtype and shape need; and the
    // ranges sorted by offset must tile [0, dataLength) with no overlap and no gap.
    private static void CheckLayout(TensorEntry[] tensors, long dataLength)
    {
        foreach (TensorEntry t in tensors)
        {
            string range = "[" + t.Begin + ", " + t.End + ")";
            if (t.Begin > t.End)
            {
                throw new WeightsException("tensor '" + t.Name + "': data_offsets " + range + " are reversed; begin must not exceed end", t.Name);
            }

            if (t.End > dataLength)
            {
                throw new WeightsException("tensor '" + t.Name + "': data_offsets " + range + " beyond the data buffer of " + dataLength + " bytes", t.Name);
            }

            long size = ByteSize(t.DType, t.Shape, out string? problem);
            if (problem != null)
            {
                throw new WeightsException("tensor '" + t.Name + "': " + TensorDTypes.FileName(t.DType) + " shape " + t.ShapeText + " " + problem, t.Name);
            }

            if (size != t.End - t.Begin)
            {
                throw new WeightsException("tensor '" + t.Name + "': dtype " + TensorDTypes.FileName(t.DType) + " with shape " + t.ShapeText + " needs "
                    + size + " bytes but data_offsets " + range + " hold " + (t.End - t.Begin), t.Name);
            }
        }

        var order = new int[tensors.Length];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        Array.Sort(order, (a, b) =>
        {
            int byBegin = tensors[a].Begin.CompareTo(tensors[b].Begin);
            if (byBegin != 0)
            {
                return byBegin;
            }

            int byEnd = tensors[a].End.CompareTo(tensors[b].End);
            return byEnd != 0 ? byEnd : a.CompareTo(b);
        });

        long covered = 0;
        TensorEntry? previous = null;
        foreach (int index in order)
        {
            TensorEntry t = tensors[index];
            if (t.Begin < covered)
            {
                // previous is set: covered > 0 only after a tensor.
                throw new WeightsException("tensors '" + previous!.Name + "' and '" + t.Name + "' overlap: data_offsets [" + previous.Begin + ", " + previous.End
                    + ") and [" + t.Begin + ", " + t.End + ")", t.Name);
            }

            if (t.Begin > covered)
            {
                string where = previous == null ? "before tensor '" + t.Name + "'" : "between tensors '" + previous.Name + "' and '" + t.Name + "'";
                throw new WeightsException("bytes [" + covered + ", " + t.Begin + ") of the data buffer, " + where
                    + ", belong to no tensor; safetensors stores tensors back to back", t.Name);
            }

            covered = t.End;
            previous = t;
        }

        if (covered != dataLength)
        {
            string last = previous == null ? "the header lists no tensor" : "the last tensor, '" + previous.Name + "', ends at byte " + covered;
            throw new WeightsException("the data buffer has " + dataLength + " bytes but " + last + "; bytes [" + covered + ", " + dataLength
                + ") belong to no tensor (a tensor missing from the header, or trailing bytes)", previous?.Name);
        }
    }

    private static string HexBytes(byte[] bytes, int count)
    {
        var text = new StringBuilder();
        for (int i = 0; i < count; i++)
        {
            if (i > 0)
            {
                text.Append(' ');
            }

            text.Append(bytes[i].ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }

    // The formats people most often pass by mistake, recognised by their first bytes.
    private static string GuessFormat(byte[] prefix)
    {
        if (prefix[0] == (byte)'P' && prefix[1] == (byte)'K' && prefix[2] == 3 && prefix[3] == 4)
        {
            return "; this is a zip archive, as torch.save() writes (.pt/.pth): save with safetensors.torch.save_file(model.state_dict(), path) instead";
        }

        if (prefix[0] == 0x80 && prefix[1] >= 2 && prefix[1] <= 5)
        {
            return "; this is a Python pickle (legacy torch.save()): save with safetensors.torch.save_file(model.state_dict(), path) instead";
        }

        if (prefix[0] == 0x08 && prefix[2] == 0x12)
        {
            return "; this looks like an ONNX model: ConvGen needs the PyTorch state_dict saved with safetensors.torch.save_file";
        }

        return string.Empty;
    }
}
