using ConvGen.Generator.Model;

namespace ConvGen.Generator.Analysis;

/// <summary>One tensor the declaration expects in the state_dict.</summary>
/// <param name="Ignored">Accepted in any dtype and shape and not used (<c>num_batches_tracked</c>), and optional.</param>
internal sealed record ExpectedTensor(string Key, EquatableArray<int> Shape, bool Ignored, int LayerIndex);

/// <summary>
/// The state_dict a declaration expects, in PyTorch's layouts: Conv [out, in/groups, k...], ConvTranspose
/// [in, out/groups, k...], Linear [out, in], BatchNorm weight/bias/running_mean/running_var [C] and
/// num_batches_tracked, PReLU weight [num_parameters], LayerNorm weight/bias [normalized_shape], LayerNorm2d
/// weight/bias [C], and a Parameter's tensor under its Name itself. Used by Load and by the compile-time check of
/// embedded weights.
/// </summary>
internal static class WeightsManifest
{
    public static int[] WeightShape(AnalyzedLayer layer)
    {
        LayerGeometry g = layer.Geometry;
        return layer.Kind switch
        {
            LayerKind.Linear => new[] { g.OutChannels, g.InChannels },
            LayerKind.Conv1d => new[] { g.OutChannels, g.InChannels / g.Groups, g.KernelW },
            LayerKind.Conv2d => new[] { g.OutChannels, g.InChannels / g.Groups, g.KernelH, g.KernelW },
            LayerKind.ConvTranspose1d => new[] { g.InChannels, g.OutChannels / g.Groups, g.KernelW },
            LayerKind.ConvTranspose2d => new[] { g.InChannels, g.OutChannels / g.Groups, g.KernelH, g.KernelW },
            _ => throw new ArgumentException($"{layer.Kind} has no weight tensor"),
        };
    }

    public static IEnumerable<ExpectedTensor> Of(AnalyzedNetwork network) => network.Layers.SelectMany(Of);

    /// <summary>The tensors of one layer, in the order above (none for a layer without learned tensors).</summary>
    public static IEnumerable<ExpectedTensor> Of(AnalyzedLayer layer)
    {
        LayerGeometry g = layer.Geometry;
        if (layer.Kind.IsConvolution() || layer.Kind == LayerKind.Linear)
        {
            yield return new ExpectedTensor(layer.Key + ".weight", WeightShape(layer).ToEquatableArray(), false, layer.Index);
            if (g.Bias) yield return new ExpectedTensor(layer.Key + ".bias", EquatableArray.Create(g.OutChannels), false, layer.Index);
        }
        else if (layer.Kind.IsBatchNorm())
        {
            EquatableArray<int> c = EquatableArray.Create(layer.InputShape[0]);
            if (g.Affine)
            {
                yield return new ExpectedTensor(layer.Key + ".weight", c, false, layer.Index);
                yield return new ExpectedTensor(layer.Key + ".bias", c, false, layer.Index);
            }
            yield return new ExpectedTensor(layer.Key + ".running_mean", c, false, layer.Index);
            yield return new ExpectedTensor(layer.Key + ".running_var", c, false, layer.Index);
            yield return new ExpectedTensor(layer.Key + ".num_batches_tracked", EquatableArray<int>.Empty, true, layer.Index);
        }
        else if (layer.Kind == LayerKind.PReLU)
            yield return new ExpectedTensor(layer.Key + ".weight", g.LearnedShape, false, layer.Index);
        else if (layer.Kind is LayerKind.LayerNorm or LayerKind.LayerNorm2d && g.Affine)
        {
            yield return new ExpectedTensor(layer.Key + ".weight", g.LearnedShape, false, layer.Index);
            if (g.Bias) yield return new ExpectedTensor(layer.Key + ".bias", g.LearnedShape, false, layer.Index);
        }
        else if (layer.Kind == LayerKind.Parameter)
            yield return new ExpectedTensor(layer.Key, g.LearnedShape, false, layer.Index);
    }

    /// <summary>
    /// The layer's tensor named <paramref name="name"/> (<c>weight</c>, <c>bias</c>, <c>running_mean</c>, ...; empty for
    /// a Parameter, whose key is its name), or null when the layer has none (no bias, a BatchNorm without affine).
    /// </summary>
    public static ExpectedTensor? Find(AnalyzedLayer layer, string name)
    {
        string key = name.Length == 0 ? layer.Key : layer.Key + "." + name;
        return Of(layer).FirstOrDefault(t => t.Key == key);
    }
}
