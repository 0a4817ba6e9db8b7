// The config room: the one zod schema of the YAML configuration and of planning problems, and the loader.
export { ALGORITHMS, PLACEMENTS, cameraGroupSchema, dnnEntrySchema, gpuEntrySchema, linkSchema, problemSchema, siteSchema } from './planningProblem.ts';
export type { Algorithm, Placement } from './planningProblem.ts';
export { appConfigSchema, ConfigError, loadAppConfig } from './appConfig.ts';
export type { AppConfig } from './appConfig.ts';
