// Placeholder entry point; the kernel battery is added with the runtime kernels.
return 0;
