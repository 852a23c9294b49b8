/**
 * The settings schema of package.json, generated from the zod schemas of config.ts and the limits
 * of limits.ts, so the editor's validation and completion can never drift from what the code
 * accepts. `npm run gen:schema` writes it; a unit test checks that package.json equals it.
 */
import { z } from 'zod';
import { Backend } from './config';
import { concurrencyLimits, maxTimerMs, maxTokensLimits, timeoutDefaults, trialsLimits } from './limits';

/** JSON schema of one backend, as VS Code's settings editor reads it (draft 7, no `$schema`). */
export function backendJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(Backend, { io: 'input', target: 'draft-7', unrepresentable: 'any' }) as Record<string, unknown>;
  delete schema.$schema;
  return schema;
}

/** One contributed setting: the JSON schema VS Code shows and validates. */
export type SettingSchema = Record<string, unknown>;

/**
 * The generated parts of `contributes.configuration.properties`: the whole `bakeoff.backends`
 * entry, and the range and default of every setting with a limit. Everything else of a setting
 * (description, order, scope) stays as written in package.json.
 */
export function generatedSettings(current: Readonly<Record<string, SettingSchema>>): Record<string, SettingSchema> {
  const out: Record<string, SettingSchema> = {};
  out['bakeoff.backends'] = {
    type: 'array',
    default: [],
    scope: 'application',
    order: 0,
    items: backendJsonSchema(),
    markdownDescription:
      'OpenAI-compatible endpoints to compare. Add one with **Bakeoff: Add Backend…**. Read from your user settings only (workspace settings cannot redirect a stored key). API keys live in the secret store — set them with **Bakeoff: Set API Key…**; a key is only sent to the origin it was saved for.',
  };
  const ranged: Record<string, { default: number; minimum: number; maximum: number }> = {
    'bakeoff.trials': { default: trialsLimits.default, minimum: trialsLimits.min, maximum: trialsLimits.max },
    'bakeoff.concurrency': { default: concurrencyLimits.default, minimum: concurrencyLimits.min, maximum: concurrencyLimits.max },
    'bakeoff.request.maxTokens': { default: maxTokensLimits.default, minimum: maxTokensLimits.min, maximum: maxTokensLimits.max },
    'bakeoff.timeouts.connectMs': { default: timeoutDefaults.connectMs, minimum: 1, maximum: maxTimerMs },
    'bakeoff.timeouts.firstByteMs': { default: timeoutDefaults.firstByteMs, minimum: 1, maximum: maxTimerMs },
    'bakeoff.timeouts.idleMs': { default: timeoutDefaults.idleMs, minimum: 1, maximum: maxTimerMs },
    'bakeoff.timeouts.totalMs': { default: timeoutDefaults.totalMs, minimum: 1, maximum: maxTimerMs },
  };
  for (const [key, range] of Object.entries(ranged)) {
    const base = current[key];
    if (!base) throw new Error(`package.json has no setting ${key}`);
    out[key] = { ...base, ...range };
  }
  return out;
}
