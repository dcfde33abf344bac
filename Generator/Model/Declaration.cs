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

/// <summary>A type that contains the network class, as the generated partial must repeat it.</summary>
internal sealed record ContainingType(string Keyword, string NameWithTypeParameters);

/// <summary>Where the generated partial goes.</summary>
internal sealed record NetworkType(string? Namespace, string Name, string Keyword, EquatableArray<ContainingType> ContainingTypes)
{
    public string FullName => (Namespace is null ? "" : Namespace + ".") + string.Concat(ContainingTypes.Select(t => t.NameWithTypeParameters + ".")) + Name;
}

/// <summary>What the parser read from one <c>[Network]</c> class: plain data, no Roslyn objects.</summary>
internal sealed record NetworkDeclaration(
    NetworkType Type,
    EquatableArray<int> InputShape,
    SourceSpan NetworkSpan,
    string? WeightsFile,
    SourceSpan WeightsSpan,
    EquatableArray<LayerDeclaration> Layers);
