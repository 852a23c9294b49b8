/**
 * Reads the `bakeoff.*` settings. Everything here works on a minimal configuration reader so it
 * can be tested without the editor; `vscode.WorkspaceConfiguration` satisfies it.
 */
import { isAbsolute } from 'node:path';
import { z } from 'zod';
import {
  Backend,
  Concurrency,
  ConfigError,
  DurationMs,
  RequestParams,
  Timeouts,
  Trials,
  describeIssues,
  type ChatMessage,
} from '../core/config';
import { concurrencyLimits, trialsLimits } from '../core/limits';
import { defaultPromptTemplates, unknownPlaceholders } from '../core/template';
import { settingKeys } from './backendChoice';

export { backendName, chooseBackends, describeChoice, settingKeys, settingsSection } from './backendChoice';

/** Default time limit of one candidate check, ms. */
export const defaultCheckTimeoutMs = 120_000;

/** The subset of `vscode.WorkspaceConfiguration` used here. */
export interface ConfigReader {
  get<T>(section: string): T | undefined;
  inspect<T>(section: string):
    | { globalValue?: T; workspaceValue?: T; workspaceFolderValue?: T; defaultValue?: T }
    | undefined;
}

/** Result of reading `bakeoff.backends`. */
export interface BackendsReading {
  /** Valid backends from the user (global) settings, in order. */
  backends: Backend[];
  /** Every skipped entry, as a ConfigError naming the backend and field; null when none. */
  error: ConfigError | null;
  /** Scopes that hold a value which was ignored (the setting is honoured from user settings only). */
  ignoredScopes: Array<'workspace' | 'workspaceFolder'>;
}

/**
 * Reads `bakeoff.backends` from the user settings only and validates it entry by entry, so one
 * bad backend is reported and skipped while the others still work. Duplicate ids keep the first.
 */
export function readBackends(config: ConfigReader): BackendsReading {
  const inspected = config.inspect<unknown>(settingKeys.backends);
  const ignoredScopes: BackendsReading['ignoredScopes'] = [];
  if (inspected?.workspaceValue !== undefined) ignoredScopes.push('workspace');
  if (inspected?.workspaceFolderValue !== undefined) ignoredScopes.push('workspaceFolder');
  const raw = inspected?.globalValue;
  if (raw === undefined || raw === null) return { backends: [], error: null, ignoredScopes };
  if (!Array.isArray(raw)) {
    return {
      backends: [],
      error: new ConfigError('Invalid setting bakeoff.backends', ['bakeoff.backends: must be an array of backend objects']),
      ignoredScopes,
    };
  }
  const backends: Backend[] = [];
  const issues: string[] = [];
  const seen = new Set<string>();
  raw.forEach((item: unknown, index: number) => {
    const parsed = Backend.safeParse(item);
    if (!parsed.success) {
      // One message per field: a bad URL fails both the URL check and the http(s) refinement.
      const seenPaths = new Set<string>();
      const firstPerField = parsed.error.issues.filter((issue) => {
        const key = issue.path.map(String).join('.');
        return seenPaths.has(key) ? false : (seenPaths.add(key), true);
      });
      const shifted = new z.ZodError(firstPerField.map((issue) => ({ ...issue, path: ['backends', index, ...issue.path] })));
      issues.push(...describeIssues(shifted, { backends: raw }).map((line) => `${line} (skipped)`));
      return;
    }
    const ca = parsed.data.tls?.ca;
    if (ca !== undefined && !isAbsolute(ca)) {
      issues.push(`backend "${parsed.data.id}" → tls.ca: must be an absolute path in user settings (skipped)`);
      return;
    }
    if (seen.has(parsed.data.id)) {
      issues.push(`backend "${parsed.data.id}": duplicate id (entry #${index + 1} skipped)`);
      return;
    }
    seen.add(parsed.data.id);
    backends.push(parsed.data);
  });
  const error = issues.length ? new ConfigError('Some entries of bakeoff.backends were skipped', issues) : null;
  return { backends, error, ignoredScopes };
}

/** A zod-validated numeric setting: the configured value, or the default with a problem line. */
function readNumber(
  config: ConfigReader,
  key: string,
  schema: z.ZodType<number>,
  fallback: number,
  problems: string[],
): number {
  const value = config.get<unknown>(key);
  if (value === undefined || value === null) return fallback;
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  problems.push(`bakeoff.${key}: ${parsed.error.issues[0]?.message ?? 'invalid value'} (using ${fallback})`);
  return fallback;
}

