using System.Text;
using System.Text.Json;
using Digits;
using StbImageSharp;

namespace DigitsServer;

/// <summary>A request body that is not a digit the network can take; the message says what is wrong (HTTP 400).</summary>
public sealed class InvalidDigitException(string message) : Exception(message);

/// <summary>The body of a JSON request: the network's input, 784 floats (1x28x28, normalised as in training).</summary>
public sealed record DigitRequest(float[]? Input);

/// <summary>
/// Turns a request body into the network's input (784 floats, CHW), from the three formats the server takes:
/// <list type="bullet">
/// <item><c>application/json</c>: <c>{"input": [784 floats]}</c>, already normalised as in training:
/// (pixel / 255 - 0.1307) / 0.3081;</item>
/// <item><c>image/png</c>: a 28x28 PNG, any colour type (converted to grey), decoded by StbImageSharp;</item>
/// <item><c>image/x-portable-graymap</c>: a 28x28 binary PGM (Netpbm P5), maximum value 1 to 255.</item>
/// </list>
/// Images follow MNIST's convention, a light digit on a dark background, and are normalised as in training.
/// </summary>
public static class DigitInput
{
    public const int Side = 28;
    public const string Json = "application/json", Png = "image/png", Pgm = "image/x-portable-graymap";

    public static void FromJson(byte[] body, Span<float> input)
    {
        DigitRequest? request;
        try { request = JsonSerializer.Deserialize(body, DigitsJsonContext.Default.DigitRequest); }
        catch (JsonException e) { throw new InvalidDigitException($"not valid JSON for {{\"input\": [{input.Length} numbers]}}: {e.Message}"); }
        float[] values = request?.Input ?? throw new InvalidDigitException($"expected {{\"input\": [{input.Length} numbers]}}, found no \"input\" array");
        if (values.Length != input.Length) throw new InvalidDigitException($"\"input\" has {values.Length} numbers; the network takes {input.Length} (1x{Side}x{Side})");
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i])) throw new InvalidDigitException($"\"input\"[{i}] is {values[i]}; every value must be a finite float32");
        values.CopyTo(input);
    }

    private static ReadOnlySpan<byte> PngSignature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    public static void FromPng(byte[] body, Span<float> input)
    {
        // Only PNG reaches the decoder (stb_image also reads GIF, PSD, HDR, ... which nothing here needs), and only
        // once its header says 28x28: a small image can't ask for a large allocation.
        if (!body.AsSpan().StartsWith(PngSignature)) throw new InvalidDigitException("the body is not a PNG file (no PNG signature)");
        ImageInfo? info;
        try { info = ImageInfo.FromStream(new MemoryStream(body, writable: false)); }
        catch (Exception e) { throw new InvalidDigitException($"unreadable PNG header: {e.Message}"); }
        if (info is not { } header) throw new InvalidDigitException("unreadable PNG header");
        CheckSize(header.Width, header.Height);
        ImageResult image;
        try { image = ImageResult.FromMemory(body, ColorComponents.Grey); }
        catch (Exception e) { throw new InvalidDigitException($"the PNG does not decode: {e.Message}"); }
        CheckSize(image.Width, image.Height);
        MnistDigits.Normalize(image.Data.AsSpan(0, Side * Side), input);
    }

    /// <summary>Reads a binary PGM: "P5", width, height and maximum value as ASCII decimals separated by whitespace
    /// (with '#' comments to the end of a line), one whitespace byte, then width x height bytes, row by row.</summary>
    public static void FromPgm(byte[] body, Span<float> input)
    {
        if (body.Length < 2 || body[0] != 'P' || body[1] != '5') throw new InvalidDigitException("the body is not a binary PGM (it must start with \"P5\")");
        int position = 2;
        int width = ReadHeaderNumber(body, ref position, "width"), height = ReadHeaderNumber(body, ref position, "height");
        int maxValue = ReadHeaderNumber(body, ref position, "maximum value");
        CheckSize(width, height);
        if (maxValue is < 1 or > 255) throw new InvalidDigitException($"PGM maximum value {maxValue}: only 8-bit PGM (1 to 255) is taken");
        if (position >= body.Length || !IsWhitespace(body[position])) throw new InvalidDigitException("PGM: no whitespace byte after the maximum value");
        position++;
        int count = width * height;
        if (body.Length - position != count) throw new InvalidDigitException($"PGM: {body.Length - position} bytes of pixels after the header; a {width}x{height} image has {count}");
        Span<byte> pixels = stackalloc byte[Side * Side];
        for (int i = 0; i < count; i++)
        {
            int value = body[position + i];
            if (value > maxValue) throw new InvalidDigitException($"PGM: pixel {i} is {value}, above the maximum value {maxValue}");
            pixels[i] = (byte)((value * 255 + maxValue / 2) / maxValue);
        }
        MnistDigits.Normalize(pixels, input);
    }

    /// <summary>A 28x28 digit as a binary PGM (maximum value 255): what a client sends as <c>image/x-portable-graymap</c>.</summary>
    public static byte[] ToPgm(ReadOnlySpan<byte> pixels)
    {
        if (pixels.Length != Side * Side) throw new ArgumentException($"a digit is {Side * Side} pixels, got {pixels.Length}");
        byte[] header = Encoding.ASCII.GetBytes($"P5\n{Side} {Side}\n255\n");
        byte[] file = new byte[header.Length + pixels.Length];
        header.CopyTo(file, 0);
        pixels.CopyTo(file.AsSpan(header.Length));
        return file;
    }

    private static void CheckSize(int width, int height)
    {
        if (width != Side || height != Side) throw new InvalidDigitException($"the image is {width}x{height}; the network takes {Side}x{Side} digits (resize it first)");
    }

    private static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or 0x0B or 0x0C;

    private static int ReadHeaderNumber(byte[] body, ref int position, string what)
    {
        while (position < body.Length && (IsWhitespace(body[position]) || body[position] == '#'))
        {
            if (body[position] == '#') while (position < body.Length && body[position] != '\n') position++;
            else position++;
        }
        int start = position;
        long value = 0;
        while (position < body.Length && body[position] is >= (byte)'0' and <= (byte)'9' && position - start < 6)
            value = value * 10 + (body[position++] - '0');
        if (position == start) throw new InvalidDigitException($"PGM header: expected the {what} as a decimal number at byte {start}");
        if (position < body.Length && body[position] is >= (byte)'0' and <= (byte)'9') throw new InvalidDigitException($"PGM header: the {what} is too large");
        return (int)value;
    }
}
