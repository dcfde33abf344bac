namespace ConvGen.Generator.Emit;

/// <summary>
/// Options of the emitter that come from the build rather than the declaration. <see cref="Profile"/> is the
/// MSBuild property <c>ConvGenProfile</c> (visible to the generator through
/// <c>&lt;CompilerVisibleProperty Include="ConvGenProfile" /&gt;</c>).
/// </summary>
internal sealed record EmitOptions(bool Profile)
{
    public static EmitOptions Default { get; } = new(false);

    public const string ProfileProperty = "build_property.ConvGenProfile";

    /// <summary>From the value of <c>build_property.ConvGenProfile</c> (absent, empty or anything but "true" is off).</summary>
    public static EmitOptions FromBuildProperty(string? profile) =>
        string.Equals(profile?.Trim(), "true", StringComparison.OrdinalIgnoreCase) ? new EmitOptions(true) : Default;
}
