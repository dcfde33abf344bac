using System.Collections.Immutable;
using System.Threading;
using ConvGen.Generator.Analysis;
using ConvGen.Generator.Diagnostics;
using ConvGen.Generator.Emit;
using ConvGen.Generator.Model;
using ConvGen.Generator.Parsing;
using ConvGen.Generator.Planning;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace ConvGen.Generator;

/// <summary>
/// The pipeline. Parse (the only step that sees Roslyn symbols) → analyse shapes → plan → emit. Diagnostics travel
/// on their own branch with real source locations, so that <c>#pragma warning disable</c> works on them
/// (dotnet/runtime#92509), while the source branch carries only equatable models and stays cached across edits
/// that do not change the network.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class NetworkGenerator : IIncrementalGenerator
{
    /// <summary>Names of the tracked pipeline steps, for the incremental caching tests.</summary>
    public static class Steps
    {
        public const string Parse = "ConvGen.Parse";
        public const string Analyze = "ConvGen.Analyze";
        public const string WeightsFiles = "ConvGen.WeightsFiles";
        public const string CheckWeights = "ConvGen.CheckWeights";
        public const string Model = "ConvGen.Model";
        public const string EmitOptions = "ConvGen.EmitOptions";
        public const string Emit = "ConvGen.Emit";
        public const string Diagnostics = "ConvGen.Diagnostics";
    }

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<(ParsedNetwork Parsed, SyntaxTree Tree)> parsed = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                Parser.NetworkAttributeName,
                static (node, _) => node is TypeDeclarationSyntax,
                static (ctx, ct) => (Parser.Parse(ctx, ct), ctx.TargetNode.SyntaxTree))
            .WithTrackingName(Steps.Parse);

        // The project's .safetensors AdditionalFiles, for embedded weights ([Network(..., Weights = "file")]).
        IncrementalValueProvider<EquatableArray<WeightsFile>> weightsFiles = context.AdditionalTextsProvider
            .Where(static text => text.Path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
            .Combine(context.AnalyzerConfigOptionsProvider)
            .Select(static (pair, ct) => WeightsFileReader.Read(pair.Left, pair.Right.GetOptions(pair.Left), ct))
            .Collect()
            .Select(static (files, _) => files.ToEquatableArray())
            .WithTrackingName(Steps.WeightsFiles);

        IncrementalValuesProvider<(AnalysisResult Analysis, SyntaxTree Tree)> analyzed = parsed
            .Select(static (p, _) => (Analyze(p.Parsed), p.Tree))
            .WithTrackingName(Steps.Analyze)
            .Combine(weightsFiles)
            .Select(static (pair, _) => (EmbeddedWeightsCheck.Attach(pair.Left.Item1, pair.Right), pair.Left.Item2))
            .WithTrackingName(Steps.CheckWeights);

        IncrementalValuesProvider<AnalyzedNetwork?> models = analyzed
            .Select(static (a, _) => a.Analysis.Network)
            .WithTrackingName(Steps.Model);

        // Build properties the emitter reads (ConvGenProfile), reduced to an equatable record so that other option
        // changes re-emit nothing.
        IncrementalValueProvider<EmitOptions> emitOptions = context.AnalyzerConfigOptionsProvider
            .Select(static (options, _) => EmitOptions.FromBuildProperty(
                options.GlobalOptions.TryGetValue(EmitOptions.ProfileProperty, out string? profile) ? profile : null))
            .WithTrackingName(Steps.EmitOptions);

        IncrementalValuesProvider<GeneratedSource?> sources = models
            .Combine(emitOptions)
            .Select(static (pair, _) => pair.Left is null ? null : Emitter.Emit(Planner.Plan(pair.Left), pair.Right))
            .WithTrackingName(Steps.Emit);

        context.RegisterSourceOutput(sources, static (spc, source) =>
        {
            if (source is not null) spc.AddSource(source.HintName, source.Text);
        });

        IncrementalValuesProvider<EquatableArray<Diagnostic>> diagnostics = analyzed
            .Select(static (a, _) => ToDiagnostics(a.Analysis.Diagnostics, a.Tree))
            .WithTrackingName(Steps.Diagnostics);

        context.RegisterSourceOutput(diagnostics, static (spc, list) =>
        {
            foreach (Diagnostic diagnostic in list) spc.ReportDiagnostic(diagnostic);
        });
    }

    /// <summary>Parse diagnostics, then shape analysis (every layer that passes it has code generation).</summary>
    internal static AnalysisResult Analyze(ParsedNetwork parsed)
    {
        if (parsed.Declaration is not { } declaration)
            return new AnalysisResult(null, parsed.Diagnostics);
        AnalysisResult analysis = NetworkAnalyzer.Analyze(declaration);
        return analysis with { Diagnostics = parsed.Diagnostics.Concat(analysis.Diagnostics).ToEquatableArray() };
    }

    private static EquatableArray<Diagnostic> ToDiagnostics(EquatableArray<DiagnosticInfo> infos, SyntaxTree tree)
    {
        if (infos.IsEmpty) return EquatableArray<Diagnostic>.Empty;
        var list = ImmutableArray.CreateBuilder<Diagnostic>(infos.Count);
        foreach (DiagnosticInfo info in infos)
        {
            Location location = Location.Create(tree, new Microsoft.CodeAnalysis.Text.TextSpan(info.Span.Start, info.Span.Length));
            list.Add(Diagnostic.Create(DiagnosticDescriptors.ById(info.Id), location, info.Message));
        }
        return new EquatableArray<Diagnostic>(list.MoveToImmutable());
    }
}
