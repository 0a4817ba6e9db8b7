// The server room: the HTTP API (cameras, detections, exports, stats, snapshots), the WebSocket live feed,
// Prometheus metrics and the built web UI at /, plus the frame → detection loop and camera management behind them,
// and what guards them all: the Host/Origin checks and the admin's log-in (sessions, bearer tokens).
export type * from './api.ts';
export {
  cameraCreateBodySchema,
  cameraPatchBodySchema,
  cameraReplaceBodySchema,
  testConnectionBodySchema,
} from './requestSchemas.ts';
export { Authenticator, authRequired } from './auth.ts';
export type { AuthenticatorOptions } from './auth.ts';
export { ApiError, CameraService } from './cameraService.ts';
export type { CameraServiceDeps } from './cameraService.ts';
export { DetectionLoop } from './detectionLoop.ts';
export type { DetectionLoopDeps } from './detectionLoop.ts';
export { ApiServer, toItem } from './httpServer.ts';
export { nodeViewOf, nodeViews, planViewOf } from './clusterViews.ts';
export type { ClockReadings, ClusterState, NodeState } from './clusterViews.ts';
export { UI_DIST_DIR } from './staticUi.ts';
export type { ApiServerDeps } from './httpServer.ts';
export { LiveFeed } from './liveFeed.ts';
export { ObjectEvents } from './objectEvents.ts';
export type { ObjectEventSink, ObjectEventsDeps } from './objectEvents.ts';
export { PlannerJobs } from './plannerJobs.ts';
export type { ClusterProblemSource, PlannerJobsOptions } from './plannerJobs.ts';
export { ApplianceMetrics } from './metrics.ts';
export type { DetectionItem, StatsResponse } from './api.ts';
