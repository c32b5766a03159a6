// /openapi.json, generated from the same zod schemas that validate requests (ARCHITECTURE rule 2).
import { z } from 'zod';
import { chainRequestSchema, compareRequestSchema, parallelRequestSchema, promptRequestSchema } from './requests.ts';
import { doctorReportSchema } from './doctor.ts';
import {
  backendListSchema,
  chainResponseSchema,
  compareResponseSchema,
  healthSchema,
  parallelResponseSchema,
  problemSchema,
  runResultSchema,
  sessionDeletedSchema,
  sessionListSchema,
  sessionSchema,
  streamEventSchema,
} from './responses.ts';

const schema = (s: z.ZodType, io: 'input' | 'output') => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

const problems = {
  '400': { description: 'Invalid input', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
  '401': { description: 'Missing or wrong API key', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
  '429': { description: 'Rate limited (Retry-After)', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
  '503': { description: 'Overloaded or backend unavailable (Retry-After)', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
};

const jsonBody = (ref: string) => ({ required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } } });
const ok = (ref: string, extra: Record<string, unknown> = {}) => ({
  '200': { description: 'OK', content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } }, ...extra } },
  ...problems,
});

export function openApiDocument(version: string) {
  return {
    openapi: '3.1.0',
    info: { title: 'clinvk', version, description: 'One gateway to the AI coding CLIs (claude, codex, gemini).' },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key' } },
      schemas: {
        PromptRequest: schema(promptRequestSchema, 'input'),
        ParallelRequest: schema(parallelRequestSchema, 'input'),
        ChainRequest: schema(chainRequestSchema, 'input'),
        CompareRequest: schema(compareRequestSchema, 'input'),
        RunResult: schema(runResultSchema, 'output'),
        StreamEvent: schema(streamEventSchema, 'output'),
        ParallelResponse: schema(parallelResponseSchema, 'output'),
        ChainResponse: schema(chainResponseSchema, 'output'),
        CompareResponse: schema(compareResponseSchema, 'output'),
        Session: schema(sessionSchema, 'output'),
        SessionList: schema(sessionListSchema, 'output'),
        SessionDeleted: schema(sessionDeletedSchema, 'output'),
        BackendList: schema(backendListSchema, 'output'),
        DoctorReport: schema(doctorReportSchema, 'output'),
        Health: schema(healthSchema, 'output'),
        Problem: schema(problemSchema, 'output'),
      },
    },
    security: [{ bearer: [] }, { apiKey: [] }],
    paths: {
      '/api/v1/prompt': {
        post: {
          summary: 'Run a prompt (output_format stream-json streams NDJSON events)',
          requestBody: jsonBody('PromptRequest'),
          responses: ok('RunResult', { 'application/x-ndjson': { schema: { $ref: '#/components/schemas/StreamEvent' } } }),
        },
      },
      '/api/v1/parallel': { post: { summary: 'Run tasks in parallel', requestBody: jsonBody('ParallelRequest'), responses: ok('ParallelResponse') } },
      '/api/v1/chain': { post: { summary: 'Run steps in sequence; {{previous}} is the previous output', requestBody: jsonBody('ChainRequest'), responses: ok('ChainResponse') } },
      '/api/v1/compare': { post: { summary: 'Run one prompt on several backends', requestBody: jsonBody('CompareRequest'), responses: ok('CompareResponse') } },
      '/api/v1/backends': { get: { summary: 'List backends', responses: ok('BackendList') } },
      '/api/v1/doctor': {
        get: {
          summary: 'The checks of `clinvk doctor` (Node, backends found, versions, logins, sandbox, config, sessions); 501 on a Worker',
          parameters: [{ name: 'live', in: 'query', required: false, description: '1: also send each backend one tiny real prompt (costs tokens)', schema: { type: 'string', enum: ['1', 'true', '0', 'false'] } }],
          responses: ok('DoctorReport'),
        },
      },
      '/api/v1/sessions': {
        get: {
          summary: 'List sessions, newest first',
          parameters: ['backend', 'status', 'limit', 'offset'].map((name) => ({ name, in: 'query', required: false, schema: { type: name === 'limit' || name === 'offset' ? 'integer' : 'string' } })),
          responses: ok('SessionList'),
        },
      },
      '/api/v1/sessions/{id}': {
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' }, description: 'Session id or unique prefix' }],
        get: { summary: 'Get a session', responses: { ...ok('Session'), '404': problems['400'] } },
        delete: { summary: 'Delete a session', responses: { ...ok('SessionDeleted'), '404': problems['400'] } },
      },
      '/health': { get: { summary: 'Health', security: [], responses: { '200': { description: 'OK', content: { 'application/json': { schema: { $ref: '#/components/schemas/Health' } } } } } } },
      '/metrics': { get: { summary: 'Prometheus metrics (server.metrics_enabled)', security: [], responses: { '200': { description: 'Prometheus text' } } } },
    },
  };
}
