using System.Reflection;
using ConvGen.Generator.Analysis;
using ConvGen.Generator.Model;
using ConvGen.Generator.Parsing;
using ConvGen.Generator.Planning;
using Microsoft.CodeAnalysis;

namespace ConvGen.Tests.Generator;

/// <summary>
/// The models that flow through the cached pipeline hold plain data only: no symbol, syntax, compilation or
/// location, which would defeat caching and keep old compilations alive.
/// </summary>
public class ModelPurityTests
{
    private static readonly Type[] Forbidden =
    {
        typeof(ISymbol), typeof(Compilation), typeof(SyntaxNode), typeof(SyntaxTree), typeof(SemanticModel), typeof(Location), typeof(Diagnostic),
    };

    [Theory]
    [InlineData(typeof(ParsedNetwork))]
    [InlineData(typeof(AnalysisResult))]
    [InlineData(typeof(AnalyzedNetwork))]
    [InlineData(typeof(ExecutionPlan))]
    public void ModelHoldsNoRoslynObjects(Type root)
    {
        var seen = new HashSet<Type>();
        var offenders = new List<string>();
        Walk(root, root.Name, seen, offenders);
        Assert.Empty(offenders);
        Assert.True(seen.Count > 3, "the walk must actually visit the model's types");
    }

    [Fact]
    public void WalkDetectsAForbiddenMember() // the walk itself can fail
    {
        var offenders = new List<string>();
        Walk(typeof(BadModel), nameof(BadModel), new HashSet<Type>(), offenders);
        Assert.NotEmpty(offenders);
    }

    private sealed record BadModel(string Name, EquatableArray<SyntaxNode> Nodes);

    private static void Walk(Type type, string path, HashSet<Type> seen, List<string> offenders)
    {
        if (Forbidden.Any(f => f.IsAssignableFrom(type))) { offenders.Add(path + ": " + type.Name); return; }
        if (type.IsPrimitive || type == typeof(string) || type.IsEnum || !seen.Add(type)) return;
        if (type.IsGenericType) foreach (Type arg in type.GetGenericArguments()) Walk(arg, path + "<" + arg.Name + ">", seen, offenders);
        if (type.IsArray) { Walk(type.GetElementType()!, path + "[]", seen, offenders); return; }
        if (type.Namespace?.StartsWith("System", StringComparison.Ordinal) == true) return;
        foreach (FieldInfo field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
            Walk(field.FieldType, path + "." + field.Name, seen, offenders);
    }
}
