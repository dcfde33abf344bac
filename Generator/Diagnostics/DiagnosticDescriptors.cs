using Microsoft.CodeAnalysis;

namespace ConvGen.Generator.Diagnostics;

/// <summary>
/// Every diagnostic ConvGen reports (contract section 6), one rule per condition, each with its message format and
/// typed arguments. Ids are written once, in <see cref="Ids"/>; several conditions share an id (the contract's id is a
/// family: CG0004 is any channel or shape mismatch). Each message states the fault with its numbers and, where there is
/// one, the repair; where the repair is a value, the analysis also proposes it as a code fix.
/// </summary>
internal static class DiagnosticDescriptors
{

    /// <summary>Help links point at the README section of the id (<c>### CG0002</c>, anchor <c>#cg0002</c>).</summary>
    public const string HelpLinkBase = "README.md#";

    private const string Category = "ConvGen";

    private static string HelpLink(string id) => HelpLinkBase + id.ToLowerInvariant();

    // The families: one descriptor per id (what release tracking and #pragma see); each rule below adds its message format.
    private static readonly DiagnosticDescriptor EmptyOutputFamily = new(DiagnosticIds.EmptyOutput, "Layer output would be empty", "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticIds.EmptyOutput));
    private static readonly DiagnosticDescriptor UnreadInputFamily = new(DiagnosticIds.UnreadInput, "Stride leaves input rows or columns unread", "{0}", Category, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticIds.UnreadInput));
    private static readonly DiagnosticDescriptor InvalidPaddingFamily = new(DiagnosticIds.InvalidPadding, "Invalid padding", "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticIds.InvalidPadding));
    private static readonly DiagnosticDescriptor ShapeMismatchFamily = new(DiagnosticIds.ShapeMismatch, "Channel or shape mismatch", "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticIds.ShapeMismatch));
    private static readonly DiagnosticDescriptor CheckerboardFamily = new(DiagnosticIds.Checkerboard, "Transposed convolution kernel not divisible by its stride", "{0}", Category, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticIds.Checkerboard));
    private static readonly DiagnosticDescriptor OutputPaddingFamily = new(DiagnosticIds.OutputPadding, "Output padding too large", "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticIds.OutputPadding));
    private static readonly DiagnosticDescriptor OutOfRangeFamily = new(DiagnosticIds.OutOfRange, "Value out of range", "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticIds.OutOfRange));
    private static readonly DiagnosticDescriptor InvalidNetworkTypeFamily = new(DiagnosticIds.InvalidNetworkType, "Network class cannot be generated", "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticIds.InvalidNetworkType));
    private static readonly DiagnosticDescriptor UnknownNameFamily = new(DiagnosticIds.UnknownName, "Unknown or duplicate layer name", "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticIds.UnknownName));
    private static readonly DiagnosticDescriptor InvalidStructureFamily = new(DiagnosticIds.InvalidStructure, "Network without input or layers, or layer of the wrong dimensionality", "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticIds.InvalidStructure));
    private static readonly DiagnosticDescriptor WeightsFileFamily = new(DiagnosticIds.WeightsFile, "Embedded weights file missing or not matching the declaration", "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticIds.WeightsFile));
    private static readonly DiagnosticDescriptor NotSupportedFamily = new(DiagnosticIds.NotSupported, "Not supported by this version of ConvGen", "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticIds.NotSupported));
    private static readonly DiagnosticDescriptor BeyondLimitsFamily = new(DiagnosticIds.BeyondLimits, "Network beyond the sizes this version of ConvGen supports", "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticIds.BeyondLimits));

    // CG0001: the output would be empty.
    public static readonly DiagnosticRule<string, string, string, long, string, string, string> KernelLargerThanInput = new(EmptyOutputFamily,
        "{0}: the {1} kernel{2} spans {3} {4}, but the padded input has only {5}; the output would be empty. {6}");
    public static readonly DiagnosticRule<string, string, string, string, string> TransposedPaddingTooLarge = new(EmptyOutputFamily,
        "{0}: padding {1} removes more than the {2} the layer produces from its {3} input; the output would be empty. Use Padding = {4} at most");
    public static readonly DiagnosticRule<string, string, string, string> UpsampleEmpty = new(EmptyOutputFamily,
        "{0}: scale_factor {1} turns the {2} input into an empty output; use a scale factor of at least {3}");
    public static readonly DiagnosticRule<string, string, int> SlicePieceEmpty = new(EmptyOutputFamily,
        "{0}: {1}; piece {2} is empty. Use the Index of a piece that holds values, or make that section at least 1");
    public static readonly DiagnosticRule<string, int, int, long, long, int, int> UnpoolPaddingTooLarge = new(EmptyOutputFamily,
        "{0}: padding ({1}, {2}) removes more than the {3}×{4} the unpooling produces from the {5}×{6} input ((in - 1) * stride + kernel_size); the output would be empty. Use less padding");

    // CG0002: the stride leaves the end of the input unread.
    public static readonly DiagnosticRule<string, string, string, string, string> UnreadInput = new(UnreadInputFamily,
        "{0}: stride {1} leaves the last {2} of the {3} input unread; {4} would use all of it");

    // CG0003: invalid padding.
    public static readonly DiagnosticRule<string, string, string> NegativePadding = new(InvalidPaddingFamily,
        "{0}: {1} must be at least 0 on every axis; got {2}. Use 0 for no padding");
    public static readonly DiagnosticRule<string, string, string, string> SamePaddingWithStride = new(InvalidPaddingFamily,
        "{0}: padding \"same\" needs stride 1, as in PyTorch; this layer has stride {1}. Write the padding out instead: Padding = {2} keeps a {3} kernel centred");
    public static readonly DiagnosticRule<string, string, long, string, int, int> PaddingModeTooLarge = new(InvalidPaddingFamily,
        "{0}: {1} padding {2} must be {3} the input size {4} along that axis; use padding {5} at most, or PaddingMode = \"replicate\"");
    public static readonly DiagnosticRule<string, string, string, string> PoolPaddingTooLarge = new(InvalidPaddingFamily,
        "{0}: padding {1} is more than half the {2} window; PyTorch allows at most {3}. Use Padding = {3}, or a larger kernel");
    public static readonly DiagnosticRule<string, string> PadLayerNegative = new(InvalidPaddingFamily,
        "{0}: padding ({1}) is negative; ConvGen does not crop with padding: use values of 0 or more");
    public static readonly DiagnosticRule<string, string, string, int> ReflectionPadTooLarge = new(InvalidPaddingFamily,
        "{0}: reflect padding ({1}) must be smaller than the {2} input on each side; use at most {3}, or ReplicationPad2d");

    // CG0004: channel or shape mismatch.
    public static readonly DiagnosticRule<string, string, int, string, int, string> DeclaredSizeMismatch = new(ShapeMismatchFamily,
        "{0}: {1} is {2}, but the input {3} has {4} {5}; write {4}, or drop the argument to have it inferred");
    public static readonly DiagnosticRule<string, int, string, int, long> LinearInputNotFlat = new(ShapeMismatchFamily,
        "{0}: in_features is {1}, but the input {2} is not flat: Linear works on its last dimension ({3}); put Flatten before it to use all {4} values, or write {3}");
    public static readonly DiagnosticRule<string, int, string, int, int, string> GroupsDoNotDivide = new(ShapeMismatchFamily,
        "{0}: groups {1} does not divide {2}; groups must divide both {3} and {4}: use one of {5}");
    public static readonly DiagnosticRule<string, int, int, string, string> ShuffleGroupsDoNotDivide = new(ShapeMismatchFamily,
        "{0}: groups {1} does not divide the {2} channels of the {3} input; use one of {4}");
    public static readonly DiagnosticRule<string, string, string, string> ConcatSizeMismatch = new(ShapeMismatchFamily,
        "{0}: {1} is {2}, but Concat joins along the channels, so every other size must match the other inputs' {3}; bring that branch to {3} (stride, pooling, padding or Upsample)");
    public static readonly DiagnosticRule<string, string, long, string, int> SectionsDoNotAddUp = new(ShapeMismatchFamily,
        "{0}: the sections {1} add up to {2}, but {3} has {4}; make them add up to {4}");
    public static readonly DiagnosticRule<string, string, string, long, int, string, int> UnflattenSizeMismatch = new(ShapeMismatchFamily,
        "{0}: unflattened_size {1} holds {2}{3} values, but dimension {4} of the input {5} has {6}; give sizes whose product is {6}");
    public static readonly DiagnosticRule<string, string, string> RanksDiffer = new(ShapeMismatchFamily,
        "{0}: {1} and {2} have different ranks; with the batch dimension in front PyTorch would line the batch of one up with a dimension of the other. " +
        "Give both the same rank, e.g. keep C×1×1 from AdaptiveAvgPool2d(1) rather than flattening it to C");
    public static readonly DiagnosticRule<string, string, string, string, int> LearnedTensorDoesNotBroadcast = new(ShapeMismatchFamily,
        "{0}: the learned tensor {1} {2} {3}; it does not broadcast over a batch as PyTorch needs. Declare it with at most {4} dimensions (or a first dimension of 1)");
    public static readonly DiagnosticRule<string, string, string, int, int, int> ShapesDoNotBroadcast = new(ShapeMismatchFamily,
        "{0}: {1} and {2} do not broadcast: aligned from the last dimension, dimension {3} has {4} and {5}, and PyTorch needs equal sizes or 1. " +
        "Make dimension {3} of one operand {4} or 1 (a gate or scale has one value per channel: C×1×1)");
    public static readonly DiagnosticRule<string, string, int, string, string, string, string, string> NormalizedShapeMismatch = new(ShapeMismatchFamily,
        "{0}: normalized_shape [{1}] must equal the last {2} {3} of the input {4}, which {5} [{6}]; {7}");
    public static readonly DiagnosticRule<string, int, string, int, string> PReLUParametersMismatch = new(ShapeMismatchFamily,
        "{0}: num_parameters is {1}, but the input {2} has {3} {4}; use 1 (one slope shared) or {3} (one per channel)");
    public static readonly DiagnosticRule<string, string, string, string> UnpoolInputMismatch = new(ShapeMismatchFamily,
        "{0}: its input is {1}, but the indices of {2} have that pool's output shape {3}; PyTorch needs the two equal. Give it a tensor of shape {3}");
    public static readonly DiagnosticRule<string, string, string, long, string, string, long, string> UnpoolIndicesBeyondOutput = new(ShapeMismatchFamily,
        "{0}: the indices of {1} address its {2} input, up to position {3} ({4}); the {5} output has positions 0 to {6}, so PyTorch would fail at run time on some inputs. {7}");
    public static readonly DiagnosticRule<string, string, string> IndicesFromNonPool = new(ShapeMismatchFamily,
        "{0} takes its indices from {1}, which produces none; {2}");

    // CG0005, CG0006: transposed convolutions.
    public static readonly DiagnosticRule<string, string, string, string> Checkerboard = new(CheckerboardFamily,
        "{0}: kernel {1} is not divisible by stride {2}, so output pixels get uneven numbers of contributions (checkerboard artifacts); use {3}, or upsample then convolve");
    public static readonly DiagnosticRule<string, string, string, string, string> OutputPaddingTooLarge = new(OutputPaddingFamily,
        "{0}: output_padding {1} must be smaller than the stride {2} or the dilation {3} (PyTorch's rule); use OutputPadding = {4} at most");

    // CG0007: a value out of range or of the wrong type.
    public static readonly DiagnosticRule<string, string, string> NotAnInteger = new(OutOfRangeFamily,
        "{0}: {1} must be an integer; got {2}. Write a whole number");
    public static readonly DiagnosticRule<string, string, int, string, string> IntegerTooSmall = new(OutOfRangeFamily,
        "{0}: {1} must be at least {2}; got {3}. {4}");
    public static readonly DiagnosticRule<string, string, string, string> NotANumber = new(OutOfRangeFamily,
        "{0}: {1} must be a number; got {2}. Write e.g. {3}");
    public static readonly DiagnosticRule<string, string, string, string, string> NumberOutOfRange = new(OutOfRangeFamily,
        "{0}: {1} must be {2}; got {3}. Use a value in that range (PyTorch's default is {4})");
    public static readonly DiagnosticRule<string, string, string, string> UnknownChoice = new(OutOfRangeFamily,
        "{0}: unknown {1} {2}; use one of {3}");
    public static readonly DiagnosticRule<string, string, string, string, string> TupleShape = new(OutOfRangeFamily,
        "{0}: {1} must be {2}; got {3}. Write e.g. {4}");
    public static readonly DiagnosticRule<string, string, int, string, string> TupleTooSmall = new(OutOfRangeFamily,
        "{0}: {1} must be at least {2} on every axis; got {3}. {4}");
    public static readonly DiagnosticRule<string, int, int, string> InputDimensionTooSmall = new(OutOfRangeFamily,
        "Network '{0}': input dimension {1} is {2}, but every dimension of the input shape ({3}) must be at least 1; write the size of the PyTorch input along that axis");
    public static readonly DiagnosticRule<string, string> InvalidLayerName = new(OutOfRangeFamily,
        "{0}: Name \"{1}\" cannot be a state_dict key prefix; use a non-empty name that does not start or end with '.'");
    public static readonly DiagnosticRule<string, string, int, string, string> DimensionOutOfRange = new(OutOfRangeFamily,
        "{0}: {1} {2} {3}; dimensions count the batch as PyTorch does, so use {4}");
    public static readonly DiagnosticRule<string, int, int> FlattenEndBeforeStart = new(OutOfRangeFamily,
        "{0}: end_dim {1} comes before start_dim {2}; use EndDim = -1 to flatten to the end");
    public static readonly DiagnosticRule<string, string> PadLayerShape = new(OutOfRangeFamily,
        "{0}: padding must be an int or an int[] of 4 values (left, right, top, bottom), as in PyTorch; got {1}. Write e.g. new[] {{ 1, 1, 0, 0 }}");
    public static readonly DiagnosticRule<string, string> UpsampleSizeOrScale = new(OutOfRangeFamily,
        "{0}: {1}; give exactly one of Size or ScaleFactor, as in PyTorch, e.g. Upsample(ScaleFactor = 2)");
    public static readonly DiagnosticRule<string, string, string> MissingArgument = new(OutOfRangeFamily,
        "{0}: {1} is required, as in PyTorch; write e.g. {2}");
    public static readonly DiagnosticRule<string, int, int> ConcatDimension = new(OutOfRangeFamily,
        "{0}: dim {1} is not the channels; Concat joins along the channels, so use Dim = 1 (or {2}), or leave it out");
    public static readonly DiagnosticRule<string, int, string> ScaleFactorInvalid = new(OutOfRangeFamily,
        "{0}: scale_factor must be a positive finite number or {1} of them; got {2}. Write e.g. ScaleFactor = 2");
    public static readonly DiagnosticRule<string, string, string> NumberIsNaN = new(OutOfRangeFamily,
        "{0}: {1} must be a number; got NaN. Write e.g. {2}");
    public static readonly DiagnosticRule<string, string, string> NumberNotFinite = new(OutOfRangeFamily,
        "{0}: {1} must be a finite number; got {2}. Use a finite value");
    /// <summary>A rule across an activation's arguments (Hardtanh's min_val &lt; max_val): the activation catalog states the fault and the fix.</summary>
    public static readonly DiagnosticRule<string, string> ActivationArgumentsConflict = new(OutOfRangeFamily,
        "{0}: {1}");
    public static readonly DiagnosticRule<string, string> SplitSizeInvalid = new(OutOfRangeFamily,
        "{0}: split_size_or_sections must be a piece size of at least 1 or an int[] of sizes of at least 0; got {1}. Use a piece size, or sizes that add up to the dimension");
    public static readonly DiagnosticRule<string, string, int, int, int> SliceIndexOutOfRange = new(OutOfRangeFamily,
        "{0}: {1}; index {2} is out of range: use 0 to {3} (or -{4} to -1 from the end)");
    public static readonly DiagnosticRule<string, string, int, string, string> PermuteDimsCount = new(OutOfRangeFamily,
        "{0}: dims {1} must have one entry per dimension of the input, batch included: {2} for (batch, {3}); write {2} of them{4}");
    public static readonly DiagnosticRule<string, string, int, string> PermuteDimsNotAPermutation = new(OutOfRangeFamily,
        "{0}: dims {1} must name each of the dimensions 0 to {2} exactly once (negative counts from the end); write each once{3}");
    public static readonly DiagnosticRule<string, string> PermuteMovesBatch = new(OutOfRangeFamily,
        "{0}: dims {1} moves the batch dimension 0; ConvGen runs one sample at a time, so the batch must stay first: write 0 as the first dim");
    public static readonly DiagnosticRule<string, string> UnflattenSizesInvalid = new(OutOfRangeFamily,
        "{0}: unflattened_size must be sizes of at least 1 (one of them may be -1, inferred); got {1}. Use sizes whose product is the dimension's size");
    public static readonly DiagnosticRule<string, string> ParameterShapeInvalid = new(OutOfRangeFamily,
        "{0}: the shape must be sizes of at least 1, as the tensor has in the state_dict (e.g. Parameter(96, 1, 1)); got {1}. Write the sizes of the tensor in the state_dict");
    public static readonly DiagnosticRule<string> ParameterWithFrom = new(OutOfRangeFamily,
        "{0} is a learned tensor and reads no input; remove From, and name the Parameter in the Add, Subtract or Multiply that uses it");
    public static readonly DiagnosticRule<string, int, string> NormalizedShapeInvalid = new(OutOfRangeFamily,
        "{0}: normalized_shape must list the sizes (at least 1) of the last dimension(s) to normalise; got {2}. Write e.g. LayerNorm({1})");
    public static readonly DiagnosticRule<string, string, string, long, long, long, long> UnpoolOutputSizeOutOfRange = new(OutOfRangeFamily,
        "{0}: output_size {1} is not within a stride of the default {2} ((in - 1) * stride - 2 * padding + kernel_size); use {3} to {4} rows and {5} to {6} columns (what PyTorch accepts), or leave OutputSize out");

    // CG0008: the class cannot be generated into.
    public static readonly DiagnosticRule<string, string> NetworkNotPartial = new(InvalidNetworkTypeFamily,
        "Network {1} '{0}' must be partial so that ConvGen can add Load and Run to it; write 'partial {1} {0}'");
    public static readonly DiagnosticRule<string> NetworkGeneric = new(InvalidNetworkTypeFamily,
        "Network class '{0}' cannot be generic: its shapes are fixed at compile time; remove the type parameters");
    public static readonly DiagnosticRule<string> NetworkStatic = new(InvalidNetworkTypeFamily,
        "Network class '{0}' cannot be static: Load returns an instance; remove 'static'");
    public static readonly DiagnosticRule<string, string> NetworkNestedInNonPartial = new(InvalidNetworkTypeFamily,
        "Network class '{0}' is nested in '{1}', which is not partial; make '{1}' partial too");

    // CG0009: names.
    public static readonly DiagnosticRule<string, string, string> UnknownLayerName = new(UnknownNameFamily,
        "{0} reads '{1}', but no layer before it has Name = \"{1}\"; use one of the outputs known here: {2}");
    public static readonly DiagnosticRule<string, string, int> NameDeclaredLater = new(UnknownNameFamily,
        "{0} reads '{1}', the output of layer #{2} declared after it; a layer reads only outputs declared before it: move layer #{2} up, or read an earlier output");
    public static readonly DiagnosticRule<string, string, string> MergeWithoutNames = new(UnknownNameFamily,
        "{0} names no outputs to combine; write e.g. {1}(\"skip\") with the Name of an earlier layer{2}");
    public static readonly DiagnosticRule<string, string> NameIsTheInput = new(UnknownNameFamily,
        "{0}: the name '{1}' is the network input; give the layer another name");
    public static readonly DiagnosticRule<string, string, int> NameUsedTwice = new(UnknownNameFamily,
        "{0}: the name '{1}' is already the name of layer #{2}; give each layer a different name");
    public static readonly DiagnosticRule<string> UnpoolWithoutIndices = new(UnknownNameFamily,
        "{0} needs the indices of a MaxPool2d: give that pool ReturnIndices = true and a Name, and write Indices = \"pool\" here");

    // CG0010: structure.
    public static readonly DiagnosticRule<string> LayersOnAnotherDeclaration = new(InvalidStructureFamily,
        "Network '{0}': layer attributes must all be on the declaration that carries [Network]; move the layers on the other partial declaration here");
    public static readonly DiagnosticRule<string, string, string> InputRank = new(InvalidStructureFamily,
        "Network '{0}': the input shape must be (C, L) for a 1-D network or (C, H, W) for a 2-D one, channels first and without the batch dimension; got ({1}). {2}");
    public static readonly DiagnosticRule<string> NoLayers = new(InvalidStructureFamily,
        "Network '{0}' has no layers; add them as attributes after [Network], in forward order, e.g. [Conv2d(8, 3), ReLU]");
    public static readonly DiagnosticRule<string, string, string, string> WrongDimensionality = new(InvalidStructureFamily,
        "{0} needs {1}, but its input is {2}; {3}");
    public static readonly DiagnosticRule<string, string> BilinearNeeds2d = new(InvalidStructureFamily,
        "{0}: bilinear upsampling needs a C×H×W input, but the input is {1}; use Mode = \"nearest\"");
    public static readonly DiagnosticRule<string> LastLayerIsParameter = new(InvalidStructureFamily,
        "{0} is the last layer, so the network would output a learned tensor that does not depend on the input; use it in an Add, Subtract or Multiply after it");
    public static readonly DiagnosticRule<string, string, string> ParameterOperandOfOtherLayer = new(InvalidStructureFamily,
        "{0} reads {1}, a learned tensor without a batch dimension; only Add, Subtract and Multiply take a Parameter as an operand (broadcast as in PyTorch): use it in one of them{2}");
    public static readonly DiagnosticRule<string, string> OnlyLearnedOperands = new(InvalidStructureFamily,
        "{0} combines only learned tensors ({1}), so its result does not depend on the input; add a layer's output to its operands");

    // CG0011: embedded weights.
    public static readonly DiagnosticRule<string, string, string> WeightsFileNotListed = new(WeightsFileFamily,
        "Network '{0}': the weights file '{1}' is not among the project's AdditionalFiles ({2}); add <AdditionalFiles Include=\"{1}\" /> to the project");
    public static readonly DiagnosticRule<string, string, string> WeightsFileUnreadable = new(WeightsFileFamily,
        "Network '{0}': cannot read the weights file '{1}': {2}. Check that the file exists and is readable");
    public static readonly DiagnosticRule<string, string, string> WeightsFileInvalid = new(WeightsFileFamily,
        "Network '{0}': '{1}' is not a valid safetensors file: {2}. Save it with safetensors.torch.save_file(model.state_dict(), path)");
    public static readonly DiagnosticRule<string, string, string, int> WeightsFileTooLarge = new(WeightsFileFamily,
        "Network '{0}': '{1}' is {2} MB, too large to paste into generated source (the limit is {3} KB); import ConvGen.targets (<Import Project=\"path/to/build/ConvGen.targets\" />) so the file travels as an embedded resource");
    public static readonly DiagnosticRule<string, string, string, string> WeightsTensorMissing = new(WeightsFileFamily,
        "'{0}' has no tensor '{1}'; {2} expects shape {3}. Save the state_dict of the model this declaration describes, or check the layer's Name");
    public static readonly DiagnosticRule<string, string, string, string> WeightsTensorDType = new(WeightsFileFamily,
        "tensor '{0}' in '{1}' is {2}; {3} needs F32 (or F16/BF16, widened at load): save it with .float()");
    public static readonly DiagnosticRule<string, string, string, string, string> WeightsTensorShape = new(WeightsFileFamily,
        "tensor '{0}' in '{1}' has shape {2}; {3} expects {4}. Make the declaration match the PyTorch layer that produced the tensor");
    public static readonly DiagnosticRule<string, string, string> WeightsTensorUnexpected = new(WeightsFileFamily,
        "tensor '{0}' {1} in '{2}' belongs to no layer of the declaration (unnamed layers are keyed by position, named ones by Name); declare the layer it belongs to, or name the layers as the PyTorch module does");
    public static readonly DiagnosticRule<int> WeightsMoreDifferences = new(WeightsFileFamily,
        "... and {0} more differences between the weights file and the declaration");

    // CG0012: valid, but not supported.
    public static readonly DiagnosticRule<string> BatchNormWithoutRunningStats = new(NotSupportedFamily,
        "{0}: without running statistics PyTorch normalises with the statistics of the batch itself, even in eval mode; ConvGen compiles eval-mode BatchNorm from running_mean and running_var. Train with TrackRunningStats = true");

    public static readonly DiagnosticRule<string, string> CodeNotGenerated = new(NotSupportedFamily,
        "{0}: {1} in this version of ConvGen; the declaration is valid and its shapes and weights are checked, but no code is generated for the network");

    // CG0013: beyond the sizes this version supports (Analysis/Limits.cs has the numbers and why).
    public static readonly DiagnosticRule<string, string, string, string> OutputBeyondLimit = new(BeyondLimitsFamily,
        "{0}: its output would be {1}, {2} floats; ConvGen supports tensors of at most 1,073,741,824 (2^30) floats. {3}");
    public static readonly DiagnosticRule<string, string, long, string> ExtentBeyondLimit = new(BeyondLimitsFamily,
        "{0}: {1} spans {2} positions along one axis; ConvGen supports at most 1,073,741,824 (2^30). {3}");
    public static readonly DiagnosticRule<string, string, string> InputBeyondLimit = new(BeyondLimitsFamily,
        "Network '{0}': the input {1} has {2} floats; ConvGen supports tensors of at most 1,073,741,824 (2^30) floats. Use a smaller input (crop or downsample it)");
    public static readonly DiagnosticRule<string, string, string, string, string> ParametersBeyondLimit = new(BeyondLimitsFamily,
        "Network '{0}' has {1} parameters{2}; ConvGen supports at most 536,870,912 (2^29), as Load reads the safetensors file into one span of at most 2 GiB. " +
        "{3} has {4} of them: use fewer channels or features, or a smaller kernel");
    public static readonly DiagnosticRule<string, string, string> ScratchBeyondLimit = new(BeyondLimitsFamily,
        "Network '{0}' needs {1} floats{2} of scratch per instance for its intermediate tensors and convolution workspaces; " +
        "ConvGen supports at most 1,073,741,824 (2^30, 4 GiB) per instance, allocated by Load and by every Clone. Use a smaller input or fewer channels");

    /// <summary>Every rule, for tests that check formats and help links.</summary>
    public static IEnumerable<DiagnosticRule> All => typeof(DiagnosticDescriptors)
        .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
        .Where(f => typeof(DiagnosticRule).IsAssignableFrom(f.FieldType))
        .Select(f => (DiagnosticRule)f.GetValue(null)!);
}
