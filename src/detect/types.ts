/** Shapes shared by detection pre/post-processing: frames in, boxes in source-frame pixels out. */

/** A decoded RGB24 frame (structurally the same as the ingest room's frames). */
export type RgbImage = { width: number; height: number; data: Uint8Array };

/** One detection: box [x1, y1, x2, y2] in pixels of the source frame. */
export type Detection = {
  label: string;
  score: number;
  box: [number, number, number, number];
  /** BlazeFace's six key points (eyes, nose, mouth, ears) in source pixels, when the model has them. */
  keypoints?: Array<[number, number]>;
};

/**
 * Maps model-input pixels back to source pixels: source x = (input x - padX) / scale, source y = (input y - padY) /
 * scaleY. A letterbox keeps the aspect ratio (scaleY = scale); a stretch does not (CenterNet).
 */
export type LetterboxTransform = {
  scale: number;
  /** Vertical scale when it differs from `scale` (a stretched frame). */
  scaleY?: number;
  padX: number;
  padY: number;
  inputWidth: number;
  inputHeight: number;
  sourceWidth: number;
  sourceHeight: number;
};

export type TensorLayout = 'nhwc' | 'nchw';
