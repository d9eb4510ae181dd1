// The error envelope every route answers with (spec/api.md "Errors — one envelope everywhere").

import { z } from 'zod';

export const ErrorDetailSchema = z.object({
  path: z.string(),
  message: z.string(),
});
export type ErrorDetail = z.infer<typeof ErrorDetailSchema>;

export const ErrorEnvelopeSchema = z
  .object({
    error: z
      .object({
        code: z.string(),
        message: z.string(),
        details: z.array(ErrorDetailSchema).optional(),
        request_id: z.string(),
        retry_after: z.number().int().optional(),
        phase: z.string().optional(),
      })
      .loose(),
  })
  .meta({ id: 'ErrorEnvelope' });
export type ErrorEnvelope = z.infer<typeof ErrorEnvelopeSchema>;
