using ConvGen;

namespace Consumer;

// MLPerf Tiny ResNet-8 (../shared/peers), with its 319 KB of weights embedded at compile time: Load() reads no file.
// Over the 256 KB that the generator pastes into source, the file reaches the assembly only through the package's
// buildTransitive/ConvGen.targets (as the manifest resource ConvGen.Weights.resnet8.safetensors).
[Network(3, 32, 32, Weights = "resnet8.safetensors")]
[Conv2d(16, 3, Padding = 1, Name = "stem"), BatchNorm2d(Eps = 1e-3, Name = "stem_bn"), ReLU(Name = "s0")]
[Conv2d(16, 3, Padding = 1, Name = "stack1.conv1"), BatchNorm2d(Eps = 1e-3, Name = "stack1.bn1"), ReLU]
[Conv2d(16, 3, Padding = 1, Name = "stack1.conv2"), BatchNorm2d(Eps = 1e-3, Name = "stack1.bn2"), Add("s0"), ReLU(Name = "s1")]
[ZeroPad2d(new[] { 0, 1, 0, 1 }), Conv2d(32, 3, Stride = 2, Name = "stack2.conv1"), BatchNorm2d(Eps = 1e-3, Name = "stack2.bn1"), ReLU]
[Conv2d(32, 3, Padding = 1, Name = "stack2.conv2"), BatchNorm2d(Eps = 1e-3, Name = "stack2.bn2")]
[Conv2d(32, 1, Stride = 2, From = "s1", Name = "stack2.shortcut"), Add("stack2.bn2"), ReLU(Name = "s2")]
[ZeroPad2d(new[] { 0, 1, 0, 1 }), Conv2d(64, 3, Stride = 2, Name = "stack3.conv1"), BatchNorm2d(Eps = 1e-3, Name = "stack3.bn1"), ReLU]
[Conv2d(64, 3, Padding = 1, Name = "stack3.conv2"), BatchNorm2d(Eps = 1e-3, Name = "stack3.bn2")]
[Conv2d(64, 1, Stride = 2, From = "s2", Name = "stack3.shortcut"), Add("stack3.bn2"), ReLU]
[AvgPool2d(8), Flatten, Linear(10, Name = "fc"), Softmax(Dim = 1)]
public partial class ResNet8;
