using ConvGen;

namespace Digits;

// The contract's first example, exactly: every shape after the input is inferred by the generator.
[Network(1, 28, 28)]
[Conv2d(6, 5, Padding = 2), ReLU, MaxPool2d(2)]
[Conv2d(16, 5), ReLU, MaxPool2d(2)]
[Flatten, Linear(120), ReLU, Linear(84), ReLU, Linear(10)]
public partial class LeNet5;
