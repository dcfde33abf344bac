namespace ConvGen.Generator.Model;

/// <summary>
/// A repair proposed by the analysis, as edits of the declaration model. It is verified by analysing the edited
/// declaration (it must remove its diagnostic and add none) before it is printed as text edits for the IDE.
/// </summary>
internal sealed record FixProposal(string Title, EquatableArray<DeclarationEdit> Edits)
{
    /// <summary>Set (or add) an argument: "Use Padding = 1".</summary>
    public static FixProposal Set(LayerDeclaration layer, string argument, ArgValue value, string? title = null) =>
        new(title ?? $"Use {argument} = {value.ToCSharp()}", EquatableArray.Create<DeclarationEdit>(new SetArgument(layer.Index, argument, value)));

    /// <summary>Replace one element of an array argument: "Use \"b2\"".</summary>
    public static FixProposal SetElement(LayerDeclaration layer, string argument, int element, ArgValue elementValue) =>
        new($"Use {elementValue.ToCSharp()}", EquatableArray.Create<DeclarationEdit>(new SetArgument(layer.Index, argument, elementValue, element)));

    /// <summary>Use another layer kind with the same arguments: "Use Conv2d".</summary>
    public static FixProposal Rename(LayerDeclaration layer, LayerKind kind) =>
        new($"Use {kind}", EquatableArray.Create<DeclarationEdit>(new RenameLayer(layer.Index, kind)));
}

internal abstract record DeclarationEdit(int Layer);

/// <summary>Sets argument <paramref name="Argument"/> of layer <paramref name="Layer"/> (or of [Network] when -1), or one element of it.</summary>
internal sealed record SetArgument(int Layer, string Argument, ArgValue Value, int Element = -1) : DeclarationEdit(Layer);

/// <summary>Changes a layer's kind, keeping its arguments (Conv1d → Conv2d).</summary>
internal sealed record RenameLayer(int Layer, LayerKind Kind) : DeclarationEdit(Layer);
