// The config room: the one zod schema of the YAML configuration and of planning problems, the loader, the
// JSON Schema export and the comment-preserving write-back of camera changes. It also holds the few small
// helpers every floor shares (zod issue printing, percentiles, backoff, sha256, the repository root).
export {
  ALGORITHMS,
  PLACEMENTS,
  cameraGroupSchema,
  dnnEntrySchema,
  gpuEntrySchema,
  linkSchema,
  problemSchema,
  siteSchema,
} from './planningProblem.ts';
export type { Algorithm, Placement } from './planningProblem.ts';
export {
  appConfigJsonSchema,
  appConfigSchema,
  AUTH_MODES,
  CAMERA_SCHEMES,
  cameraConfigSchema,
  cameraIdSchema,
  cameraUrlSchema,
  clusterConfigSchema,
  clusterNodeSchema,
  HEAD_USERNAME,
  NODE_ID_PATTERN,
  ConfigError,
  isLoopbackHost,
  loadAppConfig,
  modelConfigSchema,
  mqttConfigSchema,
  forbiddenUrlCharacter,
  parseAppConfig,
  RTSP_TRANSPORTS,
  substituteEnv,
} from './appConfig.ts';
export type {
  AppConfig,
  CameraConfig,
  ClusterConfig,
  IngestConfig,
  ModelConfig,
  RtspTransport,
  ServerConfig,
  StoreConfig,
} from './appConfig.ts';
export {
  defaultTrackedLabels,
  eventsConfigSchema,
  objectsConfigSchema,
  RESERVED_CAMERA_IDS,
  zonesConfigSchema,
} from './objectsConfig.ts';
export type { EventsConfig, LabelFilter, ObjectsConfig, Polygon, ZoneConfig } from './objectsConfig.ts';
export {
  addCameraToFile,
  copyConfigFile,
  locateConfig,
  removeCameraFromFile,
  replaceCameraInFile,
  updateCameraInFile,
} from './configFile.ts';
export type { CameraFields, ConfigFiles } from './configFile.ts';
export { silentLogger } from './logger.ts';
export { maskUrlCredentials, MIN_SECRET_LENGTH, redactingLogger, SecretRedactor } from './redact.ts';
export type { LogFn, Logger } from './logger.ts';
export { describeIssues, fieldPath, formatIssues } from './zodIssues.ts';
export type { IssueLike } from './zodIssues.ts';
export { percentile, percentileOfSorted } from './percentile.ts';
export type { PercentileRule } from './percentile.ts';
export { backoffDelayMs } from './backoff.ts';
export { sha256Hex } from './sha256.ts';
export { REPO_ROOT } from './repoRoot.ts';
