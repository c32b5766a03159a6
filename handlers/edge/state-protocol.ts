// The messages the Worker sends its Durable Object (state-object.ts), one zod schema for both sides.
import { z } from 'zod';

export const stateOpSchema = z.discriminatedUnion('op', [
  /** A remembered value; `touchMs` also pushes its expiry that far out (an MCP session in use). */
  z.object({ op: z.literal('get'), key: z.string().min(1), touchMs: z.number().int().positive().optional() }),
  z.object({ op: z.literal('set'), key: z.string().min(1), value: z.unknown(), ttlMs: z.number().int().positive() }),
  z.object({ op: z.literal('delete'), key: z.string().min(1) }),
  /** The runners' states, each checked again when its state is older than the check interval. */
  z.object({ op: z.literal('runners') }),
  z.object({ op: z.literal('runner-down'), name: z.string().min(1), reason: z.string() }),
]);

export type StateOp = z.infer<typeof stateOpSchema>;

/** The one object every isolate talks to: what it holds must be consistent, and it is small. */
export const STATE_OBJECT_NAME = 'clinvk-edge-state';
