// The OpenAI-compatible surface at /openai/v1: models, chat completions, responses. Errors in OpenAI's dialect.
import { Router, type IRequest } from 'itty-router';
import type { Config } from '../runtime/config.ts';
import { isClinvkError } from '../runtime/contract.ts';
import { chatCompletions, type OpenAiContext } from './openai/chat.ts';
import { openaiError } from './openai/errors.ts';
import { getModel, listModels } from './openai/models.ts';
import { createResponse, getResponse, type ResponseStore } from './openai/responses.ts';
import { thrownToResponse } from './errors.ts';
import { logDetail } from './middleware/recovery.ts';
import type { Logger } from '../runtime/contract.ts';
import { pathParam } from './rest/parse.ts';

export interface OpenAiSurfaceOptions extends OpenAiContext {
  config: Config;
  responses: ResponseStore;
}

/** Returns undefined for paths it does not own, so the app's 404 answers them. */
export function createOpenAiSurface(opts: OpenAiSurfaceOptions) {
  const router = Router<IRequest, [AbortSignal]>({ base: '/openai/v1' })
    .get('/models', () => listModels(opts.backendNames, opts.config))
    .get('/models/:id+', (req) => getModel(pathParam(req.params.id, 'model'), opts.backendNames, opts.config))
    .post('/chat/completions', (req, signal) => chatCompletions(req, opts, signal))
    .post('/responses', (req, signal) => createResponse(req, opts, signal))
    .get('/responses/:id', (req) => getResponse(String(req.params.id), opts.responses));

  return async (req: Request, signal: AbortSignal, log?: Logger): Promise<Response | undefined> => {
    try {
      return await router.fetch(req, signal);
    } catch (err) {
      if (log) logDetail(log, err);
      return openaiFailure(err);
    }
  };
}

/** A thrown error (invalid input caught by the engine, or a bug) as an OpenAI error response. */
export function openaiFailure(err: unknown): Response {
  if (isClinvkError(err) && err.details?.notFound) return openaiError(404, err.message, { code: 'model_not_found', param: 'model' });
  return thrownToResponse('openai', err).response;
}
