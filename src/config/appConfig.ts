/**
 * The one schema of the appliance's YAML configuration (config/default.yaml is the documented example).
 * Every field has a title-like description; unknown keys are errors, and all errors are reported at once.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { problemSchema } from './planningProblem.ts';

export const appConfigSchema = z
  .object({
    version: z.literal(1).default(1).describe('Configuration format version'),
    planner: z
      .object({
        timeLimitS: z.number().positive().default(60).describe('Wall-clock limit of one planning run, seconds'),
        problem: problemSchema.describe('The cluster and the DNNs to plan for; profile folders are relative to this file'),
      })
      .strict()
      .describe('Control plane: the planning problem solved at start'),
  })
  .strict();

export type AppConfig = z.output<typeof appConfigSchema>;

export class ConfigError extends Error {
  constructor(readonly file: string, readonly issues: string[]) {
    super(`${file}: ${issues.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates a YAML config file; every problem is reported with its field path. */
export function loadAppConfig(file: string): AppConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [`cannot be read: ${(error as Error).message}`]);
  }
  let data: unknown;
  try {
    data = parseYaml(text) as unknown;
  } catch (error) {
    throw new ConfigError(file, [`expected YAML: ${(error as Error).message.split('\n')[0]}`]);
  }
  const parsed = appConfigSchema.safeParse(data);
  if (!parsed.success) {
    throw new ConfigError(file, parsed.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`));
  }
  return parsed.data;
}
