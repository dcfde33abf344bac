using System.IO.Compression;

namespace Digits;

/// <summary>Held-out MNIST digits as written by train_lenet5.py: gzip of a u32 count, then label byte + 784 pixel bytes each.</summary>
public sealed class MnistDigits
{
    public const int Pixels = 28 * 28;

    public required byte[] Labels { get; init; }
    public required byte[] Images { get; init; }
    public int Count => Labels.Length;

    public ReadOnlySpan<byte> Image(int index) => Images.AsSpan(index * Pixels, Pixels);

    public static MnistDigits Read(string path)
    {
        using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var reader = new BinaryReader(gzip);
        int count = checked((int)reader.ReadUInt32());
        var labels = new byte[count];
        var images = new byte[count * Pixels];
        for (int i = 0; i < count; i++)
        {
            labels[i] = reader.ReadByte();
            if (labels[i] > 9) throw new InvalidDataException($"{path}: digit {i} has label {labels[i]}");
            reader.BaseStream.ReadExactly(images, i * Pixels, Pixels);
        }
        return new MnistDigits { Labels = labels, Images = images };
    }

    /// <summary>Digit <paramref name="index"/> as the network's input (see <see cref="Normalize(ReadOnlySpan{byte}, Span{float})"/>).</summary>
    public void Normalize(int index, Span<float> destination) => Normalize(Image(index), destination);

    /// <summary>The normalisation the network was trained with: (pixel / 255 - 0.1307) / 0.3081, in float32.</summary>
    public static void Normalize(ReadOnlySpan<byte> image, Span<float> destination)
    {
        if (image.Length != Pixels || destination.Length != Pixels) throw new ArgumentException($"a digit is {Pixels} pixels, got {image.Length} into {destination.Length}");
        for (int i = 0; i < Pixels; i++) destination[i] = (image[i] / 255f - 0.1307f) / 0.3081f;
    }
}
