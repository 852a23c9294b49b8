/**
 * The setting keys and the backends a workspace compares, as far as the status bar needs them.
 * Nothing here validates: this module is part of what the editor loads at start-up
 * (extension.ts), so it uses no schema library. The backends named at start-up are a sketch of
 * the raw setting; once a command runs, the validated backends (settings.ts) replace it.
 */
import type { Backend } from '../core/config';

/** Configuration section of every setting. */
export const settingsSection = 'bakeoff';

/** Setting keys, relative to the `bakeoff` section. */
export const settingKeys = {
  backends: 'backends',
  promptTemplates: 'promptTemplates',
  maxTokens: 'request.maxTokens',
  temperature: 'request.temperature',
  seed: 'request.seed',
  connectMs: 'timeouts.connectMs',
  firstByteMs: 'timeouts.firstByteMs',
  idleMs: 'timeouts.idleMs',
  totalMs: 'timeouts.totalMs',
  trials: 'trials',
  concurrency: 'concurrency',
  parallelTrials: 'parallelTrials',
  systemPrompt: 'systemPrompt',
  checkCommand: 'check.command',
  checkTimeoutMs: 'check.timeoutMs',
  historyMaxSizeMB: 'history.maxSizeMB',
} as const;

/** `workspaceState` key of the chosen backend ids. */
export const chosenStateKey = 'bakeoff.chosenBackends';

/** What the status bar shows of a backend: a validated {@link Backend} is one. */
export interface BackendSketch {
  id: string;
  label?: string;
  kind?: string;
  model?: string;
}

/** The chosen backend ids stored in `workspaceState`, if any were. */
export function rememberedChoiceFrom(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined;
}

/**
 * The entries of a raw `bakeoff.backends` user value that have an id, as the status bar names
 * them before the setting is validated: the first entry of each id, its label, kind and model
 * when they are strings. Entries that fail validation are reported, and dropped from the status
 * bar, when a command runs.
 */
export function sketchBackends(raw: unknown): BackendSketch[] {
  if (!Array.isArray(raw)) return [];
  const seen = new Set<string>();
  const out: BackendSketch[] = [];
  for (const item of raw as unknown[]) {
    if (!item || typeof item !== 'object') continue;
    const { id, label, kind, model } = item as Record<string, unknown>;
    if (typeof id !== 'string' || id === '' || seen.has(id)) continue;
    seen.add(id);
    out.push({
      id,
      ...(typeof label === 'string' && label !== '' ? { label } : {}),
      ...(typeof kind === 'string' ? { kind } : {}),
      ...(typeof model === 'string' ? { model } : {}),
    });
  }
  return out;
}

/**
 * The backends a comparison uses, in column order: the remembered choice (ids, in the order the
 * user gave them) filtered to what is still configured; all configured backends when nothing
 * valid was remembered.
 */
export function chooseBackends<T extends Pick<Backend, 'id'>>(configured: readonly T[], remembered: readonly string[] | undefined): T[] {
  if (remembered && remembered.length) {
    const chosen = [...new Set(remembered)].map((id) => configured.find((b) => b.id === id)).filter((b): b is T => b !== undefined);
    if (chosen.length) return chosen;
  }
  return [...configured];
}

/** Display name of a backend. */
export function backendName(backend: Pick<Backend, 'id' | 'label'>): string {
  return backend.label ?? backend.id;
}

/** Status-bar text for the chosen backends, e.g. `OpenAI vs Chutes` or `OpenAI vs Chutes +2`. */
export function describeChoice(chosen: readonly Pick<Backend, 'id' | 'label'>[], maxNames = 3): string {
  if (!chosen.length) return 'no backends';
  const names = chosen.map(backendName);
  if (names.length <= maxNames) return names.join(' vs ');
  return `${names.slice(0, maxNames - 1).join(' vs ')} +${names.length - (maxNames - 1)}`;
}
