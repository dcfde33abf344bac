namespace ConvGen.Generator.Model;

/// <summary>Every layer of the contract's table, named as in <c>torch.nn</c>.</summary>
internal enum LayerKind
{
    Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d,
    MaxPool1d, MaxPool2d, AvgPool1d, AvgPool2d,
    AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveMaxPool1d, AdaptiveMaxPool2d,
    BatchNorm1d, BatchNorm2d,
    /// <summary>An element-wise activation of <see cref="ActivationCatalog"/> (ReLU, GELU, ...): which one is the layer's type name.</summary>
    Activation,
    Softmax, LogSoftmax,
    Flatten, Linear, Dropout, Identity,
    ZeroPad2d, ReflectionPad2d, ReplicationPad2d, Upsample, ChannelShuffle,
    Add, Concat, Multiply,
    // Added in 2026-12 (contract section 2, last row).
    PReLU,
    Subtract, Parameter,
    MaxUnpool2d,
    Chunk, Split, Permute, StochasticDepth, Unflatten,
    LayerNorm, LayerNorm2d,
}

internal static class LayerKinds
{
    /// <summary>
    /// Maps an attribute class's metadata name (<c>Conv2dAttribute</c>) to its layer kind and type name (the
    /// <c>torch.nn</c> name, <c>Conv2d</c>); every activation of <see cref="ActivationCatalog"/> is <see cref="LayerKind.Activation"/>.
    /// </summary>
    public static bool TryFromAttributeClass(string className, out LayerKind kind, out string typeName)
    {
        const string suffix = "Attribute";
        typeName = className.EndsWith(suffix, StringComparison.Ordinal) ? className.Substring(0, className.Length - suffix.Length) : className;
        if (ActivationCatalog.TryGet(typeName, out _))
        {
            kind = LayerKind.Activation;
            return true;
        }
        return Enum.TryParse(typeName, ignoreCase: false, out kind) && Enum.IsDefined(typeof(LayerKind), kind) && kind != LayerKind.Activation;
    }

    /// <summary>Spatial dimensions the layer works on: 1 for the *1d layers, 2 for the *2d ones, 0 for any.</summary>
    public static int SpatialRank(this LayerKind kind) => kind switch
    {
        LayerKind.Conv1d or LayerKind.ConvTranspose1d or LayerKind.MaxPool1d or LayerKind.AvgPool1d
            or LayerKind.AdaptiveAvgPool1d or LayerKind.AdaptiveMaxPool1d or LayerKind.BatchNorm1d => 1,
        LayerKind.Conv2d or LayerKind.ConvTranspose2d or LayerKind.MaxPool2d or LayerKind.AvgPool2d
            or LayerKind.AdaptiveAvgPool2d or LayerKind.AdaptiveMaxPool2d or LayerKind.BatchNorm2d
            or LayerKind.ZeroPad2d or LayerKind.ReflectionPad2d or LayerKind.ReplicationPad2d
            or LayerKind.MaxUnpool2d or LayerKind.LayerNorm2d => 2,
        _ => 0,
    };

    public static bool IsConvolution(this LayerKind kind) => kind is LayerKind.Conv1d or LayerKind.Conv2d or LayerKind.ConvTranspose1d or LayerKind.ConvTranspose2d;
    public static bool IsTransposed(this LayerKind kind) => kind is LayerKind.ConvTranspose1d or LayerKind.ConvTranspose2d;
    public static bool IsMaxOrAvgPool(this LayerKind kind) => kind is LayerKind.MaxPool1d or LayerKind.MaxPool2d or LayerKind.AvgPool1d or LayerKind.AvgPool2d;
    public static bool IsMaxPool(this LayerKind kind) => kind is LayerKind.MaxPool1d or LayerKind.MaxPool2d;
    public static bool IsAdaptivePool(this LayerKind kind) => kind is LayerKind.AdaptiveAvgPool1d or LayerKind.AdaptiveAvgPool2d or LayerKind.AdaptiveMaxPool1d or LayerKind.AdaptiveMaxPool2d;
    public static bool IsBatchNorm(this LayerKind kind) => kind is LayerKind.BatchNorm1d or LayerKind.BatchNorm2d;
    public static bool IsMerge(this LayerKind kind) => kind is LayerKind.Add or LayerKind.Concat or LayerKind.Multiply or LayerKind.Subtract;

    /// <summary>Element-wise arithmetic on broadcast operands (Add, Subtract, Multiply): the only layers that may read a Parameter.</summary>
    public static bool IsArithmetic(this LayerKind kind) => kind is LayerKind.Add or LayerKind.Multiply or LayerKind.Subtract;

    /// <summary>One piece of a tensor along one dimension (torch.chunk, torch.split).</summary>
    public static bool IsSlice(this LayerKind kind) => kind is LayerKind.Chunk or LayerKind.Split;
    public static bool IsPad(this LayerKind kind) => kind is LayerKind.ZeroPad2d or LayerKind.ReflectionPad2d or LayerKind.ReplicationPad2d;

    /// <summary>Layers that only relabel their input (nothing to compute at inference).</summary>
    public static bool IsNoOp(this LayerKind kind) => kind is LayerKind.Flatten or LayerKind.Unflatten or LayerKind.Dropout or LayerKind.Identity
        or LayerKind.StochasticDepth;
}
