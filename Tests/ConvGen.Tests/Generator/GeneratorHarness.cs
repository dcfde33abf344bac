using System.Collections.Immutable;
using ConvGen.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace ConvGen.Tests.Generator;

/// <summary>Runs the generator on source text with CSharpGeneratorDriver, as the compiler would.</summary>
internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.CSharp12);

    internal static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
            .ToList();
        paths.Add(typeof(ConvGen.NetworkAttribute).Assembly.Location);
        paths.Add(typeof(ConvGen.Runtime.Simd.Isa).Assembly.Location);
        return paths.Distinct().Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
    });

    public static readonly CSharpCompilationOptions CompilationOptions = new(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable);

    public static CSharpCompilation CreateCompilation(params string[] sources) =>
        CSharpCompilation.Create("UserProject",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"/src/File{i}.cs")),
            References.Value, CompilationOptions);

    public static GeneratorDriver CreateDriver(bool track = false) =>
        CSharpGeneratorDriver.Create(new[] { new NetworkGenerator().AsSourceGenerator() }, parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: track));

    public sealed record Result(GeneratorRunResult Run, Compilation Output, ImmutableArray<Diagnostic> GeneratorDiagnostics, ImmutableArray<Diagnostic> CompilationDiagnostics)
    {
        /// <summary>Wall time of the generator driver's run (the generator alone, not compiling its output).</summary>
        public TimeSpan GeneratorTime { get; init; }
        public string? GeneratedText => Run.GeneratedSources.IsEmpty ? null : Run.GeneratedSources[0].SourceText.ToString();
        /// <summary>The diagnostics a user sees: the generator's, after #pragma and severity filtering by the compilation.</summary>
        public IEnumerable<Diagnostic> Reported(string prefix = "CG") => CompilationDiagnostics.Where(d => d.Id.StartsWith(prefix, StringComparison.Ordinal));
    }

    public static Result Run(params string[] sources) => Run(sources, Array.Empty<AdditionalText>());

    /// <summary>
    /// Runs with additional files; <paramref name="resources"/> names files ConvGen.targets would embed (path → resource
    /// name); <paramref name="buildProperties"/> are global options as MSBuild passes CompilerVisibleProperty values
    /// ("build_property.ConvGenProfile" → "true").
    /// </summary>
    public static Result Run(string[] sources, AdditionalText[] additionalFiles, IReadOnlyDictionary<string, string>? resources = null,
        IReadOnlyDictionary<string, string>? buildProperties = null)
    {
        CSharpCompilation compilation = CreateCompilation(sources);
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new NetworkGenerator().AsSourceGenerator() }, additionalFiles, ParseOptions,
                new ResourceOptionsProvider(resources ?? new Dictionary<string, string>(), buildProperties))
            .RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> generatorDiagnostics);
        TimeSpan generatorTime = stopwatch.Elapsed;
        GeneratorRunResult run = driver.GetRunResult().Results[0];
        // Generator diagnostics filtered the way the compiler filters them (pragmas, warning levels).
        var filtered = CompilationWithGeneratorDiagnostics(output, generatorDiagnostics);
        return new Result(run, output, generatorDiagnostics, filtered) { GeneratorTime = generatorTime };
    }

    // The driver applies #pragma and severity options to generator diagnostics (suppressed ones come back with
    // IsSuppressed set), as the compiler does in a build.
    private static ImmutableArray<Diagnostic> CompilationWithGeneratorDiagnostics(Compilation output, ImmutableArray<Diagnostic> generatorDiagnostics) =>
        output.GetDiagnostics().Concat(generatorDiagnostics).Where(d => !d.IsSuppressed).ToImmutableArray();

}

/// <summary>
/// A binary additional file: written to a temporary folder (the generator reads weights files from their path, as
/// the compiler refuses to decode binary additional files), with GetText failing as the compiler's does.
/// </summary>
internal sealed class BinaryAdditionalText : AdditionalText
{
    private static readonly string Folder = Directory.CreateTempSubdirectory("convgen-tests-").FullName;
    private readonly string _path;

    public BinaryAdditionalText(string name, byte[] bytes)
    {
        _path = System.IO.Path.Combine(Folder, Guid.NewGuid().ToString("N"), System.IO.Path.GetFileName(name));
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(_path)!);
        File.WriteAllBytes(_path, bytes);
    }

    public override string Path => _path;
    public override Microsoft.CodeAnalysis.Text.SourceText GetText(CancellationToken cancellationToken = default) =>
        throw new InvalidDataException("binary file (the compiler reports CS2015)");
}

/// <summary>
/// Per-file analyzer options carrying the ConvGenEmbeddedResource metadata that ConvGen.targets sets, and global
/// options carrying build properties.
/// </summary>
internal sealed class ResourceOptionsProvider(IReadOnlyDictionary<string, string> resources, IReadOnlyDictionary<string, string>? buildProperties = null)
    : Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptionsProvider
{
    private static readonly IReadOnlyDictionary<string, string> None = new Dictionary<string, string>();

    public override Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions GlobalOptions => new Options(buildProperties ?? None);
    public override Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions GetOptions(SyntaxTree tree) => new Options(None);
    public override Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions GetOptions(AdditionalText textFile) =>
        new Options(resources.TryGetValue(textFile.Path, out string? resource)
            ? new Dictionary<string, string> { ["build_metadata.AdditionalFiles.ConvGenEmbeddedResource"] = resource }
            : None);

    private sealed class Options(IReadOnlyDictionary<string, string> values) : Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions
    {
        public override bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value) =>
            values.TryGetValue(key, out value);
    }
}
