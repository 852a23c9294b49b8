import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backend } from '../../src/core/config';
import {
  backendToSetting,
  buildMessages,
  chooseBackends,
  describeChoice,
  readBackends,
  readRunSettings,
  uniqueBackendId,
  type ConfigReader,
} from '../../src/extension/settings';
import { defaultPromptTemplates } from '../../src/core/template';

interface Scopes {
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
}

/** A fake configuration: `get` returns the effective value (folder > workspace > user). */
function reader(values: Record<string, Scopes>): ConfigReader {
  return {
    get<T>(key: string): T | undefined {
      const v = values[key];
      return (v?.workspaceFolderValue ?? v?.workspaceValue ?? v?.globalValue) as T | undefined;
    },
    inspect<T>(key: string) {
      return values[key] as { globalValue?: T; workspaceValue?: T; workspaceFolderValue?: T } | undefined;
    },
  };
}

const openai = { id: 'openai', label: 'OpenAI', kind: 'closed', baseUrl: 'https://api.openai.com/v1', model: 'gpt-4o-mini' };
const chutes = { id: 'chutes', kind: 'decentralized', baseUrl: 'https://llm.chutes.ai/v1', model: 'deepseek-ai/DeepSeek-V3' };

test('backends are read from user settings only; workspace values are ignored and reported', () => {
  const evil = [{ ...openai, baseUrl: 'https://attacker.example/v1' }];
  const r = readBackends(reader({ backends: { globalValue: [openai], workspaceValue: evil, workspaceFolderValue: evil } }));
  assert.deepEqual(r.backends.map((b) => b.baseUrl), ['https://api.openai.com/v1']);
  assert.deepEqual(r.ignoredScopes, ['workspace', 'workspaceFolder']);
  assert.equal(r.error, null);
});

test('a workspace-only backends value yields no backends', () => {
  const r = readBackends(reader({ backends: { workspaceValue: [openai] } }));
  assert.deepEqual(r.backends, []);
  assert.deepEqual(r.ignoredScopes, ['workspace']);
});

test('a bad entry is skipped with a message naming backend and field; the others still load', () => {
  const bad = { ...chutes, baseUrl: 'not a url' };
  const noId = { kind: 'local', baseUrl: 'http://127.0.0.1:8000/v1', model: 'm' };
  const r = readBackends(reader({ backends: { globalValue: [openai, bad, noId, { ...openai, label: 'dupe' }] } }));
  assert.deepEqual(r.backends.map((b) => b.id), ['openai']);
  assert.ok(r.error);
  const issues = r.error.issues;
  assert.ok(issues.some((l) => l.startsWith('backend "chutes" → baseUrl:')), issues.join('\n'));
  assert.equal(issues.filter((l) => l.startsWith('backend "chutes"')).length, 1, 'one message per bad field');
  assert.ok(issues.some((l) => l.startsWith('backend #3 → id:')), issues.join('\n'));
  assert.ok(issues.some((l) => l.includes('backend "openai": duplicate id')), issues.join('\n'));
  assert.match(r.error.message, /skipped/);
});

test('a non-array backends value is an error, not a crash', () => {
  const r = readBackends(reader({ backends: { globalValue: { id: 'x' } } }));
  assert.deepEqual(r.backends, []);
  assert.match(r.error?.message ?? '', /must be an array/);
});

test('parsed backends get schema defaults', () => {
  const [b] = readBackends(reader({ backends: { globalValue: [chutes] } })).backends;
  assert.deepEqual(b?.pricing, { type: 'unknown' });
  assert.equal(b?.streamUsage, 'auto');
});

test('run settings: defaults when nothing is set', () => {
  const s = readRunSettings(reader({}));
  assert.deepEqual(s.params, { maxTokens: 512, temperature: 0 });
  assert.equal(s.timeouts.connectMs, 10_000);
  assert.equal(s.timeouts.totalMs, 300_000);
  assert.equal(s.trials, 1);
  assert.equal(s.concurrency, 4);
  assert.equal(s.systemPrompt, undefined);
  assert.equal(s.promptTemplates.compareSelection, defaultPromptTemplates.compareSelection);
  assert.deepEqual(s.problems, []);
});

