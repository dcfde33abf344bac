namespace ConvGen.Generator.Model;

/// <summary>A tensor shape without the batch dimension, channels first: [C, H, W], [C, L] or [F].</summary>
internal readonly record struct Shape(EquatableArray<int> Dims)
{
    public static Shape Of(params int[] dims) => new(dims.ToEquatableArray());
    public int Rank => Dims.Count;
    public int this[int i] => Dims[i];
    public int Channels => Dims[0];
    /// <summary>The product of the dimensions; <see cref="CheckedSize.Saturated"/> past <c>long</c> (analysis keeps every tensor far below).</summary>
    public long Elements
    {
        get
        {
            long n = 1;
            foreach (int d in Dims) n = CheckedSize.Multiply(n, d);
            return n;
        }
    }

    /// <summary>Spatial size (everything after the channels): H*W or L.</summary>
    public int Spatial => Rank <= 1 ? 1 : (int)(Elements / Dims[0]);

    /// <summary><c>6×28×28</c>.</summary>
    public override string ToString() => Rank == 0 ? "scalar" : string.Join("×", Dims);

    /// <summary><c>new int[] { 6, 28, 28 }</c> in C#.</summary>
    public string ToCSharpArray() => "new int[] { " + string.Join(", ", Dims) + " }";
}
