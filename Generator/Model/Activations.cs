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
/// (its constructor takes the numeric arguments in the order listed here, as floats; <c>PreservesZero</c> as
/// <see cref="ActivationDefinition.ZeroAtZero"/> here);</item>
/// <item>one entry in <see cref="All"/> below: name, formula, arguments with PyTorch's defaults and ranges (and a check
/// across them), the operator, whether f(0) = 0.</item>
/// </list>
/// <para>An entry whose <see cref="ActivationDefinition.Operator"/> is null is analysed (shapes, arguments) but gets
/// CG0012 ("no generated code yet"): naming its new struct there is the whole change that generates it. An
/// activation with learned weights (PReLU) is not an operator struct: it is a layer kind of its own, with its tensors
/// in the weights manifest and the emitter's Load.</para>
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
        new ActivationDefinition("Hardsigmoid", "relu6(x + 3) / 6", "Hardsigmoid", ZeroAtZero: false),
        new ActivationDefinition("Hardtanh", "min(max(x, min_val), max_val)", "Hardtanh", ZeroAtZero: false,
            Arguments: new[] { new ActivationArgument("MinVal", "min_val", -1), new ActivationArgument("MaxVal", "max_val", 1) },
            Check: values => values[1] > values[0] ? null
                : ("MaxVal", $"max_val {Number(values[1])} must be greater than min_val {Number(values[0])}, as PyTorch asserts; e.g. Hardtanh({Number(values[0])}, {Number(values[0] + 1)})")),
        new ActivationDefinition("ELU", "x > 0 ? x : alpha · (exp(x) - 1)", "ELU", ZeroAtZero: true,
            Arguments: new[] { new ActivationArgument("Alpha", "alpha", 1.0) }),
        new ActivationDefinition("Softplus", "log(1 + exp(beta · x)) / beta, x where beta · x > threshold", "Softplus", ZeroAtZero: false,
            Arguments: new[] { new ActivationArgument("Beta", "beta", 1), new ActivationArgument("Threshold", "threshold", 20) },
            Check: values => values[0] != 0 ? null
                : ("Beta", "beta 0 divides by zero (PyTorch outputs infinity everywhere); use a non-zero beta, e.g. the default 1")),
        new ActivationDefinition("Mish", "x · tanh(softplus(x))", "Mish", ZeroAtZero: true),
    };

    private static string Number(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static readonly Dictionary<string, ActivationDefinition> ByName = All.ToDictionary(d => d.Name, StringComparer.Ordinal);

    /// <summary>The definition of the activation whose attribute is <paramref name="name"/> (<c>LeakyReLU</c>), if any.</summary>
    public static bool TryGet(string name, out ActivationDefinition definition) => ByName.TryGetValue(name, out definition!);

    public static ActivationDefinition Get(string name) =>
        ByName.TryGetValue(name, out ActivationDefinition? d) ? d : throw new ArgumentException($"no activation named {name} in the catalog", nameof(name));
}

/// <summary>One element-wise activation, as <see cref="ActivationCatalog"/> defines it.</summary>
/// <param name="Name">The <c>torch.nn</c> class name, also the attribute's (without <c>Attribute</c>).</param>
/// <param name="Formula">What it computes, for documentation and the generated comments.</param>
/// <param name="Operator">The runtime operator struct that computes it (before a <see cref="Variant"/> picks another); null while the runtime has none.</param>
/// <param name="ZeroAtZero">f(0) = 0: zero padding commutes with it and the padding lanes of a channel-blocked tensor stay zero.</param>
/// <param name="Arguments">Numeric arguments, in the order the runtime operator's constructor takes them.</param>
/// <param name="Variant">A string argument that selects the operator (GELU's <c>approximate</c>).</param>
/// <param name="Check">A rule across the arguments (values in <see cref="Arguments"/>' order): null when they are valid,
/// else the argument to report on and the message after the layer's name.</param>
/// <param name="Fusable">Whether a producer (convolution, linear, element-wise) may apply it as it stores.</param>
internal sealed record ActivationDefinition(
    string Name,
    string Formula,
    string? Operator,
    bool ZeroAtZero,
    IReadOnlyList<ActivationArgument>? Arguments = null,
    ActivationVariant? Variant = null,
    Func<IReadOnlyList<double>, (string Argument, string Message)?>? Check = null,
    bool Fusable = true)
{
    public IReadOnlyList<ActivationArgument> Arguments { get; } = Arguments ?? Array.Empty<ActivationArgument>();

    /// <summary>Every runtime operator this activation can map to (the variants' or the one operator); none while it has none.</summary>
    public IEnumerable<string> Operators => Variant is { } v ? v.Options.Select(o => o.Operator) : Operator is null ? Array.Empty<string>() : new[] { Operator };
}

/// <summary>A numeric argument: attribute name (PascalCase), PyTorch name, PyTorch's default and the accepted range.</summary>
internal sealed record ActivationArgument(string Name, string TorchName, double Default,
    double Min = double.NegativeInfinity, double Max = double.PositiveInfinity);

/// <summary>A string argument whose value picks the runtime operator: (value, operator) pairs, values lower-case.</summary>
internal sealed record ActivationVariant(string Name, string TorchName, string Default, IReadOnlyList<(string Value, string Operator)> Options);

/// <summary>
/// One activation as a declaration uses it, resolved by the analysis: the catalog name, the runtime operator (after
/// the variant is picked; null while the runtime has none) and the numeric arguments (defaults applied). Plain
/// equatable data for the model.
/// </summary>
internal sealed record ActivationUse(string Name, string? Operator, EquatableArray<double> Arguments)
{
    public ActivationDefinition Definition => ActivationCatalog.Get(Name);

    /// <summary>The operator, for a plan: the code generation gate keeps activations without one out of the planner.</summary>
    public string RuntimeOperator => Operator ?? throw new InvalidOperationException($"{Name} has no runtime operator; CG0012 should have stopped it");

    /// <summary><c>LeakyReLU(0.1)</c>, <c>ReLU</c>: as written in PyTorch, arguments only when there are any.</summary>
    public override string ToString() => Arguments.IsEmpty
        ? Operator ?? Name
        : $"{Operator ?? Name}({string.Join(", ", Arguments.Select(a => a.ToString("R", CultureInfo.InvariantCulture)))})";
}
