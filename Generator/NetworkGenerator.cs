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
/// The pipeline. Read (syntax, every keystroke, cheap) → Parse (bind against the attribute catalog) → analyse shapes →
/// plan → emit. The model carries spans relative to its declaration, so an edit elsewhere leaves every network's model
/// equal and its analysis and emission cached; only the diagnostics step, which joins each network's cached diagnostics
/// with its declaration's current position, runs for all. Diagnostics travel on their own branch with real source
/// locations, so that <c>#pragma warning disable</c> works on them (dotnet/runtime#92509).
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class NetworkGenerator : IIncrementalGenerator
{
    /// <summary>Names of the tracked pipeline steps, for the incremental caching tests.</summary>
    public static class Steps
    {
        public const string Read = "ConvGen.Read";
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
        // Per declaration: what is written (relative spans), the attribute catalog it binds against, and where it is now.
        IncrementalValuesProvider<(NetworkSyntax Syntax, AttributeCatalog Catalog, SyntaxTree Tree, int Position)> read = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                Parser.NetworkAttributeName,
                static (node, _) => node is TypeDeclarationSyntax,
                static (ctx, ct) => SyntaxReader.Read(ctx, ct) is { } syntax && ctx.Attributes.FirstOrDefault()?.AttributeClass is { } network
                    ? (syntax, AttributeCatalog.For(network, ct), ctx.TargetNode.SyntaxTree, ctx.TargetNode.SpanStart)
                    : default)
            .Where(static r => r.Item1 is not null)
            .WithTrackingName(Steps.Read);

        IncrementalValuesProvider<ParsedNetwork> parsed = read
            .Select(static (r, _) => (r.Syntax, r.Catalog))
            .Select(static (pair, _) => Parser.Parse(pair.Syntax, pair.Catalog))
            .WithTrackingName(Steps.Parse);

        // The project's .safetensors AdditionalFiles, for embedded weights ([Network(..., Weights = "file")]).
        IncrementalValueProvider<EquatableArray<WeightsFile>> weightsFiles = context.AdditionalTextsProvider
            .Where(static text => text.Path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
            .Combine(context.AnalyzerConfigOptionsProvider)
            .Select(static (pair, ct) => WeightsFileReader.Read(pair.Left, pair.Right.GetOptions(pair.Left), ct))
            .Collect()
            .Select(static (files, _) => files.ToEquatableArray())
            .WithTrackingName(Steps.WeightsFiles);

        IncrementalValuesProvider<CompiledNetwork> analyzed = parsed
            .Select(static (p, _) => Analyze(p))
            .WithTrackingName(Steps.Analyze)
            .Combine(weightsFiles)
            .Select(static (pair, _) => pair.Left.WithWeights(pair.Right))
            .WithTrackingName(Steps.CheckWeights);

        IncrementalValuesProvider<ExecutionPlan?> models = analyzed
            .Select(static (a, _) => a.Plan)
            .WithTrackingName(Steps.Model);

        // Build properties the emitter reads (ConvGenProfile), reduced to an equatable record so that other option
        // changes re-emit nothing.
        IncrementalValueProvider<EmitOptions> emitOptions = context.AnalyzerConfigOptionsProvider
            .Select(static (options, _) => EmitOptions.FromBuildProperty(
                options.GlobalOptions.TryGetValue(EmitOptions.ProfileProperty, out string? profile) ? profile : null))
            .WithTrackingName(Steps.EmitOptions);

        IncrementalValuesProvider<GeneratedSource?> sources = models
            .Combine(emitOptions)
            .Select(static (pair, _) => pair.Left is null ? null : Emitter.Emit(pair.Left, pair.Right))
            .WithTrackingName(Steps.Emit);

        context.RegisterSourceOutput(sources, static (spc, source) =>
        {
            if (source is not null) spc.AddSource(source.HintName, source.Text);
        });

        // Each network's diagnostics (cached, relative) joined with its declaration's current position.
        IncrementalValueProvider<EquatableArray<KeyedDiagnostics>> byKey = analyzed
            .Select(static (a, _) => new KeyedDiagnostics(a.Analysis.Key, a.Analysis.Diagnostics))
            .Collect()
            .Select(static (all, _) => all.ToEquatableArray());
        IncrementalValuesProvider<EquatableArray<Diagnostic>> diagnostics = read
            .Select(static (r, _) => (r.Syntax.Key, r.Tree, r.Position))
            .Combine(byKey)
            .Select(static (pair, _) => ToDiagnostics(pair.Right.FirstOrDefault(k => k.Key == pair.Left.Key)?.Diagnostics ?? EquatableArray<DiagnosticInfo>.Empty,
                pair.Left.Tree, pair.Left.Position))
            .WithTrackingName(Steps.Diagnostics);

        context.RegisterSourceOutput(diagnostics, static (spc, list) =>
        {
            foreach (Diagnostic diagnostic in list) spc.ReportDiagnostic(diagnostic);
        });
    }

    /// <summary>
    /// Parse diagnostics, then shape analysis, then what code generation cannot do yet (CG0012: such a network never
    /// reaches the planner), then the plan, whose scratch arena the limits of this version check on the whole network
    /// (CG0013). The plan travels down the pipeline with the analysis: it is made once per analysis.
    /// </summary>
    internal static CompiledNetwork Analyze(ParsedNetwork parsed)
    {
        if (parsed.Declaration is not { } declaration)
            return new CompiledNetwork(new AnalysisResult(null, parsed.Diagnostics) { Key = parsed.Key }, null);

        AnalysisResult analysis = NetworkAnalyzer.Analyze(declaration);
        var all = analysis.Diagnostics.ToList();
        AnalyzedNetwork? network = analysis.Network;
        if (network is not null)
        {
            foreach (AnalyzedLayer layer in network.Layers)
            {
                if (CodeGeneration.Unsupported(layer) is not { } reason) continue;
                LayerDeclaration written = declaration.Layers[layer.Index];
                all.Add(DiagnosticDescriptors.CodeNotGenerated.At(written.NameSpan, written.DisplayName, reason));
                network = null;
            }
        }
        analysis = analysis with { Network = network, Diagnostics = all.ToEquatableArray() };
        ExecutionPlan? plan = analysis.Network is { } planned ? Planner.Plan(planned) : null;
        if (plan is not null) analysis = Limits.CheckNetwork(declaration, analysis, plan.ArenaLength);
        analysis = analysis with { Key = parsed.Key, Diagnostics = parsed.Diagnostics.Concat(analysis.Diagnostics).ToEquatableArray() };
        return new CompiledNetwork(analysis, analysis.Network is null ? null : plan);
    }

    private sealed record KeyedDiagnostics(string Key, EquatableArray<DiagnosticInfo> Diagnostics);

    /// <summary>One declaration's analysis and, when it has no errors, its plan (whose network is the analysis's).</summary>
    internal sealed record CompiledNetwork(AnalysisResult Analysis, ExecutionPlan? Plan)
    {
        /// <summary>
        /// Checks the embedded weights the declaration names against the project's files (<see cref="EmbeddedWeightsCheck"/>):
        /// the plan then prints the network with its weights attached, or there is none when they do not match. The steps
        /// do not depend on the weights, so the network is not planned again.
        /// </summary>
        public CompiledNetwork WithWeights(EquatableArray<WeightsFile> files)
        {
            AnalysisResult checkedAnalysis = EmbeddedWeightsCheck.Attach(Analysis, files);
            if (ReferenceEquals(checkedAnalysis, Analysis)) return this;
            return new CompiledNetwork(checkedAnalysis, checkedAnalysis.Network is { } network && Plan is not null ? Plan with { Network = network } : null);
        }
    }

    /// <summary>Roslyn diagnostics for one network: spans moved by <paramref name="offset"/> into the file, fixes into the properties.</summary>
    private static EquatableArray<Diagnostic> ToDiagnostics(EquatableArray<DiagnosticInfo> infos, SyntaxTree tree, int offset)
    {
        if (infos.IsEmpty) return EquatableArray<Diagnostic>.Empty;
        var list = ImmutableArray.CreateBuilder<Diagnostic>(infos.Count);
        foreach (DiagnosticInfo info in infos)
        {
            SourceSpan span = info.Span.Shift(offset);
            Location location = Location.Create(tree, new Microsoft.CodeAnalysis.Text.TextSpan(span.Start, Math.Max(0, span.Length)));
            var fixes = info.Fixes.Select(f => new FixProperties.Fix(f.Title, f.Edits.Select(e => (e.Span.Start + offset, e.Span.Length, e.NewText)).ToList())).ToList();
            list.Add(Diagnostic.Create(info.Rule.Descriptor, location, FixProperties.Encode(fixes), info.Arguments.Cast<object>().ToArray()));
        }
        return new EquatableArray<Diagnostic>(list.MoveToImmutable());
    }
}
