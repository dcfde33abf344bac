namespace ConvGen.Generator.Diagnostics;

/// <summary>
/// The stable diagnostic ids (contract section 6), in contract order; new ids go after the last. The code-fix assembly
/// compiles this file too, so the ids are written only here.
/// </summary>
internal static class DiagnosticIds
{
    public const string EmptyOutput = "CG0001";
    public const string UnreadInput = "CG0002";
    public const string InvalidPadding = "CG0003";
    public const string ShapeMismatch = "CG0004";
    public const string Checkerboard = "CG0005";
    public const string OutputPadding = "CG0006";
    public const string OutOfRange = "CG0007";
    public const string InvalidNetworkType = "CG0008";
    public const string UnknownName = "CG0009";
    public const string InvalidStructure = "CG0010";
    public const string WeightsFile = "CG0011";
    public const string NotSupported = "CG0012";
    public const string BeyondLimits = "CG0013";

    public static readonly string[] All = { EmptyOutput, UnreadInput, InvalidPadding, ShapeMismatch, Checkerboard, OutputPadding, OutOfRange, InvalidNetworkType, UnknownName, InvalidStructure, WeightsFile, NotSupported, BeyondLimits };
}
