// Which backend (and model) a compatible-API `model` field selects (SPEC §6):
// an exact backend name; `backend/model` selects both; else a name containing claude / gpt / gemini
// (and OpenAI's o-series and codex names) picks that family's backend with the name as the model;
// anything else goes to the default backend with no model override.

export interface ModelTarget {
  backend: string;
  model?: string;
  /** `backend/model` named a backend that does not exist. */
  unknown?: boolean;
}

const FAMILIES: { test: RegExp; backend: string }[] = [
  { test: /claude|sonnet|opus|haiku/i, backend: 'claude' },
  { test: /gpt|codex|^o\d/i, backend: 'codex' },
  { test: /gemini/i, backend: 'gemini' },
];

export function resolveModelTarget(model: string, backends: readonly string[], defaultBackend: string): ModelTarget {
  const name = model.trim();
  if (backends.includes(name)) return { backend: name };
  const slash = name.indexOf('/');
  if (slash > 0) {
    const backend = name.slice(0, slash);
    const rest = name.slice(slash + 1);
    if (backends.includes(backend)) return rest ? { backend, model: rest } : { backend };
    // `x/y` names a backend explicitly; an unknown one is a mistake, not a reason to guess.
    return { backend, unknown: true };
  }
  for (const f of FAMILIES) if (f.test.test(name) && backends.includes(f.backend)) return { backend: f.backend, model: name };
  return { backend: defaultBackend };
}

/** `backend/model` ids advertised on /models: every configured model and alias, per backend. */
export function advertisedModels(
  backends: readonly string[],
  configured: Record<string, { model?: string; models?: Record<string, string> } | undefined>,
): string[] {
  const ids: string[] = [];
  for (const b of backends) {
    ids.push(b);
    const c = configured[b];
    const names = new Set<string>();
    if (c?.model) names.add(c.model);
    for (const [alias, target] of Object.entries(c?.models ?? {})) {
      names.add(alias);
      names.add(target);
    }
    for (const n of names) ids.push(`${b}/${n}`);
  }
  return ids;
}
