using System;

namespace ConvGen
{
    /// <summary>
    /// Marks a <c>partial</c> class as a network compiled by ConvGen. The arguments are the input shape,
    /// channels first and without the batch dimension: <c>[Network(C, L)]</c> for a 1-D input,
    /// <c>[Network(C, H, W)]</c> for a 2-D one. The layers follow as attributes, in forward order.
    /// </summary>
    /// <example>
    /// <code>
    /// [Network(1, 28, 28)]
    /// [Conv2d(6, 5, Padding = 2), ReLU, MaxPool2d(2)]
    /// [Conv2d(16, 5), ReLU, MaxPool2d(2)]
    /// [Flatten, Linear(120), ReLU, Linear(84), ReLU, Linear(10)]
    /// public partial class LeNet5;
    /// </code>
    /// </example>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
    public sealed class NetworkAttribute : Attribute
    {
        /// <param name="inputShape">The input shape, channels first: (C, L) or (C, H, W).</param>
        public NetworkAttribute(params int[] inputShape) => InputShape = inputShape;

        /// <summary>The input shape, channels first, without the batch dimension.</summary>
        public int[] InputShape { get; }

        /// <summary>
        /// A safetensors file, listed in the project as <c>AdditionalFiles</c>, whose weights are embedded at
        /// compile time; the class then gets a parameterless <c>Load()</c>.
        /// </summary>
        public string? Weights { get; set; }
    }

    /// <summary>
    /// The common properties of every layer attribute: how the layer is named and what it reads (contract section 3).
    /// </summary>
    public abstract class LayerAttribute : Attribute
    {
        /// <summary>
        /// Names this layer's output so that later layers can read it (<see cref="From"/>, <c>Add</c>, <c>Concat</c>,
        /// <c>Multiply</c>). A named layer's weights are keyed <c>name.weight</c>, <c>name.bias</c>, ...; an unnamed
        /// one is keyed by its 0-based position among all layers, as in <c>nn.Sequential</c>.
        /// </summary>
        public string? Name { get; set; }

        /// <summary>Makes this layer read the output named here instead of the previous layer's; <c>"input"</c> is the network input.</summary>
        public string? From { get; set; }
    }
}
