using ConvGen;

namespace ConvGen.Networks;

// The reference networks of ../shared/peers (models.py), declared for ConvGen with the state_dict names PyTorch
// gives them, so the same weights.safetensors loads unchanged. Keras "same" padding on even inputs pads one more
// row and column at the end: ZeroPad2d before the strided convolution says so, and the planner folds it into the
// convolution. The reference models deliberately leave rows unread (DS-CNN's (24, 5) pooling on a 25x5 map, the
// 1x1 stride-2 shortcuts of ResNet-8), which CG0002 would point out.
#pragma warning disable CG0002

/// <summary>LeNet-5 as in models.py (named modules conv1, conv2, fc1..fc3).</summary>
[Network(1, 28, 28)]
[Conv2d(6, 5, Padding = 2, Name = "conv1"), ReLU, MaxPool2d(2)]
[Conv2d(16, 5, Name = "conv2"), ReLU, MaxPool2d(2)]
[Flatten, Linear(120, Name = "fc1"), ReLU, Linear(84, Name = "fc2"), ReLU, Linear(10, Name = "fc3")]
public partial class PeerLeNet5;

/// <summary>MLPerf Tiny ResNet-8 (resnet_v1_eembc, 16/32/64 filters).</summary>
[Network(3, 32, 32)]
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
public partial class PeerResNet8;

/// <summary>MLPerf Tiny DS-CNN for keyword spotting (49x10 MFCC input, 64 filters).</summary>
[Network(1, 49, 10)]
[ZeroPad2d(new[] { 1, 1, 4, 5 }), Conv2d(64, new[] { 10, 4 }, Stride = 2, Name = "conv1"), BatchNorm2d(Eps = 1e-3, Name = "bn1"), ReLU]
[Conv2d(64, 3, Padding = 1, Groups = 64, Name = "blocks.0.dw"), BatchNorm2d(Eps = 1e-3, Name = "blocks.0.dw_bn"), ReLU]
[Conv2d(64, 1, Name = "blocks.0.pw"), BatchNorm2d(Eps = 1e-3, Name = "blocks.0.pw_bn"), ReLU]
[Conv2d(64, 3, Padding = 1, Groups = 64, Name = "blocks.1.dw"), BatchNorm2d(Eps = 1e-3, Name = "blocks.1.dw_bn"), ReLU]
[Conv2d(64, 1, Name = "blocks.1.pw"), BatchNorm2d(Eps = 1e-3, Name = "blocks.1.pw_bn"), ReLU]
[Conv2d(64, 3, Padding = 1, Groups = 64, Name = "blocks.2.dw"), BatchNorm2d(Eps = 1e-3, Name = "blocks.2.dw_bn"), ReLU]
[Conv2d(64, 1, Name = "blocks.2.pw"), BatchNorm2d(Eps = 1e-3, Name = "blocks.2.pw_bn"), ReLU]
[Conv2d(64, 3, Padding = 1, Groups = 64, Name = "blocks.3.dw"), BatchNorm2d(Eps = 1e-3, Name = "blocks.3.dw_bn"), ReLU]
[Conv2d(64, 1, Name = "blocks.3.pw"), BatchNorm2d(Eps = 1e-3, Name = "blocks.3.pw_bn"), ReLU]
[AvgPool2d(new[] { 24, 5 }), Flatten, Linear(12, Name = "fc"), Softmax(Dim = 1)]
public partial class PeerDSCNN;

