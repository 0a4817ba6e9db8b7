// The cluster room: the distributed runtime. MQTT control plane (topics and payloads declared once, the
// embedded aedes broker, the bus), the worker node agent, the controller (registry, planning, assignments),
// the frontend with its Dispatcher seam, tensor links over WebSocket, model partitions over HTTP, the worker
// process that `ppipe worker` wires and the emulated testbed that `ppipe cluster-bench` runs.
export * from './control/messages.ts';
export { EmbeddedBroker } from './control/broker.ts';
export type { BrokerAccount, EmbeddedBrokerOptions, TopicAuthorizer } from './control/broker.ts';
export { ControlPlaneAcl, NODE_PUBLISHES, NODE_SUBSCRIBES, workerClientId } from './control/acl.ts';
export type { ControlPlaneAclOptions } from './control/acl.ts';
export { Bus } from './control/bus.ts';
export { MqttEventPublisher, eventsPrefixConflict } from './head/eventPublisher.ts';
export type { EventPublisherOptions } from './head/eventPublisher.ts';
export {
  CAMERA_STATUSES,
  availabilityTopic,
  cameraDiscoveryDocuments,
  cameraStatusTopic,
  countTopic,
  homeAssistantStatusTopic,
  snapshotTopic,
  zoneCountTopic,
} from './head/homeAssistantDiscovery.ts';
export type { DiscoveredCamera, DiscoveryDocument, DiscoveryTopics } from './head/homeAssistantDiscovery.ts';
export { APPLIANCE_ID_FILE, readOrCreateApplianceId } from './head/applianceId.ts';
export type { BusOptions } from './control/bus.ts';
export { ModelCache, modelServerOrigin } from './data/modelCache.ts';
export { ModelServer } from './data/modelServer.ts';
export { LinkPool, LinkServer, LinkTokenRejectedError, NicPacer, OutgoingLink } from './data/tensorLink.ts';
export { decodeFrame, encodeFrame, packTensors, unpackTensors } from './data/tensorFrame.ts';
export type { BatchHeader, FrameHeader, FrameHop, NamedTensor, ResultHeader } from './data/tensorFrame.ts';
export { ReservationDispatcher } from './data/reservationDispatcher.ts';
export type { ReservationDispatcherOptions } from './data/reservationDispatcher.ts';
export type {
  Dispatcher,
  DispatchDecision,
  DispatchedBatch,
  HopFeedback,
  PendingRequest,
  PathHop,
  PlacedPlan,
} from './data/dispatcher.ts';
export { WorkerNode } from './node/worker.ts';
export type { WorkerOptions } from './node/worker.ts';
export { Controller, clusterProblem } from './control/controller.ts';
export type {
  ControllerEvents,
  ControllerOptions,
  EdgeNetworkOptions,
  ModelEntry,
  PartitionSource,
  RealPartitionModel,
} from './control/controller.ts';
export { Frontend } from './data/frontend.ts';
export type { RequestOutcome } from './data/frontend.ts';
export { ClusterHead } from './head/clusterHead.ts';
export type { ClusterHeadOptions, ExternalBroker } from './head/clusterHead.ts';
export { LocalWorkers, PPIPE_BIN } from './node/localWorkers.ts';
export type { LocalWorkerSpec, LocalWorkerStats } from './node/localWorkers.ts';
export { PartitionCatalog } from './head/partitionCatalog.ts';
export {
  cpuDeviceClass,
  ensureLocalProfile,
  localWorkerThreads,
  prepareProfilesFolder,
  profileModelName,
} from './head/localProfile.ts';
export { batchableModel } from './head/batchableModel.ts';
export type { BatchableModel } from './head/batchableModel.ts';
export { ClusterDetector } from './head/clusterDetector.ts';
export type { ClusterDetectorOptions } from './head/clusterDetector.ts';
export { DetectionCluster } from './head/detectionCluster.ts';
export type { DetectionClusterOptions } from './head/detectionCluster.ts';
export { siteEdgeNetwork } from './control/siteEdgeNetwork.ts';
export type { SiteCamera } from './control/siteEdgeNetwork.ts';
export { DEFAULT_PREFIX } from './control/messages.ts';
export { defaultCacheDir } from './node/worker.ts';
export { runWorkerProcess, workerNodeOptions } from './node/workerProcess.ts';
export type { WorkerProcessOptions, WorkerRun } from './node/workerProcess.ts';
export { TESTBED_CLUSTER, runEmulatedTestbed } from './head/testbed.ts';
export type { SimPredictor, TestbedOptions, TestbedPoint, TestbedResult, TestbedRun } from './head/testbed.ts';
