// The pipeline room: the reservation scheduler, batching, partition executors, ONNX graph tools, tensor
// codec, and detection pre/post-processing (letterbox, BlazeFace and YOLO decoding, NMS, the local detector).

// --- detection (src/pipeline/detect/): pre/post-processing and the in-process detector (issue 7) ---
export { BLAZEFACE_FRONT, blazefaceAnchors, blazefaceDecode, blazefacePreprocess, sigmoidClipped } from './detect/blazeface.ts';
export type { Anchor } from './detect/blazeface.ts';
export { letterboxToTensor, letterboxTransform, unletterboxBox } from './detect/letterbox.ts';
export type { LetterboxOptions } from './detect/letterbox.ts';
export { LocalDetector } from './detect/localDetector.ts';
export type { DetectionResult, Detector, DetectorKind, DetectorSettings } from './detect/localDetector.ts';
export { hardNms, iou, weightedNms } from './detect/nms.ts';
export type { Detection, LetterboxTransform, RgbImage, TensorLayout } from './detect/types.ts';
export { decodeYoloV5, decodeYoloV8, yoloPreprocess } from './detect/yolo.ts';
export type { YoloOptions } from './detect/yolo.ts';
// --- end of detection exports ---

// --- ONNX graph tools (src/pipeline/onnx/): parse, cut analysis, split, float16 links, profiling (issue 5) ---
export * from './onnx/index.ts';
