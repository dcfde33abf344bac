using System.Globalization;

namespace ConvGen.Generator.Model;

/// <summary>
/// Every element-wise activation the generator knows, each defined once: the parser recognises its attribute by this
/// name, the analysis reads and range-checks its arguments from here, the planner asks whether it can be fused into a
/// producer's store and whether it keeps zero at zero, and the emitter names its runtime operator struct.
/// </summary>
/// <remarks>
/// <para><b>Adding an activation</b> touches three files, and a missing piece fails the build or a test, never turns
/// the activation into an identity:</para>
/// <list type="number">
/// <item>the attribute in <c>Attributes/Activations.cs</c>: <c>public sealed class HardtanhAttribute : ActivationAttribute</c>,
/// with PyTorch's arguments as PascalCase properties (and a constructor for the positional ones);</item>
/// <item>the runtime operator struct in <c>Runtime/Kernels/Activations.cs</c>, named as <see cref="ActivationDefinition.Operator"/>
/// (its constructor takes the numeric arguments in the order listed here, as floats);</item>
/// <item>one entry in <see cref="All"/> below: name, formula, arguments with PyTorch's defaults and ranges, the operator,
/// whether f(0) = 0.</item>
/// </list>
/// <para><c>ActivationCatalogTests</c> fails when an <c>ActivationAttribute</c> has no entry here or an entry names no
/// runtime struct; the generated code names the struct, so a missing one is also a compile error. A declaration using
/// an activation attribute that has no entry is reported as CG0012.</para>
/// </remarks>
internal static class ActivationCatalog
{
    /// <summary>Every activation, by attribute name (the <c>torch.nn</c> class name).</summary>
    public static readonly IReadOnlyList<ActivationDefinition> All = new[]
    {
        new ActivationDefinition("ReLU", "max(0, x)", "ReLU", ZeroAtZero: true),
        new ActivationDefinition("ReLU6", "min(max(0, x), 6)", "ReLU6", ZeroAtZero: true),
        new ActivationDefinition("LeakyReLU", "x ≥ 0 ? x : negative_slope · x", "LeakyReLU", ZeroAtZero: true,
            Arguments: new[] { new ActivationArgument("NegativeSlope", "negative_slope", 0.01) }),
        new ActivationDefinition("Sigmoid", "1 / (1 + exp(-x))", "Sigmoid", ZeroAtZero: false),
        new ActivationDefinition("Tanh", "tanh(x)", "Tanh", ZeroAtZero: true),
        new ActivationDefinition("SiLU", "x · sigmoid(x)", "SiLU", ZeroAtZero: true),
        new ActivationDefinition("GELU", "x · Φ(x) (erf), or its tanh approximation", "GELU", ZeroAtZero: true,
            Variant: new ActivationVariant("Approximate", "approximate", "none", new[] { ("none", "GELU"), ("tanh", "GELUTanh") })),
        new ActivationDefinition("Hardswish", "x · relu6(x + 3) / 6", "Hardswish", ZeroAtZero: true),
    };

    private static readonly Dictionary<string, ActivationDefinition> ByName = All.ToDictionary(d => d.Name, StringComparer.Ordinal);

    /// <summary>The definition of the activation whose attribute is <paramref name="name"/> (<c>LeakyReLU</c>), if any.</summary>
    public static bool TryGet(string name, out ActivationDefinition definition) => ByName.TryGetValue(name, out definition!);

    public static ActivationDefinition Get(string name) =>
        ByName.TryGetValue(name, out ActivationDefinition? d) ? d : throw new ArgumentException($"no activation named {name} in the catalog", nameof(name));
}

/// <summary>One element-wise activation, as <see cref="ActivationCatalog"/> defines it.</summary>
/// <param name="Name">The <c>torch.nn</c> class name, also the attribute's (without <c>Attribute</c>).</param>
/// <param name="Formula">What it computes, for documentation and the generated comments.</param>
/// <param name="Operator">The runtime operator struct that computes it (before a <see cref="Variant"/> picks another).</param>
/// <param name="ZeroAtZero">f(0) = 0: zero padding commutes with it and the padding lanes of a channel-blocked tensor stay zero.</param>
/// <param name="Arguments">Numeric arguments, in the order the runtime operator's constructor takes them.</param>
/// <param name="Variant">A string argument that selects the operator (GELU's <c>approximate</c>).</param>
/// <param name="Fusable">Whether a producer (convolution, linear, element-wise) may apply it as it stores.</param>
internal sealed record ActivationDefinition(
    string Name,
    string Formula,
    string Operator,
    bool ZeroAtZero,
    IReadOnlyList<ActivationArgument>? Arguments = null,
    ActivationVariant? Variant = null,
    bool Fusable = true)
{
    public IReadOnlyList<ActivationArgument> Arguments { get; } = Arguments ?? Array.Empty<ActivationArgument>();

    /// <summary>Every runtime operator this activation can map to (the variants' or the one operator).</summary>
    public IEnumerable<string> Operators => Variant is { } v ? v.Options.Select(o => o.Operator) : new[] { Operator };
}

/// <summary>A numeric argument: attribute name (PascalCase), PyTorch name, PyTorch's default and the accepted range.</summary>
internal sealed record ActivationArgument(string Name, string TorchName, double Default,
    double Min = double.NegativeInfinity, double Max = double.PositiveInfinity);

/// <summary>A string argument whose value picks the runtime operator: (value, operator) pairs, values lower-case.</summary>
internal sealed record ActivationVariant(string Name, string TorchName, string Default, IReadOnlyList<(string Value, string Operator)> Options);

/// <summary>
/// One activation as a declaration uses it, resolved by the analysis: the catalog name, the runtime operator (after
/// the variant is picked) and the numeric arguments (defaults applied). Plain equatable data for the model.
/// </summary>
internal sealed record ActivationUse(string Name, string Operator, EquatableArray<double> Arguments)
{
    public ActivationDefinition Definition => ActivationCatalog.Get(Name);

    /// <summary><c>LeakyReLU(0.1)</c>, <c>ReLU</c>: as written in PyTorch, arguments only when there are any.</summary>
    public override string ToString() => Arguments.IsEmpty
        ? Operator
        : $"{Operator}({string.Join(", ", Arguments.Select(a => a.ToString("R", CultureInfo.InvariantCulture)))})";
}
