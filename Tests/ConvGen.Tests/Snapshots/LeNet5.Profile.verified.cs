
        // Profiling members: this build sets the MSBuild property ConvGenProfile=true.

        /// <summary>
        /// The steps of Run, in order, for profiling: the generated method, its kind (dense, pointwise, depthwise, pointwise+depthwise, linear
        /// or other), the declared layers it implements, its output shape and its multiply-accumulates.
        /// </summary>
        public static readonly (string Method, string Kind, string Layers, string Output, long MultiplyAccumulates)[] ProfileSteps =
        {
            ("Step0_Conv2d", "dense", "#0 Conv2d(6, 5, Padding = 2) + #1 ReLU + #2 MaxPool2d(2)", "6×14×14", 117600L),
            ("Step1_Conv2d", "dense", "#3 Conv2d(16, 5) + #4 ReLU", "16×10×10", 240000L),
            ("Step2_MaxPool2d", "other", "#5 MaxPool2d(2)", "16×5×5", 0L),
            ("Step3_Linear", "linear", "#7 Linear(120) + #8 ReLU", "120", 48000L),
            ("Step4_Linear", "linear", "#9 Linear(84) + #10 ReLU", "84", 10080L),
            ("Step5_Linear", "linear", "#11 Linear(10)", "10", 840L),
        };

        /// <summary>
        /// Run, with a <see cref="global::System.Diagnostics.Stopwatch"/> timestamp before the first step and after each:
        /// step i of <see cref="ProfileSteps"/> took <c>stepTimestamps[i + 1] - stepTimestamps[i]</c> ticks. Allocates nothing.
        /// </summary>
        /// <param name="stepTimestamps">ProfileSteps.Length + 1 = 7 timestamps.</param>
        public void RunProfiled(global::System.ReadOnlySpan<float> input, global::System.Span<float> output, global::System.Span<long> stepTimestamps)
        {
            if (input.Length != InputLength)
                throw new global::System.ArgumentException("LeNet5.RunProfiled: input has " + input.Length + " floats; expected InputLength = 784 (1×28×28, CHW).", nameof(input));
            if (output.Length != OutputLength)
                throw new global::System.ArgumentException("LeNet5.RunProfiled: output has " + output.Length + " floats; expected OutputLength = 10 (10).", nameof(output));
            if (global::System.MemoryExtensions.Overlaps(input, output))
                throw new global::System.ArgumentException("LeNet5.RunProfiled: input and output must not overlap.", nameof(output));
            if (stepTimestamps.Length != 7)
                throw new global::System.ArgumentException("LeNet5.RunProfiled: stepTimestamps has " + stepTimestamps.Length + " elements; expected ProfileSteps.Length + 1 = 7.", nameof(stepTimestamps));
            if (global::System.Threading.Interlocked.Exchange(ref _running, 1) != 0) ThrowConcurrentUse();
            try
            {
                global::System.Span<float> scratch = new global::System.Span<float>(_scratch, _scratchStart, ScratchLength);
                stepTimestamps[0] = global::System.Diagnostics.Stopwatch.GetTimestamp();
                Step0_Conv2d(input, scratch.Slice(1600, 1176), scratch);
                stepTimestamps[1] = global::System.Diagnostics.Stopwatch.GetTimestamp();
                Step1_Conv2d(scratch.Slice(1600, 1176), scratch.Slice(0, 1600));
                stepTimestamps[2] = global::System.Diagnostics.Stopwatch.GetTimestamp();
                Step2_MaxPool2d(scratch.Slice(0, 1600), scratch.Slice(1600, 400));
                stepTimestamps[3] = global::System.Diagnostics.Stopwatch.GetTimestamp();
                Step3_Linear(scratch.Slice(1600, 400), scratch.Slice(0, 120));
                stepTimestamps[4] = global::System.Diagnostics.Stopwatch.GetTimestamp();
                Step4_Linear(scratch.Slice(0, 120), scratch.Slice(128, 84));
                stepTimestamps[5] = global::System.Diagnostics.Stopwatch.GetTimestamp();
                Step5_Linear(scratch.Slice(128, 84), output);
                stepTimestamps[6] = global::System.Diagnostics.Stopwatch.GetTimestamp();
            }
            finally { global::System.Threading.Volatile.Write(ref _running, 0); }
        }
