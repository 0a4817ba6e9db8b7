/** POST /api/planner/jobs: the body as a zod schema (the wire type is `PlannerJobBody` in api.ts). */
import { z } from 'zod';

export const PLANNER_ALGORITHMS = ['ppipe', 'np', 'dart-r'] as const;

export const plannerJobBodySchema = z
  .object({
    problem: z.string().min(1).max(200).describe('`cluster` (this box) or the name of a problem in examples/'),
    algorithms: z
      .array(z.enum(PLANNER_ALGORITHMS))
      .min(1)
      .refine((list) => new Set(list).size === list.length, 'expected each algorithm at most once')
      .optional()
      .describe('Algorithms to plan with (default: all three)'),
    sweep: z.boolean().optional().describe('Simulate each plan under rising load'),
  })
  .strict();

export type PlannerJobBodyInput = z.input<typeof plannerJobBodySchema>;
export type PlannerJobBodyParsed = z.output<typeof plannerJobBodySchema>;
