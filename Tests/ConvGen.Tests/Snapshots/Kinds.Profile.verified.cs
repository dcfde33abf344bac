
        // Profiling members: this build sets the MSBuild property ConvGenProfile=true.

        /// <summary>
        /// The steps of Run, in order, for profiling: the generated method, its kind (dense, pointwise, depthwise, pointwise+depthwise, linear
        /// or other), the declared layers it implements, its output shape and its multiply-accumulates.
        /// </summary>
        public static readonly (string Method, string Kind, string Layers, string Output, long MultiplyAccumulates)[] ProfileSteps =
        {
            ("Step0_Pad", "other", "#0 Conv2d(8, 3, Padding = 1, PaddingMode = \"reflect\", Name = \"stem\"), its input padded", "8×12×12", 0L),
            ("Step1_Conv2d", "dense", "#0 Conv2d(8, 3, Padding = 1, PaddingMode = \"reflect\", Name = \"stem\") + #1 ReLU(Name = \"x\")", "8×12×12", 31104L),
            ("Step2_Conv2d", "depthwise", "#2 Conv2d(8, 3, Padding = 1, Groups = 8, Name = \"dw\") + #3 BatchNorm2d(Name = \"dw_bn\") + #4 ReLU6", "8×12×12", 10368L),
            ("Step3_Conv2d", "pointwise", "#5 Conv2d(8, 1, Name = \"pw\")", "8×12×12", 9216L),
            ("Step4_Add", "other", "#6 Add(\"x\")", "8×12×12", 0L),
            ("Step5_MaxPool2d", "other", "#7 MaxPool2d(2)", "8×6×6", 0L),
            ("Step6_Linear", "linear", "#9 Linear(4, Name = \"fc\")", "4", 1152L),
            ("Step7_Softmax", "other", "#10 Softmax", "4", 0L),
        };

        /// <summary>
        /// Run, with a <see cref="global::System.Diagnostics.Stopwatch"/> timestamp before the first step and after each:
        /// step i of <see cref="ProfileSteps"/> took <c>stepTimestamps[i + 1] - stepTimestamps[i]</c> ticks. Allocates nothing.
        /// </summary>
        /// <param name="stepTimestamps">ProfileSteps.Length + 1 = 9 timestamps.</param>
        public void RunProfiled(global::System.ReadOnlySpan<float> input, global::System.Span<float> output, global::System.Span<long> stepTimestamps)
        {
            if (input.Length != InputLength)
                throw new global::System.ArgumentException("Kinds.RunProfiled: input has " + input.Length + " floats; expected InputLength = 432 (3×12×12, CHW).", nameof(input));
            if (output.Length != OutputLength)
                throw new global::System.ArgumentException("Kinds.RunProfiled: output has " + output.Length + " floats; expected OutputLength = 4 (4).", nameof(output));
            if (global::System.MemoryExtensions.Overlaps(input, output))
                throw new global::System.ArgumentException("Kinds.RunProfiled: input and output must not overlap.", nameof(output));
            if (stepTimestamps.Length != 9)
                throw new global::System.ArgumentException("Kinds.RunProfiled: stepTimestamps has " + stepTimestamps.Length + " elements; expected ProfileSteps.Length + 1 = 9.", nameof(stepTimestamps));
            if (global::System.Threading.Interlocked.Exchange(ref _running, 1) != 0) ThrowConcurrentUse();
            try
            {
                global::System.Span<float> scratch = new global::System.Span<float>(_scratch, _scratchStart, ScratchLength);
                stepTimestamps[0] = global::System.Diagnostics.Stopwatch.GetTimestamp();
                Step0_Pad(input, scratch.Slice(2480, 588));
                stepTimestamps[1] = global::System.Diagnostics.Stopwatch.GetTimestamp();
                Step1_Conv2d(scratch.Slice(2480, 588), scratch.Slice(1328, 1152), scratch);
                stepTimestamps[2] = global::System.Diagnostics.Stopwatch.GetTimestamp();
                Step2_Conv2d(scratch.Slice(1328, 1152), scratch.Slice(0, 1152));
                stepTimestamps[3] = global::System.Diagnostics.Stopwatch.GetTimestamp();
                Step3_Conv2d(scratch.Slice(0, 1152), scratch.Slice(2480, 1152));
                stepTimestamps[4] = global::System.Diagnostics.Stopwatch.GetTimestamp();
                Step4_Add(scratch.Slice(2480, 1152), scratch.Slice(1328, 1152), scratch.Slice(2480, 1152));
                stepTimestamps[5] = global::System.Diagnostics.Stopwatch.GetTimestamp();
                Step5_MaxPool2d(scratch.Slice(2480, 1152), scratch.Slice(0, 288));
                stepTimestamps[6] = global::System.Diagnostics.Stopwatch.GetTimestamp();
                Step6_Linear(scratch.Slice(0, 288), output);
                stepTimestamps[7] = global::System.Diagnostics.Stopwatch.GetTimestamp();
                Step7_Softmax(output, output);
                stepTimestamps[8] = global::System.Diagnostics.Stopwatch.GetTimestamp();
            }
            finally { global::System.Threading.Volatile.Write(ref _running, 0); }
        }
