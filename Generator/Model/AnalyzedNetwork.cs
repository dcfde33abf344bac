namespace ConvGen.Generator.Model;

/// <summary>
/// A layer's hyper-parameters resolved to numbers: defaults applied, tuples split per axis (1-D layers use the
/// W fields with H = 1), "same"/"valid" turned into explicit padding. Fields that do not apply stay at their default.
/// </summary>
internal sealed record LayerGeometry
{
    public int InChannels { get; init; }
    public int OutChannels { get; init; }
    public int KernelH { get; init; } = 1;
    public int KernelW { get; init; } = 1;
    public int StrideH { get; init; } = 1;
    public int StrideW { get; init; } = 1;
    public int PadTop { get; init; }
    public int PadBottom { get; init; }
    public int PadLeft { get; init; }
    public int PadRight { get; init; }
    public int DilationH { get; init; } = 1;
    public int DilationW { get; init; } = 1;
    public int OutputPaddingH { get; init; }
    public int OutputPaddingW { get; init; }
    public int Groups { get; init; } = 1;
    public bool Bias { get; init; }
    /// <summary>zeros, reflect, replicate or circular.</summary>
    public string PaddingMode { get; init; } = "zeros";
    public bool CeilMode { get; init; }
    public bool CountIncludePad { get; init; } = true;
    public int DivisorOverride { get; init; }
    public double Eps { get; init; }
    public bool Affine { get; init; } = true;
    /// <summary>An activation layer's operator and arguments, resolved from <see cref="ActivationCatalog"/>.</summary>
    public ActivationUse? Activation { get; init; }
    /// <summary>Upsample: "nearest" or "bilinear".</summary>
    public string Mode { get; init; } = "";
    public bool AlignCorners { get; init; }
    /// <summary>Softmax and Linear: the tensor viewed as [Outer, Axis, Inner] around the dimension they work on.</summary>
    public int Outer { get; init; } = 1;
    public int Axis { get; init; } = 1;
    public int Inner { get; init; } = 1;
    /// <summary>Upsample scale per axis when given as a factor (PyTorch uses 1/scale for the source index then), else 0.</summary>
    public double ScaleH { get; init; }
    public double ScaleW { get; init; }
}

/// <summary>A layer after shape inference: where it reads from, what it produces, what it costs.</summary>
/// <param name="Inputs">Layer indices of the tensors it reads, in order; -1 is the network input.</param>
/// <param name="ReceptiveField">Per spatial axis, in input pixels ("5×5", "5"), or "all" once spatial structure is gone.</param>
internal sealed record AnalyzedLayer(
    int Index,
    LayerKind Kind,
    string Text,
    string? Name,
    string Key,
    EquatableArray<int> Inputs,
    Shape InputShape,
    Shape OutputShape,
    long Parameters,
    long MultiplyAccumulates,
    string ReceptiveField,
    LayerGeometry Geometry)
{
    /// <summary>The <c>torch.nn</c> name: the kind's, or for an activation its catalog name (<c>LeakyReLU</c>).</summary>
    public string TypeName => Geometry.Activation?.Name ?? Kind.ToString();
}

/// <summary>The validated network: every shape known. The generator only emits code for one without errors.</summary>
internal sealed record AnalyzedNetwork(
    NetworkType Type,
    Shape InputShape,
    Shape OutputShape,
    EquatableArray<AnalyzedLayer> Layers,
    long Parameters,
    long MultiplyAccumulates)
{
    /// <summary>Weights embedded at compile time ([Network(..., Weights = "file")]), checked against the declaration.</summary>
    public EmbeddedWeights? Embedded { get; init; }

    /// <summary>-1 for the network input, otherwise the layer index whose output is the network output.</summary>
    public int OutputLayer => Layers.Count == 0 ? -1 : Layers[Layers.Count - 1].Index;
}
