// Where the camera form's schema sits in the config's JSON Schema. Shared by the page (which reads it from
// GET /api/config/schema) and the build's precompiled validator (app/ui/precompiledValidators.ts).

/** The camera item schema inside the config's JSON Schema (`properties.cameras.items`). */
export function cameraItemSchema(configSchema: unknown): Record<string, unknown> {
  const properties = (configSchema as { properties?: Record<string, { items?: unknown }> } | null)?.properties;
  const items = properties?.['cameras']?.items;
  if (items === null || typeof items !== 'object' || Array.isArray(items))
    throw new Error('config JSON Schema: expected an object schema at properties.cameras.items');
  return items as Record<string, unknown>;
}
