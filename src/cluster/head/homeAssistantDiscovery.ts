/**
 * Home Assistant MQTT discovery documents for the appliance's cameras, built as pure data (as Zigbee2MQTT's
 * Home Assistant extension does for its devices): one device per camera, and per tracked label a `sensor`
 * (objects in view) and a `binary_sensor` (occupancy) for the whole view and for each zone, the camera's status
 * and an `image` with the latest event's snapshot. Topics: `<discoveryPrefix>/<component>/ppipe_<applianceId>/
 * <object id>/config` (home-assistant.io/integrations/mqtt, "Discovery topic"). The state topics are named here
 * too, so the publisher and the documents cannot disagree.
 */
export interface DiscoveryTopics {
  /** `mqtt.prefix`: camera status. */
  readonly prefix: string;
  /** `mqtt.eventsPrefix`: events, counts, availability, snapshots. */
  readonly eventsPrefix: string;
  readonly discoveryPrefix: string;
  /** Random id of this appliance (kept in its data folder): entities of two appliances never clash. */
  readonly applianceId: string;
}

/** What discovery needs to know of a camera. */
export interface DiscoveredCamera {
  readonly id: string;
  readonly name: string;
  /** `objects.track`. */
  readonly trackedLabels: ReadonlyArray<string>;
  /** Each zone with the tracked labels it reports. */
  readonly zones: ReadonlyArray<{ readonly name: string; readonly labels: ReadonlyArray<string> }>;
}

export type DiscoveryComponent = 'sensor' | 'binary_sensor' | 'image';

export interface DiscoveryDocument {
  readonly topic: string;
  readonly config: Record<string, unknown>;
}

/** Camera statuses as `<prefix>/cameras/<id>/status` carries them (the enum sensor's options). */
export const CAMERA_STATUSES = ['connecting', 'online', 'reconnecting', 'offline', 'disabled'] as const;

/** A topic level from a label: `/`, `+` and `#` would change the topic's meaning, so they become `_`. */
export function topicLevel(name: string): string {
  return name.replace(/[/+#]/g, '_');
}

/** Home Assistant's object ids and unique ids take letters, digits, `_` and `-` only. */
function idPart(name: string): string {
  return name.replace(/[^a-zA-Z0-9_-]/g, '_');
}

export function availabilityTopic(eventsPrefix: string): string {
  return `${eventsPrefix}/available`;
}

export function countTopic(eventsPrefix: string, camera: string, label: string): string {
  return `${eventsPrefix}/${camera}/${topicLevel(label)}`;
}

export function zoneCountTopic(eventsPrefix: string, camera: string, zone: string, label: string): string {
  return `${eventsPrefix}/${camera}/${zone}/${topicLevel(label)}`;
}

export function snapshotTopic(eventsPrefix: string, camera: string): string {
  return `${eventsPrefix}/${camera}/snapshot`;
}

export function cameraStatusTopic(prefix: string, camera: string): string {
  return `${prefix}/cameras/${camera}/status`;
}

export function homeAssistantStatusTopic(discoveryPrefix: string): string {
  return `${discoveryPrefix}/status`;
}

/** A count (text) is occupancy when it is above zero; binary_sensor's default payload_on/off are ON/OFF. */
const OCCUPIED_TEMPLATE = "{{ 'ON' if (value | int(0)) > 0 else 'OFF' }}";

/** Every discovery document of one camera. */
export function cameraDiscoveryDocuments(topics: DiscoveryTopics, camera: DiscoveredCamera): DiscoveryDocument[] {
  const { eventsPrefix, discoveryPrefix, applianceId } = topics;
  const nodeId = `ppipe_${applianceId}`;
  const common = {
    device: {
      identifiers: [`ppipe_${applianceId}_${camera.id}`],
      name: camera.name,
      manufacturer: 'PPipe',
      model: 'PPipe camera',
    },
    availability: [
      { topic: availabilityTopic(eventsPrefix), payload_available: 'online', payload_not_available: 'offline' },
    ],
    origin: { name: 'ppipe' },
  };
  const document = (
    component: DiscoveryComponent,
    thing: string,
    config: Record<string, unknown>,
  ): DiscoveryDocument => {
    const objectId = `${camera.id}_${idPart(thing)}`;
    return {
      topic: `${discoveryPrefix}/${component}/${nodeId}/${objectId}/config`,
      config: { ...config, unique_id: `ppipe_${applianceId}_${objectId}`, ...common },
    };
  };
  const documents = [
    document('sensor', 'status', {
      name: 'Status',
      state_topic: cameraStatusTopic(topics.prefix, camera.id),
      device_class: 'enum',
      options: [...CAMERA_STATUSES],
      entity_category: 'diagnostic',
    }),
    document('image', 'snapshot', {
      name: 'Latest event',
      image_topic: snapshotTopic(eventsPrefix, camera.id),
      content_type: 'image/jpeg',
    }),
  ];
  for (const label of camera.trackedLabels) {
    documents.push(
      document('sensor', `${label}_count`, {
        name: `${label} count`,
        state_topic: countTopic(eventsPrefix, camera.id, label),
        state_class: 'measurement',
        unit_of_measurement: 'objects',
        icon: 'mdi:counter',
      }),
      document('binary_sensor', `${label}_occupancy`, {
        name: `${label} occupancy`,
        state_topic: countTopic(eventsPrefix, camera.id, label),
        value_template: OCCUPIED_TEMPLATE,
        device_class: 'occupancy',
      }),
    );
  }
  for (const zone of camera.zones)
    for (const label of zone.labels) {
      documents.push(
        document('sensor', `${zone.name}_${label}_count`, {
          name: `${zone.name} ${label} count`,
          state_topic: zoneCountTopic(eventsPrefix, camera.id, zone.name, label),
          state_class: 'measurement',
          unit_of_measurement: 'objects',
          icon: 'mdi:counter',
        }),
        document('binary_sensor', `${zone.name}_${label}_occupancy`, {
          name: `${zone.name} ${label} occupancy`,
          state_topic: zoneCountTopic(eventsPrefix, camera.id, zone.name, label),
          value_template: OCCUPIED_TEMPLATE,
          device_class: 'occupancy',
        }),
      );
    }
  return documents;
}
