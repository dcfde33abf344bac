using Microsoft.CodeAnalysis;

namespace ConvGen.Generator.Diagnostics;

/// <summary>
/// Every diagnostic ConvGen reports (contract section 6). Ids are stable; new ones are added after the last.
/// Each message is built by the analysis with the numbers at fault and a fix, and passed as the one argument.
/// </summary>
internal static class DiagnosticDescriptors
{
    public const string EmptyOutputId = "CG0001";
    public const string UnreadInputId = "CG0002";
    public const string InvalidPaddingId = "CG0003";
    public const string ShapeMismatchId = "CG0004";
    public const string CheckerboardId = "CG0005";
    public const string OutputPaddingId = "CG0006";
    public const string OutOfRangeId = "CG0007";
    public const string InvalidNetworkTypeId = "CG0008";
    public const string UnknownNameId = "CG0009";
    public const string InvalidStructureId = "CG0010";
    public const string WeightsFileId = "CG0011";
    public const string NotSupportedId = "CG0012";
    public const string BeyondLimitsId = "CG0013";

    private const string Category = "ConvGen";

    public static readonly DiagnosticDescriptor EmptyOutput = new DiagnosticDescriptor("CG0001", "Layer output would be empty", "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor UnreadInput = new DiagnosticDescriptor("CG0002", "Stride leaves input rows or columns unread", "{0}", Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor InvalidPadding = new DiagnosticDescriptor("CG0003", "Invalid padding", "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor ShapeMismatch = new DiagnosticDescriptor("CG0004", "Channel or shape mismatch", "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor Checkerboard = new DiagnosticDescriptor("CG0005", "Transposed convolution kernel not divisible by its stride", "{0}", Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor OutputPadding = new DiagnosticDescriptor("CG0006", "Output padding too large", "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor OutOfRange = new DiagnosticDescriptor("CG0007", "Value out of range", "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor InvalidNetworkType = new DiagnosticDescriptor("CG0008", "Network class cannot be generated", "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor UnknownName = new DiagnosticDescriptor("CG0009", "Unknown or duplicate layer name", "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor InvalidStructure = new DiagnosticDescriptor("CG0010", "Network without input or layers, or layer of the wrong dimensionality", "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor WeightsFile = new DiagnosticDescriptor("CG0011", "Embedded weights file missing or not matching the declaration", "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor NotSupported = new DiagnosticDescriptor("CG0012", "Not supported by this version of ConvGen", "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor BeyondLimits = new DiagnosticDescriptor("CG0013", "Network beyond the sizes this version of ConvGen supports", "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static DiagnosticDescriptor ById(string id) => id switch
    {
        EmptyOutputId => EmptyOutput,
        UnreadInputId => UnreadInput,
        InvalidPaddingId => InvalidPadding,
        ShapeMismatchId => ShapeMismatch,
        CheckerboardId => Checkerboard,
        OutputPaddingId => OutputPadding,
        OutOfRangeId => OutOfRange,
        InvalidNetworkTypeId => InvalidNetworkType,
        UnknownNameId => UnknownName,
        InvalidStructureId => InvalidStructure,
        WeightsFileId => WeightsFile,
        NotSupportedId => NotSupported,
        BeyondLimitsId => BeyondLimits,
        _ => throw new ArgumentOutOfRangeException(nameof(id), id, "unknown diagnostic id"),
    };

    public static bool IsError(string id) => ById(id).DefaultSeverity == DiagnosticSeverity.Error;

}
