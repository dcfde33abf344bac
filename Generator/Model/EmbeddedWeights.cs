using System.Collections.Immutable;

namespace ConvGen.Generator.Model;

/// <summary>
/// The bytes of a file, compared by content so that the incremental cache can tell an unchanged file from a changed
/// one (length and hash first, then the bytes).
/// </summary>
internal sealed class FileBytes : IEquatable<FileBytes>
{
    private readonly byte[] _bytes;
    private readonly int _hash;

    public FileBytes(byte[] bytes)
    {
        _bytes = bytes;
        unchecked
        {
            int hash = (int)2166136261;
            // A sampled FNV-1a: enough to tell files apart cheaply; equality still compares every byte.
            int step = Math.Max(1, bytes.Length / 4096);
            for (int i = 0; i < bytes.Length; i += step) hash = (hash ^ bytes[i]) * 16777619;
            _hash = hash ^ bytes.Length;
        }
    }

    public int Length => _bytes.Length;
    public ReadOnlySpan<byte> Span => _bytes;
    public byte[] ToArray() => (byte[])_bytes.Clone();
    internal byte[] UnsafeArray => _bytes;

    public bool Equals(FileBytes? other) =>
        other is not null && (ReferenceEquals(_bytes, other._bytes) || (_hash == other._hash && _bytes.AsSpan().SequenceEqual(other._bytes)));

    public override bool Equals(object? obj) => Equals(obj as FileBytes);
    public override int GetHashCode() => _hash;
}

/// <summary>A safetensors file from the project's AdditionalFiles, as the generator read it.</summary>
/// <param name="ResourceName">Set when ConvGen.targets also embeds the file as a manifest resource under this name.</param>
/// <param name="Error">Why the file could not be read, if it could not.</param>
internal sealed record WeightsFile(string Path, string FileName, FileBytes? Bytes, string? ResourceName, string? Error);

/// <summary>How Load() gets embedded weights: from a manifest resource, or from bytes pasted into the source.</summary>
internal sealed record EmbeddedWeights(string FileName, string? ResourceName, FileBytes? Literal);
