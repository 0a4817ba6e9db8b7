// The cluster room: the distributed runtime. MQTT control plane (topics and payloads declared once, the
// embedded aedes broker, the bus), the worker node agent, the controller (registry, planning, assignments),
// the frontend with its Dispatcher seam, tensor links over WebSocket, model partitions over HTTP, and the
// `ppipe worker` and `ppipe cluster-bench` commands.
export * from './messages.ts';
export { EmbeddedBroker } from './broker.ts';
export type { EmbeddedBrokerOptions } from './broker.ts';
export { Bus } from './bus.ts';
export { APPLIANCE_NODE_ID, MqttEventPublisher } from './eventPublisher.ts';
export type { EventPublisherOptions } from './eventPublisher.ts';
export type { BusOptions } from './bus.ts';
export { ModelCache, ModelServer, sha256Hex } from './modelStore.ts';
export { LinkPool, LinkServer, NicPacer, OutgoingLink } from './tensorLink.ts';
export { decodeFrame, encodeFrame, packTensors, unpackTensors } from './tensorFrame.ts';
export type { BatchHeader, FrameHeader, Hop, NamedTensor, ResultHeader } from './tensorFrame.ts';
export { ReservationDispatcher } from './reservationDispatcher.ts';
export type { ReservationDispatcherOptions } from './reservationDispatcher.ts';
export type { Dispatcher, DispatchDecision, DispatchedBatch, HopFeedback, PendingRequest, PathHop, Topology } from './dispatcher.ts';
export { WorkerNode } from './worker.ts';
export type { WorkerOptions } from './worker.ts';
export { Controller, clusterProblem } from './controller.ts';
export type { ControllerEvents, ControllerOptions, EdgeTopologyOptions, ModelEntry, PartitionSource, RealPartitionModel } from './controller.ts';
export { Frontend } from './frontend.ts';
export type { RequestOutcome } from './frontend.ts';
export { WORKER_USAGE, runWorkerCommand } from './workerCommand.ts';
export { CLUSTER_BENCH_USAGE, runClusterBenchCommand } from './clusterBenchCommand.ts';
export type { ClusterBenchHooks, SimPredictor } from './clusterBenchCommand.ts';
export { ClusterHead } from './clusterHead.ts';
export type { ClusterHeadOptions, ExternalBroker } from './clusterHead.ts';
export { LocalWorkers, PPIPE_BIN } from './localWorkers.ts';
export type { LocalWorkerSpec, LocalWorkerStats } from './localWorkers.ts';
export { PartitionCatalog } from './partitionCatalog.ts';
export { cpuDeviceClass, ensureLocalProfile, localWorkerThreads, profileModelName } from './localProfile.ts';
export { ClusterDetector } from './clusterDetector.ts';
export type { ClusterDetectorOptions } from './clusterDetector.ts';
export { DetectionCluster } from './detectionCluster.ts';
export type { DetectionClusterOptions } from './detectionCluster.ts';
export { siteTopology } from './siteTopology.ts';
export type { SiteCamera } from './siteTopology.ts';
