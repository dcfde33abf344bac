using ConvGen.Generator.Diagnostics;
using ConvGen.Generator.Model;

namespace ConvGen.Generator.Analysis;

/// <summary>
/// Turns the repairs the analysis proposes into code fixes, keeping only those that work: each proposal is applied to
/// the declaration model and the edited declaration analysed again; a proposal is kept when its diagnostic is gone and
/// no diagnostic appears that was not there before (contract section 10: a fix never produces a new error). Kept
/// proposals are printed as text edits of the declaration as written.
/// </summary>
internal static class FixVerifier
{
    public static EquatableArray<DiagnosticInfo> Verify(NetworkDeclaration declaration, EquatableArray<DiagnosticInfo> diagnostics,
        Func<NetworkDeclaration, EquatableArray<DiagnosticInfo>> analyze)
    {
        var before = new HashSet<(DiagnosticRule, SourceSpan)>(diagnostics.Select(d => (d.Rule, d.Span)));
        var result = new List<DiagnosticInfo>(diagnostics.Count);
        foreach (DiagnosticInfo diagnostic in diagnostics)
        {
            if (diagnostic.Proposals.IsEmpty) { result.Add(diagnostic); continue; }
            var fixes = diagnostic.Fixes.ToList();
            foreach (FixProposal proposal in diagnostic.Proposals)
            {
                if (Apply(declaration, proposal) is not { } edited || Print(declaration, proposal) is not { } edits) continue;
                EquatableArray<DiagnosticInfo> after = analyze(edited);
                bool removes = !after.Any(a => a.Rule == diagnostic.Rule && a.Span == diagnostic.Span);
                bool addsNone = after.All(a => before.Contains((a.Rule, a.Span)));
                if (removes && addsNone && !fixes.Any(f => f.Edits == edits)) fixes.Add(new CodeFix(proposal.Title, edits));
            }
            result.Add(diagnostic with { Proposals = EquatableArray<FixProposal>.Empty, Fixes = fixes.ToEquatableArray() });
        }
        return result.ToEquatableArray();
    }

    /// <summary>The declaration with the proposal's edits made, or null when an edit does not apply.</summary>
    internal static NetworkDeclaration? Apply(NetworkDeclaration declaration, FixProposal proposal)
    {
        foreach (DeclarationEdit edit in proposal.Edits)
        {
            if (edit is SetArgument { Layer: -1, Argument: "InputShape" } shape)
            {
                declaration = declaration with { InputShape = shape.Value.Numbers.Select(n => (int)n).ToEquatableArray() };
                continue;
            }
            if (edit.Layer < 0 || edit.Layer >= declaration.Layers.Count) return null;
            LayerDeclaration layer = declaration.Layers[edit.Layer];
            switch (edit)
            {
                case SetArgument set:
                    {
                        Argument? old = layer.Find(set.Argument);
                        ArgValue value = set.Element >= 0 ? (old?.Value.WithElement(set.Element, set.Value) ?? set.Value) : set.Value;
                        var arguments = layer.Arguments.Where(a => a.Name != set.Argument).ToList();
                        arguments.Add(old is null ? new Argument(set.Argument, value, SourceSpan.None) : old with { Value = value });
                        layer = layer with { Arguments = arguments.ToEquatableArray() };
                        break;
                    }
                case RenameLayer rename:
                    layer = layer with { Kind = rename.Kind };
                    break;
                default:
                    return null;
            }
            declaration = declaration with { Layers = declaration.Layers.Select(l => l.Index == layer.Index ? layer : l).ToEquatableArray() };
        }
        return declaration;
    }

    /// <summary>The proposal as text edits of the source the declaration was read from, or null when it cannot be written.</summary>
    internal static EquatableArray<TextEdit>? Print(NetworkDeclaration declaration, FixProposal proposal)
    {
        var edits = new List<TextEdit>();
        foreach (DeclarationEdit edit in proposal.Edits)
        {
            if (edit is SetArgument { Layer: -1, Argument: "InputShape" } shape)
            {
                if (declaration.InputShapeSpans.IsEmpty) return null;
                var all = SourceSpan.FromBounds(declaration.InputShapeSpans[0].Start, declaration.InputShapeSpans[declaration.InputShapeSpans.Count - 1].End);
                edits.Add(new TextEdit(all, string.Join(", ", shape.Value.Numbers)));
                continue;
            }
            if (edit.Layer < 0 || edit.Layer >= declaration.Layers.Count) return null;
            LayerDeclaration layer = declaration.Layers[edit.Layer];
            switch (edit)
            {
                case SetArgument set when layer.Find(set.Argument) is { } argument:
                    {
                        SourceSpan span = set.Element >= 0 ? argument.ElementSpan(set.Element) : argument.ValueSpan;
                        if (span.IsNone) return null;
                        edits.Add(new TextEdit(span, set.Value.ToCSharp()));
                        break;
                    }
                case SetArgument set:
                    if (layer.Insertion.IsNone) return null;
                    edits.Add(new TextEdit(new SourceSpan(layer.Insertion.Position, 0), $"{layer.Insertion.Prefix}{set.Argument} = {set.Value.ToCSharp()}{layer.Insertion.Suffix}"));
                    break;
                case RenameLayer rename:
                    if (layer.KindSpan.IsNone) return null;
                    edits.Add(new TextEdit(layer.KindSpan, rename.Kind.ToString()));
                    break;
                default:
                    return null;
            }
        }
        return edits.ToEquatableArray();
    }
}
