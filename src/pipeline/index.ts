// The pipeline room: what runs a plan — the reservation scheduler and the reactive baseline (pure, on a
// Clock), serving plans, ONNX graph tools (parse, cut analysis, split, float16 links, profiling) and the
// model-specific pre- and post-processing (letterbox, BlazeFace and YOLO decoding, NMS, the model codec shared
// by every detector, the local detector).

// --- detection (src/pipeline/detect/): pre/post-processing and the in-process detector (issue 7) ---
export { BLAZEFACE_FRONT, blazefaceAnchors, blazefaceDecode, blazefacePreprocess, sigmoidClipped } from './detect/blazeface.ts';
export type { Anchor } from './detect/blazeface.ts';
export { letterboxToTensor, letterboxTransform, unletterboxBox } from './detect/letterbox.ts';
export type { LetterboxOptions } from './detect/letterbox.ts';
export { LocalDetector } from './detect/localDetector.ts';
export type { DetectionResult, Detector, DetectorSettings, ServingOutcome } from './detect/localDetector.ts';
export { decodeDetections, detectorInput } from './detect/modelCodec.ts';
export type { DecodeSettings, DetectorInput, DetectorKind, OutputTensor } from './detect/modelCodec.ts';
export { hardNms, iou, weightedNms } from './detect/nms.ts';
export type { Detection, LetterboxTransform, RgbImage, TensorLayout } from './detect/types.ts';
export { decodeYoloV5, decodeYoloV8, yoloPreprocess } from './detect/yolo.ts';
export type { YoloOptions } from './detect/yolo.ts';
// --- end of detection exports ---

// --- ONNX graph tools (src/pipeline/onnx/): parse, cut analysis, split, float16 links, profiling (issue 5) ---
export * from './onnx/index.ts';

// --- the data plane's pure core (issue 3): serving plans and topology, the reservation scheduler and the
// reactive baseline, driven by events on a Clock ---
export type { Clock } from './clock.ts';
export { ManualClock, WallClock } from './clock.ts';
export { IntervalSet, earliestFreeBoth } from './intervalSet.ts';
export type { Decisions, Dispatch, Hop, Measurement, SchedulerStats, ServingScheduler } from './scheduler.ts';
export { ReservationScheduler } from './reservationScheduler.ts';
export type { ReservationOptions } from './reservationScheduler.ts';
export { ReactiveScheduler } from './reactiveScheduler.ts';
export type { ServingDnn, ServingLink, ServingPartition, ServingPipeline, ServingPlan, ArtifactConversionOptions } from './servingPlan.ts';
export { dnnThroughputRps, findServingLink, fromArtifactPlan, fromPlanDocument, loadServingPlan, parseServingPlan, pipelineCapacityRps, servingGroups, servingPlanSchema } from './servingPlan.ts';
export type { PipelineTopology, ServingTopology, StageTopology, TopologyOptions } from './servingTopology.ts';
export { buildTopology, transferUs } from './servingTopology.ts';
