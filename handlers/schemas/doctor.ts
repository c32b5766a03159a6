// The doctor's report as GET /api/v1/doctor and the MCP clinvk_backends tool send it: the same
// object `clinvk doctor --json` prints (runtime/contract.ts DoctorReport), one schema for both.
import { z } from 'zod';

export const doctorCheckSchema = z.object({
  id: z.string().describe('Stable id: node, backend.<name>, auth.<name>, sandbox.codex, config, sessions, live.<name>, backends'),
  status: z.enum(['ok', 'warn', 'fail', 'skip']),
  message: z.string().describe('What was found, one line'),
  fix: z.string().optional().describe('What to do, one line (every warn and fail has one)'),
  backend: z.string().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});

export const doctorReportSchema = z.object({
  ok: z.boolean().describe('No check failed (warnings allowed)'),
  version: z.string().describe('clinvk version'),
  checks: z.array(doctorCheckSchema),
});

/** `?live=1` (or true) also sends each backend found one tiny real prompt: it costs tokens. */
export const doctorQuerySchema = z.object({
  live: z.enum(['1', 'true', '0', 'false']).optional(),
});
