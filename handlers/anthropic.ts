// The Anthropic-compatible surface at /anthropic/v1: messages and count_tokens. Errors in Anthropic's dialect.
import { Router, type IRequest } from 'itty-router';
import { isClinvkError } from '../runtime/contract.ts';
import { countTokens, createMessage, type AnthropicContext } from './anthropic/messages.ts';
import { anthropicError } from './anthropic/errors.ts';
import { thrownToResponse } from './errors.ts';
import { logDetail } from './middleware/recovery.ts';
import type { Logger } from '../runtime/contract.ts';

export function createAnthropicSurface(ctx: AnthropicContext) {
  const router = Router<IRequest, [AbortSignal]>({ base: '/anthropic/v1' })
    .post('/messages', (req, signal) => createMessage(req, ctx, signal))
    .post('/messages/count_tokens', (req) => countTokens(req));

  return async (req: Request, signal: AbortSignal, log?: Logger): Promise<Response | undefined> => {
    try {
      return await router.fetch(req, signal);
    } catch (err) {
      if (log) logDetail(log, err);
      return anthropicFailure(err);
    }
  };
}

export function anthropicFailure(err: unknown): Response {
  if (isClinvkError(err) && err.details?.notFound) return anthropicError(404, err.message);
  return thrownToResponse('anthropic', err).response;
}
