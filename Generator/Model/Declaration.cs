namespace ConvGen.Generator.Model;

/// <summary>One layer attribute as written: kind, position, arguments with their spans.</summary>
/// <param name="Index">0-based position among all layers, the <c>nn.Sequential</c> index that keys its weights.</param>
/// <param name="Text">The attribute as written, whitespace normalised, for comments and the hover table.</param>
/// <param name="Span">The whole attribute, for diagnostics about the layer rather than one argument.</param>
/// <param name="NameSpan">The attribute's name (<c>Conv2d</c>).</param>
internal sealed record LayerDeclaration(LayerKind Kind, int Index, string Text, EquatableArray<Argument> Arguments, SourceSpan Span, SourceSpan NameSpan)
{
    /// <summary>The <c>torch.nn</c> name of the layer (<c>Conv2d</c>, <c>LeakyReLU</c>): the kind's name, or for an activation its catalog name.</summary>
    public string TypeName { get; init; } = Kind.ToString();

    /// <summary>The layer-kind part of the attribute's name (<c>Conv1d</c> in <c>ConvGen.Conv1dAttribute</c>), what a rename replaces.</summary>
    public SourceSpan KindSpan { get; init; } = NameSpan;

    /// <summary>Where a fix adds a named argument that is not written yet, and the text around it.</summary>
    public ArgumentInsertion Insertion { get; init; } = ArgumentInsertion.None;

    public Argument? Find(string name)
    {
        foreach (Argument a in Arguments)
            if (a.Name == name) return a;
        return null;
    }

    public string? Name => Find("Name")?.Value.Text;
    public string? From => Find("From")?.Value.Text;

    /// <summary>How messages refer to the layer: <c>Conv2d 'conv3'</c> or <c>Conv2d #3</c>.</summary>
    public string DisplayName => Name is { } n ? $"{TypeName} '{n}'" : $"{TypeName} #{Index}";

    /// <summary>The prefix of this layer's state_dict keys.</summary>
    public string Key => Name ?? Index.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// Where a new named argument goes: after the last argument (<c>, Stride = 1</c>), inside empty parentheses, or after the
/// attribute's name with parentheses of its own (<c>(Dim = 1)</c>).
/// </summary>
internal readonly record struct ArgumentInsertion(int Position, string Prefix, string Suffix)
{
    public static ArgumentInsertion None => new(-1, "", "");
    public bool IsNone => Position < 0;
}

/// <summary>A type that contains the network class, as the generated partial must repeat it.</summary>
internal sealed record ContainingType(string Keyword, string NameWithTypeParameters);

/// <summary>Which parts of an XML doc comment the user wrote on the type (on any of its partial declarations).</summary>
internal readonly record struct UserDocumentation(bool Summary, bool Remarks);

/// <summary>Where the generated partial goes.</summary>
internal sealed record NetworkType(string? Namespace, string Name, string Keyword, EquatableArray<ContainingType> ContainingTypes)
{
    /// <summary>What the user documented on the type: the generated comment leaves those parts to them (see Emitter.Documentation).</summary>
    public UserDocumentation Documentation { get; init; }

    public string FullName => (Namespace is null ? "" : Namespace + ".") + string.Concat(ContainingTypes.Select(t => t.NameWithTypeParameters + ".")) + Name;
}

/// <summary>What the parser read from one <c>[Network]</c> class: plain data, no Roslyn objects.</summary>
internal sealed record NetworkDeclaration(
    NetworkType Type,
    EquatableArray<int> InputShape,
    SourceSpan NetworkSpan,
    string? WeightsFile,
    SourceSpan WeightsSpan,
    EquatableArray<LayerDeclaration> Layers)
{
    /// <summary>Each input dimension's expression in <c>[Network(C, H, W)]</c>.</summary>
    public EquatableArray<SourceSpan> InputShapeSpans { get; init; } = EquatableArray<SourceSpan>.Empty;

    /// <summary>The attribute's name, <c>Network</c>.</summary>
    public SourceSpan NetworkNameSpan { get; init; } = NetworkSpan;

    public SourceSpan InputDimensionSpan(int index) => index < InputShapeSpans.Count ? InputShapeSpans[index] : NetworkSpan;
}
