// GET /openai/v1/models and /models/{id}: the backends, plus `backend/model` ids from config.
import type { Config } from '../../runtime/config.ts';
import { advertisedModels } from '../compat/model-routing.ts';
import { openaiError } from './errors.ts';

const CREATED = 1_735_689_600; // fixed: these ids are not versioned models with a release date

const modelObject = (id: string) => ({ id, object: 'model' as const, created: CREATED, owned_by: `clinvk:${id.split('/')[0]}` });

export function listModels(backendNames: readonly string[], config: Config): Response {
  const data = advertisedModels(backendNames, config.backends).map(modelObject);
  return Response.json({ object: 'list', data });
}

export function getModel(id: string, backendNames: readonly string[], config: Config): Response {
  const ids = advertisedModels(backendNames, config.backends);
  if (ids.includes(id)) return Response.json(modelObject(id));
  return openaiError(404, `The model \`${id}\` does not exist. Available: ${ids.join(', ')}`, { code: 'model_not_found', param: 'model' });
}