/** Everything a comparison needs from the settings, besides the backends. */
export interface RunSettings {
  params: RequestParams;
  timeouts: Timeouts;
  trials: number;
  concurrency: number;
  /** Most requests in flight to one backend (1: its trials never overlap). */
  perBackendConcurrency: number;
  systemPrompt: string | undefined;
  promptTemplates: Record<string, string>;
  /** Invalid values that were replaced by defaults; one line each. */
  problems: string[];
}

/** Reads request parameters, timeouts, trials, concurrency, system prompt and templates. */
export function readRunSettings(config: ConfigReader): RunSettings {
  const problems: string[] = [];
  const paramDefaults = RequestParams.parse({});
  const timeoutDefaults = Timeouts.parse({});

  const seedValue = config.get<unknown>(settingKeys.seed);
  let seed: number | undefined;
  if (seedValue !== undefined && seedValue !== null) {
    const parsed = z.number().int().safeParse(seedValue);
    if (parsed.success) seed = parsed.data;
    else problems.push('bakeoff.request.seed: must be an integer (no seed sent)');
  }
  const params: RequestParams = {
    maxTokens: readNumber(config, settingKeys.maxTokens, RequestParams.shape.maxTokens.unwrap(), paramDefaults.maxTokens, problems),
    temperature: readNumber(config, settingKeys.temperature, RequestParams.shape.temperature.unwrap(), paramDefaults.temperature, problems),
    ...(seed === undefined ? {} : { seed }),
  };
  const timeouts: Timeouts = {
    ...timeoutDefaults,
    connectMs: readNumber(config, settingKeys.connectMs, DurationMs, timeoutDefaults.connectMs, problems),
    firstByteMs: readNumber(config, settingKeys.firstByteMs, DurationMs, timeoutDefaults.firstByteMs, problems),
    idleMs: readNumber(config, settingKeys.idleMs, DurationMs, timeoutDefaults.idleMs, problems),
    totalMs: readNumber(config, settingKeys.totalMs, DurationMs, timeoutDefaults.totalMs, problems),
  };
  const trials = readNumber(config, settingKeys.trials, Trials, trialsLimits.default, problems);
  const concurrency = readNumber(config, settingKeys.concurrency, Concurrency, concurrencyLimits.default, problems);
  const perBackendConcurrency = readNumber(config, settingKeys.parallelTrials, Concurrency, 1, problems);

  const systemValue = config.get<unknown>(settingKeys.systemPrompt);
  const systemPrompt = typeof systemValue === 'string' && systemValue.trim() !== '' ? systemValue : undefined;

  const promptTemplates: Record<string, string> = { ...defaultPromptTemplates };
  const templatesValue = config.get<unknown>(settingKeys.promptTemplates);
  if (templatesValue !== undefined && templatesValue !== null) {
    if (typeof templatesValue !== 'object' || Array.isArray(templatesValue)) {
      problems.push('bakeoff.promptTemplates: must be an object of name → template (using the defaults)');
    } else {
      for (const [name, template] of Object.entries(templatesValue as Record<string, unknown>)) {
        if (typeof template !== 'string') {
          problems.push(`bakeoff.promptTemplates → ${name}: must be a string (ignored)`);
          continue;
        }
        promptTemplates[name] = template;
        const unknown = unknownPlaceholders(template);
        if (unknown.length) {
          problems.push(
            `bakeoff.promptTemplates → ${name}: unknown placeholder ${unknown.map((u) => '${' + u + '}').join(', ')} (left as written)`,
          );
        }
      }
    }
  }
  return { params, timeouts, trials, concurrency, perBackendConcurrency, systemPrompt, promptTemplates, problems };
}

/** The chat messages for one comparison: the optional system prompt, then the user prompt. */
export function buildMessages(userPrompt: string, systemPrompt: string | undefined): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (systemPrompt !== undefined) messages.push({ role: 'system', content: systemPrompt });
  messages.push({ role: 'user', content: userPrompt });
  return messages;
}

/** A new id based on `base` that is not in `taken` (`base`, `base-2`, `base-3`…). */
export function uniqueBackendId(base: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  const stem = base.slice(0, 58);
  if (!used.has(base)) return base;
  for (let n = 2; ; n++) {
    const candidate = `${stem}-${n}`;
    if (!used.has(candidate)) return candidate;
  }
}

/**
 * The JSON written to user settings for a backend: drops defaults that add noise and the
 * CLI-only `apiKeyEnv`.
 */
export function backendToSetting(backend: Backend): Record<string, unknown> {
  const { apiKeyEnv: _cliOnly, ...rest } = backend;
  const out: Record<string, unknown> = { ...rest };
  if (backend.streamUsage === 'auto') delete out.streamUsage;
  for (const [k, v] of Object.entries(out)) if (v === undefined) delete out[k];
  return out;
}
