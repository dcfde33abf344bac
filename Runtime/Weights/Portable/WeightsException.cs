// Portable: compiles under net10.0 and netstandard2.0; see SafeTensorsHeader.cs.
using System.IO;

#if CONVGEN_GENERATOR
namespace ConvGen.Generator.Weights;
#else
namespace ConvGen.Runtime.Weights;
#endif

/// <summary>
/// A weights file that cannot be loaded into a network: malformed or truncated safetensors, a missing or unexpected
/// tensor, a wrong shape or an unsupported dtype. It is the one exception type loading throws for bad input, and
/// its message names the tensor key whenever there is one (also available as <see cref="Key"/>).
/// </summary>
/// <remarks>
/// It derives from <see cref="IOException"/> (<see cref="InvalidDataException"/> is sealed), so one
/// <c>catch (IOException)</c> around <c>Load(path)</c> covers an unreadable file and unusable contents alike.
/// </remarks>
public class WeightsException : IOException
{
    /// <summary>Creates the exception with a message that already names <paramref name="key"/> when there is one.</summary>
    public WeightsException(string message, string? key = null)
        : base(message)
    {
        Key = key;
    }

    /// <summary>The tensor key the problem is about, or null for a problem with the file as a whole.</summary>
    public string? Key { get; }
}
