using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ConvGen.Generator.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Text;

namespace ConvGen.Generator.CodeFixes;

/// <summary>
/// Offers the repairs the generator attached to its diagnostics (contract section 10): one code action per fix, in
/// the generator's order, each applying the fix's text edits. The generator verified each fix by re-analysing the
/// edited declaration, so this provider only applies them; Roslyn offers code fixes for generator diagnostics since
/// Visual Studio 17.7 (dotnet/roslyn#67953).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(NetworkCodeFixProvider)), Shared]
public sealed class NetworkCodeFixProvider : CodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.All);

    // Fixes of one declaration depend on each other (a new padding changes every later shape): no fix-all.
    public override FixAllProvider? GetFixAllProvider() => null;

    public override Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            foreach (FixProperties.Fix fix in FixProperties.Decode(diagnostic.Properties))
            {
                context.RegisterCodeFix(
                    CodeAction.Create(fix.Title, ct => ApplyAsync(context.Document, fix, ct), equivalenceKey: diagnostic.Id + ": " + fix.Title),
                    diagnostic);
            }
        }
        return Task.CompletedTask;
    }

    private static async Task<Document> ApplyAsync(Document document, FixProperties.Fix fix, CancellationToken cancellationToken)
    {
        SourceText text = await document.GetTextAsync(cancellationToken).ConfigureAwait(false);
        IEnumerable<TextChange> changes = fix.Edits
            .Where(e => e.Start >= 0 && e.Length >= 0 && e.Start + e.Length <= text.Length)
            .Select(e => new TextChange(new TextSpan(e.Start, e.Length), e.Text));
        return document.WithText(text.WithChanges(changes));
    }
}
