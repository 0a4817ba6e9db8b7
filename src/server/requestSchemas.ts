/**
 * The HTTP request bodies as zod schemas, validated on arrival. The wire types the UI sees are declared
 * without runtime imports in `api.ts`; `test/server/wireTypes.test.ts` keeps the two in step.
 */
import { z } from 'zod';
import { cameraConfigSchema, cameraUrlSchema } from '../config/index.ts';

/** POST /api/cameras */
export const cameraCreateBodySchema = cameraConfigSchema;
type Patch<Shape extends z.ZodRawShape> = z.ZodObject<{ [K in keyof Shape]: z.ZodOptional<Shape[K]> }>;
/**
 * A patch of an object schema's fields: each one optional and without its default, so that a field absent
 * from a patch stays absent (zod's `.partial()` would fill in the defaults and reset the fields not sent).
 */
function patchSchema<Shape extends z.ZodRawShape>(shape: Shape): Patch<Shape> {
  const fields = Object.entries(shape).map(([key, field]) => {
    return [key, z.optional(field instanceof z.ZodDefault ? field.unwrap() : field)] as const;
  });
  return z.object(Object.fromEntries(fields)).strict() as unknown as Patch<Shape>;
}

/** PATCH /api/cameras/:id: the fields to change (the id cannot change) */
export const cameraPatchBodySchema = patchSchema(cameraConfigSchema.omit({ id: true }).shape);
/** PUT /api/cameras/:id: the whole camera, defaults for the fields not sent; the id is the path's (or absent) */
export const cameraReplaceBodySchema = cameraConfigSchema.partial({ id: true });
/** POST /api/cameras/test-connection */
export const testConnectionBodySchema = z.object({ url: cameraUrlSchema }).strict();

export type CameraCreateBodyInput = z.input<typeof cameraCreateBodySchema>;
export type CameraPatchBodyInput = z.input<typeof cameraPatchBodySchema>;
export type CameraReplaceBodyInput = z.input<typeof cameraReplaceBodySchema>;
export type TestConnectionBodyInput = z.input<typeof testConnectionBodySchema>;

/** POST /api/auth/login (also as an HTML form, application/x-www-form-urlencoded) */
export const loginBodySchema = z.object({ password: z.string().min(1).max(1024) }).strict();
/** POST /api/auth/setup: the first admin password, with the one-time setup code from the log */
export const setupBodySchema = z
  .object({
    setupCode: z.string().min(1).max(256),
    password: z.string().min(1).max(1024),
    /** The form's second entry of the password, when sent: must match. */
    repeat: z.string().max(1024).optional(),
  })
  .strict()
  .refine((body) => body.repeat === undefined || body.repeat === body.password, {
    path: ['repeat'],
    message: 'the two passwords differ',
  });
/** POST /api/auth/tokens */
export const tokenCreateBodySchema = z
  .object({ name: z.string().min(1).max(64).describe('What the token is for (shown in the list)') })
  .strict();

export type LoginBodyInput = z.input<typeof loginBodySchema>;
export type SetupBodyInput = z.input<typeof setupBodySchema>;
export type TokenCreateBodyInput = z.input<typeof tokenCreateBodySchema>;
