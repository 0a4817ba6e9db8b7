// Schemas written from the documentation of the systems that read what the appliance publishes, independent of
// the appliance's own schemas (src/cluster/control/messages.ts), so a drift on either side fails a test.
import { z } from 'zod';

// Frigate docs, "integrations/mqtt" (docs.frigate.video/integrations/mqtt), topic `frigate/events`: "Message
// published for each changed tracked object … When the tracked object ends, a final message is published with
// end_time set." The fields the page shows that we publish; times are epoch seconds (floats), `box` is
// [x_min, y_min, x_max, y_max] and `area` its area; `before` is the object before the change.
export const frigateTrackedObject = z.looseObject({
  id: z.string().regex(/^\d+\.\d+-[a-z0-9]+$/, "Frigate's id: <epoch seconds>.<fraction>-<random>"),
  camera: z.string().min(1),
  frame_time: z.number().positive(),
  label: z.string().min(1),
  top_score: z.number().min(0).max(1),
  start_time: z.number().positive(),
  end_time: z.number().positive().nullable(),
  score: z.number().min(0).max(1),
  box: z.tuple([z.number(), z.number(), z.number(), z.number()]).refine(([x1, y1, x2, y2]) => x2 > x1 && y2 > y1),
  area: z.number().min(0),
  current_zones: z.array(z.string()),
  entered_zones: z.array(z.string()),
  has_snapshot: z.boolean(),
  stationary: z.boolean(),
});

export const frigateEvent = z.strictObject({
  type: z.enum(['new', 'update', 'end']),
  before: frigateTrackedObject.nullable(),
  after: frigateTrackedObject,
});

// Home Assistant, "MQTT" integration page (home-assistant.io/integrations/mqtt), section "MQTT Discovery":
// discovery topic `<discovery_prefix>/<component>/[<node_id>/]<object_id>/config`, node_id and object_id of
// `[a-zA-Z0-9_-]+`; `device` needs identifiers or connections; `origin` needs `name`; an `availability`
// entry has `topic` and optional `payload_available` / `payload_not_available` (default online/offline).
export const DISCOVERY_TOPIC = /^([^/]+)\/(sensor|binary_sensor|image)\/([a-zA-Z0-9_-]+)\/([a-zA-Z0-9_-]+)\/config$/;

const device = z.strictObject({
  identifiers: z.array(z.string().min(1)).min(1),
  name: z.string().min(1),
  manufacturer: z.string().optional(),
  model: z.string().optional(),
  sw_version: z.string().optional(),
  hw_version: z.string().optional(),
  suggested_area: z.string().optional(),
  configuration_url: z.string().optional(),
  via_device: z.string().optional(),
});

const commonEntity = {
  name: z.string().nullable().optional(),
  unique_id: z.string().min(1),
  device,
  origin: z.strictObject({
    name: z.string().min(1),
    sw_version: z.string().optional(),
    support_url: z.string().optional(),
  }),
  availability: z
    .array(
      z.strictObject({
        topic: z.string().min(1),
        payload_available: z.string().default('online'),
        payload_not_available: z.string().default('offline'),
        value_template: z.string().optional(),
      }),
    )
    .min(1),
  availability_mode: z.enum(['all', 'any', 'latest']).optional(),
  enabled_by_default: z.boolean().optional(),
  entity_category: z.enum(['config', 'diagnostic']).optional(),
  icon: z.string().regex(/^mdi:/).optional(),
  json_attributes_topic: z.string().optional(),
  object_id: z.string().optional(),
  qos: z.union([z.literal(0), z.literal(1), z.literal(2)]).optional(),
};

// "MQTT Sensor" (home-assistant.io/integrations/sensor.mqtt): `state_topic` is required; `options` needs
// device_class `enum` and "cannot be used together with state_class or unit_of_measurement".
export const haSensor = z
  .strictObject({
    ...commonEntity,
    state_topic: z.string().min(1),
    device_class: z.string().optional(),
    state_class: z.enum(['measurement', 'total', 'total_increasing']).optional(),
    unit_of_measurement: z.string().optional(),
    options: z.array(z.string()).min(1).optional(),
    value_template: z.string().optional(),
    expire_after: z.number().int().optional(),
    force_update: z.boolean().optional(),
    suggested_display_precision: z.number().int().optional(),
  })
  .refine(
    (s) =>
      s.options === undefined ||
      (s.device_class === 'enum' && s.state_class === undefined && s.unit_of_measurement === undefined),
    'options need device_class enum and no state_class or unit_of_measurement',
  );

// "MQTT Binary sensor" (home-assistant.io/integrations/binary_sensor.mqtt): `state_topic` required, state on
// `payload_on` (default "ON") / `payload_off` (default "OFF") after `value_template`; device classes of
// developers.home-assistant.io "Binary sensor entity" (occupancy: "On means occupied (detected)").
export const haBinarySensor = z.strictObject({
  ...commonEntity,
  state_topic: z.string().min(1),
  device_class: z.enum(['motion', 'occupancy', 'presence', 'moving', 'running', 'problem', 'connectivity']).optional(),
  value_template: z.string().optional(),
  payload_on: z.string().optional(),
  payload_off: z.string().optional(),
  off_delay: z.number().int().optional(),
  expire_after: z.number().int().optional(),
  force_update: z.boolean().optional(),
});

// "MQTT Image" (home-assistant.io/integrations/image.mqtt): `image_topic` (the full contents of an image file)
// or `url_topic`, not both; `content_type` defaults to image/jpeg.
export const haImage = z
  .strictObject({
    ...commonEntity,
    image_topic: z.string().min(1).optional(),
    url_topic: z.string().min(1).optional(),
    content_type: z
      .string()
      .regex(/^image\//)
      .optional(),
    image_encoding: z.literal('b64').optional(),
  })
  .refine(
    (i) => (i.image_topic === undefined) !== (i.url_topic === undefined),
    'image_topic or url_topic, one of them',
  );

export const HA_COMPONENT_SCHEMAS = { sensor: haSensor, binary_sensor: haBinarySensor, image: haImage } as const;
