using System.Collections.Immutable;
using ConvGen.Generator;
using ConvGen.Generator.Analysis;
using ConvGen.Generator.Parsing;
using Microsoft.CodeAnalysis;

namespace ConvGen.Tests.Generator;

/// <summary>
/// Runs the generator on a source file, as the compiler does, and also hands back the shape analysis of its one
/// network, taken from the parse step's output (so that a network the generator gates with CG0012 can still be compared
/// with PyTorch: output shape, parameters, state_dict).
/// </summary>
internal static class DeclarationAnalysis
{
    public sealed record Outcome(GeneratorHarness.Result Generated, AnalysisResult Analysis)
    {
        /// <summary>Everything the user would see that is an error or warning: compiler errors and ConvGen diagnostics.</summary>
        public IEnumerable<Diagnostic> Problems => Generated.CompilationDiagnostics
            .Where(d => d.Severity >= DiagnosticSeverity.Warning && (d.Id.StartsWith("CG", StringComparison.Ordinal) || d.Severity == DiagnosticSeverity.Error));
    }

    public static Outcome Run(string source)
    {
        GeneratorHarness.Result generated = GeneratorHarness.Run(source);
        GeneratorDriver driver = GeneratorHarness.CreateDriver(track: true).RunGenerators(GeneratorHarness.CreateCompilation(source));
        GeneratorRunResult run = driver.GetRunResult().Results[0];
        ImmutableArray<IncrementalGeneratorRunStep> steps = run.TrackedSteps[NetworkGenerator.Steps.Parse];
        var parsed = (ParsedNetwork)steps.Single().Outputs.Single().Value;
        Assert.NotNull(parsed.Declaration);
        return new Outcome(generated, NetworkAnalyzer.Analyze(parsed.Declaration!));
    }
}
