import { z } from 'zod';
import type { OpenApiRoutes } from './openapiOperation';
import { operation } from './openapiOperation';

const webhookSecretSchema = z
  .object({
    secret: z.string().meta({ description: 'the key of the HMAC; created on first use' }),
    header: z.literal('X-Cronium-Signature'),
    algorithm: z.literal('HMAC-SHA256'),
  })
  .meta({ id: 'WebhookSecret', description: "The tenant's webhook signing secret (docs/notifications.md)." });

/** Tool-action settings (createRestRouter.ts). */
export const toolOpenApiRoutes: OpenApiRoutes = {
  'GET /settings/webhook-secret': operation({
    summary: "The tenant's webhook signing secret, so receivers can verify X-Cronium-Signature (admin or operator key)",
    tags: ['settings'],
    ok: { status: 200, description: 'the secret', schema: webhookSecretSchema },
  }),
};