test('run settings: configured values are used', () => {
  const s = readRunSettings(
    reader({
      'request.maxTokens': { globalValue: 64 },
      'request.temperature': { workspaceValue: 0.7 },
      'request.seed': { globalValue: 42 },
      'timeouts.firstByteMs': { globalValue: 5000 },
      trials: { globalValue: 3 },
      concurrency: { globalValue: 2 },
      systemPrompt: { globalValue: 'Be brief.' },
      promptTemplates: { globalValue: { compareSelection: 'Fix ${selection}', mine: 'x' } },
    }),
  );
  assert.deepEqual(s.params, { maxTokens: 64, temperature: 0.7, seed: 42 });
  assert.equal(s.timeouts.firstByteMs, 5000);
  assert.equal(s.timeouts.idleMs, 30_000);
  assert.equal(s.trials, 3);
  assert.equal(s.concurrency, 2);
  assert.equal(s.systemPrompt, 'Be brief.');
  assert.equal(s.promptTemplates.compareSelection, 'Fix ${selection}');
  assert.equal(s.promptTemplates.mine, 'x');
  assert.equal(s.promptTemplates.comparePrompt, defaultPromptTemplates.comparePrompt);
  assert.deepEqual(s.problems, []);
});

test('run settings: invalid values fall back to defaults with a problem line each', () => {
  const s = readRunSettings(
    reader({
      'request.maxTokens': { globalValue: -1 },
      'request.temperature': { globalValue: 9 },
      'request.seed': { globalValue: 1.5 },
      'timeouts.idleMs': { globalValue: 'soon' },
      trials: { globalValue: 1000 },
      promptTemplates: { globalValue: { compareSelection: 7, comparePrompt: 'Q ${inptu}' } },
      systemPrompt: { globalValue: '   ' },
    }),
  );
  assert.equal(s.params.maxTokens, 512);
  assert.equal(s.params.temperature, 0);
  assert.equal(s.params.seed, undefined);
  assert.equal(s.timeouts.idleMs, 30_000);
  assert.equal(s.trials, 1);
  assert.equal(s.systemPrompt, undefined);
  assert.equal(s.promptTemplates.compareSelection, defaultPromptTemplates.compareSelection);
  const text = s.problems.join('\n');
  for (const key of ['request.maxTokens', 'request.temperature', 'request.seed', 'timeouts.idleMs', 'trials', 'compareSelection', '${inptu}']) {
    assert.ok(text.includes(key), `expected a problem about ${key} in:\n${text}`);
  }
});

test('messages: system prompt first when set', () => {
  assert.deepEqual(buildMessages('hi', undefined), [{ role: 'user', content: 'hi' }]);
  assert.deepEqual(buildMessages('hi', 'sys'), [
    { role: 'system', content: 'sys' },
    { role: 'user', content: 'hi' },
  ]);
});

test('choice: remembered ids filtered to configured, in configured order; default all', () => {
  const configured = [openai, chutes].map((b) => Backend.parse(b));
  assert.deepEqual(chooseBackends(configured, undefined).map((b) => b.id), ['openai', 'chutes']);
  assert.deepEqual(chooseBackends(configured, ['chutes', 'gone']).map((b) => b.id), ['chutes']);
  assert.deepEqual(chooseBackends(configured, ['gone']).map((b) => b.id), ['openai', 'chutes']);
  // The order the user chose is the column order.
  assert.deepEqual(chooseBackends(configured, ['chutes', 'openai']).map((b) => b.id), ['chutes', 'openai']);
  assert.deepEqual(chooseBackends(configured, ['chutes', 'openai', 'chutes']).map((b) => b.id), ['chutes', 'openai']);
});

test('status text names the chosen backends', () => {
  assert.equal(describeChoice([{ id: 'openai', label: 'OpenAI' }, { id: 'chutes' }]), 'OpenAI vs chutes');
  assert.equal(describeChoice([]), 'no backends');
  assert.equal(describeChoice(['a', 'b', 'c', 'd', 'e'].map((id) => ({ id }))), 'a vs b +3');
});

test('unique ids and the setting form of a backend', () => {
  assert.equal(uniqueBackendId('chutes', ['openai']), 'chutes');
  assert.equal(uniqueBackendId('chutes', ['chutes', 'chutes-2']), 'chutes-3');
  const b = Backend.parse({ ...chutes, apiKeyEnv: 'CHUTES_API_KEY' });
  const setting = backendToSetting(b);
  assert.equal('apiKeyEnv' in setting, false);
  assert.equal('streamUsage' in setting, false);
  const { apiKeyEnv: _dropped, ...withoutEnv } = b;
  assert.deepEqual(Backend.parse(setting), withoutEnv);
});