/// <summary>MLPerf Tiny Visual Wake Words MobileNetV1, width 0.25, 96x96 input.</summary>
[Network(3, 96, 96)]
[ZeroPad2d(new[] { 0, 1, 0, 1 }), Conv2d(8, 3, Stride = 2, Name = "conv1"), BatchNorm2d(Eps = 1e-3, Name = "bn1"), ReLU]
[Conv2d(8, 3, Padding = 1, Groups = 8, Name = "blocks.0.dw"), BatchNorm2d(Eps = 1e-3, Name = "blocks.0.dw_bn"), ReLU]
[Conv2d(16, 1, Name = "blocks.0.pw"), BatchNorm2d(Eps = 1e-3, Name = "blocks.0.pw_bn"), ReLU]
[ZeroPad2d(new[] { 0, 1, 0, 1 }), Conv2d(16, 3, Stride = 2, Groups = 16, Name = "blocks.1.dw"), BatchNorm2d(Eps = 1e-3, Name = "blocks.1.dw_bn"), ReLU]
[Conv2d(32, 1, Name = "blocks.1.pw"), BatchNorm2d(Eps = 1e-3, Name = "blocks.1.pw_bn"), ReLU]
[Conv2d(32, 3, Padding = 1, Groups = 32, Name = "blocks.2.dw"), BatchNorm2d(Eps = 1e-3, Name = "blocks.2.dw_bn"), ReLU]
[Conv2d(32, 1, Name = "blocks.2.pw"), BatchNorm2d(Eps = 1e-3, Name = "blocks.2.pw_bn"), ReLU]
[ZeroPad2d(new[] { 0, 1, 0, 1 }), Conv2d(32, 3, Stride = 2, Groups = 32, Name = "blocks.3.dw"), BatchNorm2d(Eps = 1e-3, Name = "blocks.3.dw_bn"), ReLU]
[Conv2d(64, 1, Name = "blocks.3.pw"), BatchNorm2d(Eps = 1e-3, Name = "blocks.3.pw_bn"), ReLU]
[Conv2d(64, 3, Padding = 1, Groups = 64, Name = "blocks.4.dw"), BatchNorm2d(Eps = 1e-3, Name = "blocks.4.dw_bn"), ReLU]
[Conv2d(64, 1, Name = "blocks.4.pw"), BatchNorm2d(Eps = 1e-3, Name = "blocks.4.pw_bn"), ReLU]
[ZeroPad2d(new[] { 0, 1, 0, 1 }), Conv2d(64, 3, Stride = 2, Groups = 64, Name = "blocks.5.dw"), BatchNorm2d(Eps = 1e-3, Name = "blocks.5.dw_bn"), ReLU]
[Conv2d(128, 1, Name = "blocks.5.pw"), BatchNorm2d(Eps = 1e-3, Name = "blocks.5.pw_bn"), ReLU]
[Conv2d(128, 3, Padding = 1, Groups = 128, Name = "blocks.6.dw"), BatchNorm2d(Eps = 1e-3, Name = "blocks.6.dw_bn"), ReLU]
[Conv2d(128, 1, Name = "blocks.6.pw"), BatchNorm2d(Eps = 1e-3, Name = "blocks.6.pw_bn"), ReLU]
[Conv2d(128, 3, Padding = 1, Groups = 128, Name = "blocks.7.dw"), BatchNorm2d(Eps = 1e-3, Name = "blocks.7.dw_bn"), ReLU]
[Conv2d(128, 1, Name = "blocks.7.pw"), BatchNorm2d(Eps = 1e-3, Name = "blocks.7.pw_bn"), ReLU]
[Conv2d(128, 3, Padding = 1, Groups = 128, Name = "blocks.8.dw"), BatchNorm2d(Eps = 1e-3, Name = "blocks.8.dw_bn"), ReLU]
[Conv2d(128, 1, Name = "blocks.8.pw"), BatchNorm2d(Eps = 1e-3, Name = "blocks.8.pw_bn"), ReLU]
[Conv2d(128, 3, Padding = 1, Groups = 128, Name = "blocks.9.dw"), BatchNorm2d(Eps = 1e-3, Name = "blocks.9.dw_bn"), ReLU]
[Conv2d(128, 1, Name = "blocks.9.pw"), BatchNorm2d(Eps = 1e-3, Name = "blocks.9.pw_bn"), ReLU]
[Conv2d(128, 3, Padding = 1, Groups = 128, Name = "blocks.10.dw"), BatchNorm2d(Eps = 1e-3, Name = "blocks.10.dw_bn"), ReLU]
[Conv2d(128, 1, Name = "blocks.10.pw"), BatchNorm2d(Eps = 1e-3, Name = "blocks.10.pw_bn"), ReLU]
[ZeroPad2d(new[] { 0, 1, 0, 1 }), Conv2d(128, 3, Stride = 2, Groups = 128, Name = "blocks.11.dw"), BatchNorm2d(Eps = 1e-3, Name = "blocks.11.dw_bn"), ReLU]
[Conv2d(256, 1, Name = "blocks.11.pw"), BatchNorm2d(Eps = 1e-3, Name = "blocks.11.pw_bn"), ReLU]
[Conv2d(256, 3, Padding = 1, Groups = 256, Name = "blocks.12.dw"), BatchNorm2d(Eps = 1e-3, Name = "blocks.12.dw_bn"), ReLU]
[Conv2d(256, 1, Name = "blocks.12.pw"), BatchNorm2d(Eps = 1e-3, Name = "blocks.12.pw_bn"), ReLU]
[AvgPool2d(3), Flatten, Linear(2, Name = "fc"), Softmax(Dim = 1)]
public partial class PeerVWW;
