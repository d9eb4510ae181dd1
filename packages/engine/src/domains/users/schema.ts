// Route-only schemas of the users group; wire shapes come from @borealis/protocol.

import { z } from 'zod';

/** Any string up to the lookup limit: a malformed name is simply unknown (404), not invalid. */
export const UsernameParamsSchema = z.object({ username: z.string().min(1).max(256) });
