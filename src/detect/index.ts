// The detect room: detection on top of the model toolkit. The `Detector` interface, the codecs that turn a
// frame into a model input and its outputs into boxes (letterbox, BlazeFace, YOLO v5/v8, CenterNet, NMS), shared
// by every detector, and the in-process detector (onnxruntime).
export {
  BLAZEFACE_FRONT,
  blazefaceAnchors,
  blazefaceDecode,
  blazefacePreprocess,
  sigmoidClipped,
} from './blazeface.ts';
export type { Anchor } from './blazeface.ts';
export { CENTERNET, centernetPreprocess, decodeCenterNet } from './centernet.ts';
export type { CenterNetOptions } from './centernet.ts';
export { COCO_LABELS } from './cocoLabels.ts';
export { letterboxToTensor, letterboxTransform, stretchTransform, unletterboxBox } from './letterbox.ts';
export type { LetterboxOptions } from './letterbox.ts';
export { LocalDetector } from './localDetector.ts';
export type { DetectionResult, Detector, DetectorSettings, ServingOutcome } from './localDetector.ts';
export { decodeDetections, detectorInput } from './modelCodec.ts';
export type { DecodeSettings, DetectorInput, DetectorKind, OutputTensor } from './modelCodec.ts';
export { isTfjsGraphModelFile, servedModelFile } from './servedModel.ts';
export { bottomCentre, pointInPolygon } from './polygon.ts';
export { MIN_HITS, ObjectTracker, frigateEventId } from './tracker.ts';
export type { ObjectChange, TrackedObject, TrackerFrame, TrackerSettings, TrackerUpdate } from './tracker.ts';
export { hardNms, iou, weightedNms } from './nms.ts';
export type { Detection, LetterboxTransform, RgbImage, TensorLayout } from './types.ts';
export { decodeYoloV5, decodeYoloV8, yoloPreprocess } from './yolo.ts';
export type { YoloOptions } from './yolo.ts';
