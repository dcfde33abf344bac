namespace ConvGen.IsaCheck;

/// <summary>
/// Marks a <c>static void M(CheckContext context)</c> method, in any class of this assembly, as one line of the
/// IsaCheck battery. Names are dotted, area first ("conv.depthwise"), and unique.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class IsaCheckAttribute(string name) : Attribute
{
    /// <summary>The check's name, as printed.</summary>
    public string Name { get; } = name;
}
