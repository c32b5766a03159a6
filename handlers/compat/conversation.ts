// Chat histories → one backend run. The backends take one prompt per run, so a history is either
// folded into a single prompt, or, when it extends a conversation this server answered before,
// sent as a resume of that backend session carrying only the new turns [beyond].
import type { Attachment } from '../../runtime/contract.ts';
import { ExpiringMap } from './expiring-map.ts';
import type { KeyValueMemory } from './memory.ts';

export type ChatRole = 'system' | 'user' | 'assistant' | 'tool';
export interface ChatTurn {
  role: ChatRole;
  text: string;
  /** Tool name for tool results, when known. */
  name?: string;
  /** Images and files of this turn (compat/attachment-parts.ts); its text holds a placeholder for each. */
  attachments?: Attachment[];
}

export interface FoldedPrompt {
  prompt: string;
  systemPrompt?: string;
}

const LABEL: Record<Exclude<ChatRole, 'system'>, string> = { user: 'User', assistant: 'Assistant', tool: 'Tool result' };

/**
 * System turns become the system prompt (joined by blank lines). A single remaining user turn is
 * the prompt as is; a longer history becomes a labelled transcript that ends with the last turn.
 */
export function foldTurns(turns: ChatTurn[]): FoldedPrompt {
  const system = turns.filter((t) => t.role === 'system').map((t) => t.text.trim()).filter(Boolean);
  const rest = turns.filter((t) => t.role !== 'system');
  const folded: FoldedPrompt = { prompt: transcript(rest) };
  if (system.length) folded.systemPrompt = system.join('\n\n');
  return folded;
}

function transcript(turns: ChatTurn[]): string {
  // Nothing to say (only system turns, or only empty ones): no prompt, so the run is refused, not started on a bare header.
  if (turns.every((t) => t.text.trim() === '')) return '';
  if (turns.length === 1 && turns[0]!.role === 'user') return turns[0]!.text;
  const parts = turns.map((t) => {
    const role = t.role as Exclude<ChatRole, 'system'>;
    const label = role === 'tool' && t.name ? `${LABEL.tool} (${t.name})` : LABEL[role];
    return `${label}:\n${t.text}`;
  });
  return `The conversation so far (answer the last message):\n\n${parts.join('\n\n')}`;
}

/** Maps "this history, answered by us" → the clinvk session that holds it. */
export class ConversationCache extends ExpiringMap<string> {}
/** Any keeper of that map: the in-memory cache above, or the edge's Durable Object. */
export type ConversationMemory = KeyValueMemory<string>;

/** A stable key for a history on one backend/model. SHA-256 via Web Crypto (Node and workerd). */
export async function historyKey(target: { backend: string; model?: string }, turns: ChatTurn[]): Promise<string> {
  // Attachments count too: the same words about another image are another conversation.
  const canonical = JSON.stringify([target.backend, target.model ?? '', turns.map((t) => [t.role, t.name ?? '', t.text, ...(t.attachments ?? []).map((a) => a.data ?? a.url ?? a.path)])]);
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonical));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

export interface ConversationPlan extends FoldedPrompt {
  /** The clinvk session to resume, when the history extends one we answered. */
  resumeSessionId?: string;
}

/**
 * Decide how to run `turns`: find the last assistant turn; if the history up to it is one we
 * answered (same system prompt, same backend/model), resume that session with only the turns after it.
 */
export async function planConversation(
  cache: ConversationMemory | undefined,
  target: { backend: string; model?: string },
  turns: ChatTurn[],
): Promise<ConversationPlan> {
  const folded = foldTurns(turns);
  if (!cache) return folded;
  let lastAssistant = -1;
  turns.forEach((t, i) => {
    if (t.role === 'assistant') lastAssistant = i;
  });
  const after = turns.slice(lastAssistant + 1);
  if (lastAssistant < 0 || after.length === 0 || after.some((t) => t.role === 'system' || t.role === 'assistant')) return folded;
  const sessionId = await cache.get(await historyKey(target, turns.slice(0, lastAssistant + 1)));
  if (!sessionId) return folded;
  // The system prompt is part of the key and already lives in the resumed session: not sent again.
  return { prompt: transcript(after), resumeSessionId: sessionId };
}

/** After a successful answer: remember history + answer → session, so the next turn can resume it. */
export async function rememberAnswer(
  cache: ConversationMemory | undefined,
  target: { backend: string; model?: string },
  turns: ChatTurn[],
  answer: string,
  sessionId: string | undefined,
): Promise<void> {
  if (!cache || !sessionId) return;
  await cache.set(await historyKey(target, [...turns, { role: 'assistant', text: answer }]), sessionId);
}
