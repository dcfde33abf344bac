using ConvGen.Generator.Diagnostics;
using ConvGen.Generator.Model;
using static ConvGen.Generator.Diagnostics.DiagnosticDescriptors;

namespace ConvGen.Generator.Analysis;

internal static partial class LayerRules
{
    /// <summary>
    /// An element-wise activation: its arguments read and range-checked as its catalog entry says, then the entry's
    /// check across them (Hardtanh's max_val &gt; min_val, Softplus's beta != 0).
    /// </summary>
    private static LayerOutcome Activation(ArgumentReader a, Shape x)
    {
        ActivationDefinition definition = ActivationCatalog.Get(a.Layer.TypeName);
        var arguments = definition.Arguments.Select(arg => a.Double(arg.Name, arg.Default, arg.Min, arg.Max)).ToEquatableArray();
        if (definition.Check?.Invoke(arguments) is { } problem)
            a.Report(ActivationArgumentsConflict.At(a.SpanOfFirst(new[] { problem.Argument }.Concat(definition.Arguments.Select(arg => arg.Name)).ToArray()), a.Who, problem.Message));
        string? op = definition.Operator;
        if (definition.Variant is { } variant)
        {
            string value = a.Choice(variant.Name, variant.Default, variant.Options.Select(o => o.Value).ToArray());
            op = variant.Options.First(o => o.Value == value).Operator;
        }
        return new LayerOutcome(x, new LayerGeometry { Activation = new ActivationUse(definition.Name, op, arguments) }, 0, 0);
    }

    /// <summary>PReLU: one learned slope, or one per channel (dimension 1 with the batch, as PyTorch).</summary>
    private static LayerOutcome PReLU(ArgumentReader a, Shape x)
    {
        int channels = x[0];
        int n = a.Int("NumParameters", 1, min: 1);
        a.Double("Init", 0.25);
        if (n != 1 && n != channels)
        {
            a.Report(PReLUParametersMismatch.At(a.SpanOf("NumParameters"), a.Who, n, x.ToString(), channels, Plural(channels, "channel")));
            n = 1;
        }
        var g = new LayerGeometry { InChannels = channels, OutChannels = channels, LearnedShape = EquatableArray.Create(n) };
        return new LayerOutcome(x, g, n, 0);
    }

    private static string Number(double v) => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}
