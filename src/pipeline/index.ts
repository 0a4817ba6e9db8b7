// The pipeline room: what runs a plan's partitions — ONNX graph tools (parse, analyse cuts, split, float16
// links, onnxruntime execution and profiling), and (with later work) the reservation scheduler and the
// model-specific pre- and post-processing.
export * from './onnx/index.ts';
