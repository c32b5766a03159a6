// Our effort levels in each backend's own words. claude --effort takes ours as they are
// (low|medium|high|max; it also has xhigh, which no door asks for); gemini has no setting.
import type { Effort } from '../contract.ts';

/** codex model_reasoning_effort (exec -c) and app-server turn/start `effort`: no "max", xhigh is its highest. */
export const CODEX_EFFORT: Record<Effort, string> = { low: 'low', medium: 'medium', high: 'high', max: 'xhigh' };
