// Portable: compiles under net10.0 and netstandard2.0; see SafeTensorsHeader.cs.
using System.Collections.Generic;

#if CONVGEN_GENERATOR
namespace ConvGen.Generator.Weights;
#else
namespace ConvGen.Runtime.Weights;
#endif

/// <summary>
/// The element types a safetensors file may declare, spelled as in the file's <c>"dtype"</c> field
/// (underscores dropped: <c>F8_E4M3</c> is <see cref="F8E4M3"/>). ConvGen reads <see cref="F32"/>, and widens
/// <see cref="F16"/> and <see cref="BF16"/>; the others are recognised so that a file holding them is reported as
/// "unsupported dtype" rather than as malformed.
/// </summary>
public enum TensorDType
{
    /// <summary>IEEE binary64.</summary>
    F64,
    /// <summary>IEEE binary32, what the kernels compute in.</summary>
    F32,
    /// <summary>IEEE binary16, widened exactly to float32 at load.</summary>
    F16,
    /// <summary>bfloat16 (the top 16 bits of a float32), widened exactly at load.</summary>
    BF16,
    /// <summary>Signed 64-bit integer (PyTorch's <c>num_batches_tracked</c>).</summary>
    I64,
    /// <summary>Signed 32-bit integer.</summary>
    I32,
    /// <summary>Signed 16-bit integer.</summary>
    I16,
    /// <summary>Signed 8-bit integer.</summary>
    I8,
    /// <summary>Unsigned 64-bit integer.</summary>
    U64,
    /// <summary>Unsigned 32-bit integer.</summary>
    U32,
    /// <summary>Unsigned 16-bit integer.</summary>
    U16,
    /// <summary>Unsigned 8-bit integer.</summary>
    U8,
    /// <summary>Boolean, one byte each (file spelling <c>BOOL</c>).</summary>
    Bool,
    /// <summary>Complex64: two float32 (file spelling <c>C64</c>).</summary>
    C64,
    /// <summary>FP8 with 5 exponent and 2 mantissa bits (file spelling <c>F8_E5M2</c>).</summary>
    F8E5M2,
    /// <summary>FP8 with 4 exponent and 3 mantissa bits (file spelling <c>F8_E4M3</c>).</summary>
    F8E4M3,
    /// <summary>FP8 exponent-only scale format (file spelling <c>F8_E8M0</c>).</summary>
    F8E8M0,
    /// <summary>FP6 with 2 exponent and 3 mantissa bits, packed (file spelling <c>F6_E2M3</c>).</summary>
    F6E2M3,
    /// <summary>FP6 with 3 exponent and 2 mantissa bits, packed (file spelling <c>F6_E3M2</c>).</summary>
    F6E3M2,
    /// <summary>FP4 (E2M1), two per byte (file spelling <c>F4</c>).</summary>
    F4,
}

/// <summary>Names and sizes of <see cref="TensorDType"/> values as the safetensors format defines them.</summary>
public static class TensorDTypes
{
    // Index = (int)TensorDType.
    private static readonly string[] FileNames =
    {
        "F64", "F32", "F16", "BF16", "I64", "I32", "I16", "I8", "U64", "U32", "U16", "U8", "BOOL", "C64",
        "F8_E5M2", "F8_E4M3", "F8_E8M0", "F6_E2M3", "F6_E3M2", "F4",
    };

    private static readonly int[] BitSizes =
    {
        64, 32, 16, 16, 64, 32, 16, 8, 64, 32, 16, 8, 8, 64,
        8, 8, 8, 6, 6, 4,
    };

    private static readonly Dictionary<string, TensorDType> ByFileName = CreateLookup();

    /// <summary>Every dtype name a safetensors header may use, comma separated, for error messages.</summary>
    public static string AllFileNames => string.Join(", ", FileNames);

    /// <summary>The spelling in a safetensors header (<c>"BF16"</c>, <c>"F8_E4M3"</c>, <c>"BOOL"</c>).</summary>
    public static string FileName(TensorDType dtype) => FileNames[(int)dtype];

    /// <summary>Bits per element (4 and 6 for the packed sub-byte float formats).</summary>
    public static int BitSize(TensorDType dtype) => BitSizes[(int)dtype];

    /// <summary>Parses a header's dtype string; exact, case-sensitive match as in the reference implementation.</summary>
    public static bool TryParse(string fileName, out TensorDType dtype) => ByFileName.TryGetValue(fileName, out dtype);

    private static Dictionary<string, TensorDType> CreateLookup()
    {
        var lookup = new Dictionary<string, TensorDType>(FileNames.Length, System.StringComparer.Ordinal);
        for (int i = 0; i < FileNames.Length; i++)
        {
            lookup.Add(FileNames[i], (TensorDType)i);
        }

        return lookup;
    }
}
