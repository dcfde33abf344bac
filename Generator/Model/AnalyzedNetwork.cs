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
    /// <summary>
    /// Add/Multiply with a number (<c>x + Scalar</c>, <c>x * Scalar</c>), Subtract with a number first (<c>Scalar - x</c>,
    /// <see cref="ScalarFirst"/>); null when every operand is a tensor.
    /// </summary>
    public double? Scalar { get; init; }
    public bool ScalarFirst { get; init; }
    /// <summary>Chunk/Split: the piece kept is [Start, Start + Length) along the dimension viewed as [Outer, Axis, Inner].</summary>
    public int Start { get; init; }
    public int Length { get; init; }
    /// <summary>Permute: the new order of the dimensions, without the batch (0 is the first dimension after it).</summary>
    public EquatableArray<int> Dims { get; init; } = EquatableArray<int>.Empty;
    /// <summary>
    /// The shape of a layer's own learned tensor where it is not a convolution's: PReLU's weight [num_parameters],
    /// LayerNorm's normalized_shape (weight and bias), a Parameter's tensor.
    /// </summary>
    public EquatableArray<int> LearnedShape { get; init; } = EquatableArray<int>.Empty;
    /// <summary>MaxPool2d: also produces the flat index of each maximum within its input plane, for a MaxUnpool2d.</summary>
    public bool ReturnIndices { get; init; }
}

/// <summary>A layer after shape inference: where it reads from, what it produces, what it costs.</summary>
/// <param name="Inputs">
/// Layer indices of the tensors it reads, in order; -1 is the network input. A MaxUnpool2d reads its values, then the
/// MaxPool2d whose indices it uses; a Parameter reads nothing.
/// </param>
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
