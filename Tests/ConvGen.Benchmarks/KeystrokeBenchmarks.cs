using System.Collections.Immutable;
using BenchmarkDotNet.Attributes;
using ConvGen.Generator;
using ConvGen.Keystroke;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace ConvGen.Benchmarks;

/// <summary>
/// The generator's cost per keystroke, as the IDE pays it: a file of 20 networks, one edit, one generator run on the
/// new compilation. Beside it the same edit through a minimal generator that only binds the same attributes
/// (ForAttributeWithMetadataName on [Network] and the class's attributes read through the symbol), the floor of any
/// generator that reads these declarations. Edits alternate between two texts, each run on a compilation of its own.
/// <c>flock /tmp/convgen-timing.lock taskset -c 1 dotnet run -c Release --project Tests/ConvGen.Benchmarks -- --filter '*Keystroke*'</c>
/// BenchmarkDotNet runs each case in processes of its own, minutes apart: on a shared machine its ratio moves with what
/// else runs (2-4x between sittings). For the ratio, the <c>keystroke</c> mode (<see cref="KeystrokeInterleaved"/>)
/// alternates the two generators in one process.
/// </summary>
[MemoryDiagnoser]
public class KeystrokeBenchmarks
{
    /// <summary>"network": a kernel inside network 7 (3 ↔ 5); "elsewhere": a statement in a method at the end of the file.</summary>
    [Params("network", "elsewhere")]
    public string Edit { get; set; } = "network";

    private SyntaxTree[] _variants = Array.Empty<SyntaxTree>();
    private CSharpCompilation _convGenCompilation = null!, _minimalCompilation = null!;
    private GeneratorDriver _convGen = null!, _minimal = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var parse = new CSharpParseOptions(LanguageVersion.CSharp12);
        (string before, string after) = Edit == "network"
            ? (TwentyNetworks.EditedLayer, TwentyNetworks.EditedLayerAfter)
            : (TwentyNetworks.EditedStatement, TwentyNetworks.EditedStatementAfter);
        _variants = new[]
        {
            CSharpSyntaxTree.ParseText(TwentyNetworks.Source, parse, "/src/Models.cs"),
            CSharpSyntaxTree.ParseText(TwentyNetworks.Source.Replace(before, after), parse, "/src/Models.cs"),
        };
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
            .Append(typeof(NetworkAttribute).Assembly.Location)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToList();
        CSharpCompilation Create() => CSharpCompilation.Create("User", new[] { _variants[0] }, references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        _convGenCompilation = Create();
        _minimalCompilation = Create();
        _convGen = CSharpGeneratorDriver.Create(new[] { new NetworkGenerator().AsSourceGenerator() }, parseOptions: parse).RunGenerators(_convGenCompilation);
        _minimal = CSharpGeneratorDriver.Create(new[] { new MinimalGenerator().AsSourceGenerator() }, parseOptions: parse).RunGenerators(_minimalCompilation);
        if (_convGen.GetRunResult().Results[0].GeneratedSources.Length != 20) throw new InvalidOperationException("the 20 networks must generate 20 files");
    }

    [Benchmark(Baseline = true)]
    public GeneratorDriver Minimal() => _minimal = Keystroke(_minimal, ref _minimalCompilation);

    [Benchmark]
    public GeneratorDriver ConvGen() => _convGen = Keystroke(_convGen, ref _convGenCompilation);

    private GeneratorDriver Keystroke(GeneratorDriver driver, ref CSharpCompilation compilation)
    {
        SyntaxTree next = _variants[_next++ & 1];
        compilation = compilation.ReplaceSyntaxTree(compilation.SyntaxTrees[0], next);
        return driver.RunGenerators(compilation);
    }

    /// <summary>Binds what ConvGen reads and nothing more: every attribute of each [Network] class, as equatable data.</summary>
    private sealed class MinimalGenerator : IIncrementalGenerator
    {
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            IncrementalValuesProvider<string> declarations = context.SyntaxProvider.ForAttributeWithMetadataName(
                "ConvGen.NetworkAttribute",
                static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.TypeDeclarationSyntax,
                static (ctx, _) => string.Join(";", ctx.TargetSymbol.GetAttributes().Select(a =>
                    a.AttributeClass?.Name + "(" + string.Join(",", a.ConstructorArguments.Select(Text)) + "|" +
                    string.Join(",", a.NamedArguments.Select(n => n.Key + "=" + Text(n.Value))) + ")")));
            context.RegisterSourceOutput(declarations, static (_, _) => { });
        }

        private static string Text(TypedConstant c) => c.Kind == TypedConstantKind.Array ? "[" + string.Join(",", c.Values.Select(Text)) + "]" : c.Value?.ToString() ?? "null";
    }
}
