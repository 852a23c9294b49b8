import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { defaultPromptTemplates } from '../../src/core/template';
import { generatedSettings } from '../../src/core/configSchema';
import { concurrencyLimits, historyLimits, trialsLimits } from '../../src/core/limits';
import { settingKeys, settingsSection } from '../../src/extension/settings';

const root = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const contributes = pkg.contributes;
const properties: Record<string, Record<string, unknown>> = contributes.configuration.properties;
const contributedIds: string[] = contributes.commands.map((c: { command: string }) => c.command);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}
const extensionSources = sourceFiles(join(root, 'src', 'extension')).map((f) => ({ file: f, text: readFileSync(f, 'utf8') }));

test('engine, entry point, icon and activation', () => {
  assert.equal(pkg.engines.vscode, '^1.100.0');
  assert.equal(pkg.main, './dist/extension.js');
  assert.ok(pkg.activationEvents.includes('onWebviewPanel:bakeoff.panel'));
  assert.ok(pkg.activationEvents.includes('onWebviewPanel:bakeoff.suiteReport'), 'the suite report comes back after a reload');
  // The status-bar item must show the chosen backends without running a command first.
  assert.ok(pkg.activationEvents.includes('onStartupFinished'));
  assert.ok(!pkg.activationEvents.includes('*'));
  const png = readFileSync(join(root, pkg.icon));
  assert.equal(png.subarray(1, 4).toString('ascii'), 'PNG');
  assert.equal(png.readUInt32BE(16), 128);
  assert.equal(png.readUInt32BE(20), 128);
  if (pkg.repository !== undefined) assert.doesNotMatch(JSON.stringify(pkg.repository), /localhost|127\.0\.0\.1|\.internal|\.local\b/);
});

test('every command is in category Bakeoff with the agreed titles', () => {
  const titles: Record<string, string> = {
    'bakeoff.compareSelection': 'Compare Selection',
    'bakeoff.comparePrompt': 'Compare Prompt…',
    'bakeoff.rerunLast': 'Re-run Last',
    'bakeoff.cancel': 'Cancel',
    'bakeoff.chooseBackends': 'Choose Backends…',
    'bakeoff.addBackendFromPreset': 'Add Backend…',
    'bakeoff.setApiKey': 'Set API Key…',
    'bakeoff.clearApiKey': 'Clear API Key…',
    'bakeoff.testBackends': 'Test Backends',
    'bakeoff.openLogs': 'Open Logs',
    'bakeoff.exportResults': 'Export Results…',
    'bakeoff.checkCandidates': 'Check Candidates',
    'bakeoff.applyDiffToSelection': 'Apply to Selection',
    'bakeoff.applyDiffToFile': 'Apply to Whole File',
    'bakeoff.copyDiffAnswer': 'Copy Answer Code',
    'bakeoff.runPromptDocument': 'Run Prompt',
    'bakeoff.showLastResults': 'Show Last Results',
    'bakeoff.openHistoryRun': 'Open Run from History…',
    'bakeoff.rerunHistoryRun': 'Re-run from History…',
    'bakeoff.compareHistoryRuns': 'Compare Two Runs…',
    'bakeoff.exportHistoryRun': 'Export Run from History…',
    'bakeoff.deleteHistoryRun': 'Delete Run from History…',
    'bakeoff.clearHistory': 'Clear History',
    'bakeoff.testBackend': 'Test Backend',
    'bakeoff.compareBlind': 'Compare Blind…',
    'bakeoff.voteOnBlindRun': 'Vote on Blind Comparison…',
    'bakeoff.showLeaderboard': 'Show Leaderboard',
    'bakeoff.exportVotes': 'Export Votes…',
    'bakeoff.tryDemo': 'Try a Demo Comparison',
    'bakeoff.runSuite': 'Run Suite…',
  };
  assert.deepEqual([...contributedIds].sort(), Object.keys(titles).sort());
  for (const c of contributes.commands) {
    assert.equal(c.category, 'Bakeoff', c.command);
    assert.equal(c.title, titles[c.command], c.command);
  }
});

test('command ids used in code are contributed, and every contributed command is registered', () => {
  const commandsTs = extensionSources.find((s) => s.file.endsWith('commands.ts'));
  assert.ok(commandsTs, 'src/extension/commands.ts exists');
  const block = /export const commandIds = \{([\s\S]*?)\} as const/.exec(commandsTs.text)?.[1] ?? '';
  const registered = [...block.matchAll(/'(bakeoff\.[A-Za-z]+)'/g)].map((m) => m[1]!);
  assert.deepEqual([...registered].sort(), [...contributedIds].sort());
  for (const id of registered) {
    const key = id.slice('bakeoff.'.length);
    assert.match(commandsTs.text, new RegExp(`register\\(commandIds\\.${key},`), `${id} is registered`);
  }
  const used = new Set<string>();
  for (const { text } of extensionSources) {
    for (const m of text.matchAll(/(?:executeCommand|registerCommand)\(\s*['"`](bakeoff\.[A-Za-z]+)['"`]/g)) used.add(m[1]!);
    for (const m of text.matchAll(/command\s*[:=]\s*['"`](bakeoff\.[A-Za-z]+)['"`]/g)) used.add(m[1]!);
  }
  for (const id of used) assert.ok(contributedIds.includes(id), `${id} is used in code but not contributed`);
});

test('menus, keybindings and walkthrough refer to contributed commands', () => {
  const menuRefs = Object.values(contributes.menus as Record<string, Array<{ command: string }>>).flat().map((m) => m.command);
  const keyRefs = contributes.keybindings.map((k: { command: string }) => k.command);
  for (const id of [...menuRefs, ...keyRefs]) assert.ok(contributedIds.includes(id), id);
  const context = contributes.menus['editor/context'];
  assert.ok(context.some((m: { command: string; group: string }) => m.command === 'bakeoff.compareSelection' && m.group.startsWith('bakeoff')));
  const key = contributes.keybindings.find((k: { command: string }) => k.command === 'bakeoff.compareSelection');
  assert.equal(key.when, 'editorTextFocus');
  // Default editor chords that an extension must not take over (checked against VS Code 1.100).
  const reserved = ['ctrl+alt+b', 'cmd+alt+b', 'ctrl+b', 'cmd+b', 'ctrl+shift+b', 'cmd+shift+b', 'ctrl+k', 'cmd+k'];
  for (const k of contributes.keybindings) {
    for (const chord of [k.key, k.mac].filter(Boolean)) assert.ok(!reserved.includes(chord), `${k.command}: ${chord} is a default binding`);
  }

  const [walkthrough] = contributes.walkthroughs;
  assert.ok(walkthrough.steps.length >= 4);
  for (const step of walkthrough.steps) {
    assert.ok(step.completionEvents.length > 0, step.id);
    for (const event of step.completionEvents) {
      const context = /^onContext:(bakeoff\.\w+)$/.exec(event)?.[1];
      if (context) {
        // Set by the extension (a command run from a notification button does not reach the walkthrough).
        assert.ok(extensionSources.some((s) => s.text.includes(`'${context}'`)), `${step.id}: nothing sets ${context}`);
        continue;
      }
      const id = /^onCommand:(.+)$/.exec(event)?.[1];
      assert.ok(id && contributedIds.includes(id), `${step.id}: ${event}`);
    }
    for (const m of (step.description as string).matchAll(/\(command:([\w.]+)/g)) assert.ok(contributedIds.includes(m[1]!), m[1]);
    const media = step.media.markdown ?? step.media.image;
    assert.ok(typeof media === 'string' && existsSync(join(root, media)), `${step.id}: ${media}`);
    if (step.media.image) assert.ok((step.media.altText ?? '').length > 20, `${step.id}: an image needs alt text`);
  }
});

test('every setting has a markdownDescription and matches what the code reads', () => {
  const contributedKeys = Object.keys(properties).sort();
  const readKeys = Object.values(settingKeys).map((k) => `${settingsSection}.${k}`).sort();
  assert.deepEqual(contributedKeys, readKeys);
  for (const [key, schema] of Object.entries(properties)) {
    assert.equal(typeof schema.markdownDescription, 'string', key);
    assert.ok((schema.markdownDescription as string).length > 10, key);
  }
});

test('settings that decide where requests go or what headers they carry are application-scoped', () => {
  const routing = Object.entries(properties).filter(([key, schema]) => {
    const text = JSON.stringify(schema);
    return /backend|url|endpoint|header|proxy|host/i.test(key) || /"baseUrl"|"headers"/.test(text);
  });
  assert.ok(routing.some(([key]) => key === 'bakeoff.backends'));
  for (const [key, schema] of routing) assert.equal(schema.scope, 'application', key);
});

test('the backends setting schema mirrors the core Backend fields', () => {
  const item = properties['bakeoff.backends']!.items as {
    required: string[];
    properties: Record<string, { enum?: string[]; oneOf?: Array<{ properties: { type: { const: string } } }> }>;
  };
  assert.deepEqual([...item.required].sort(), ['baseUrl', 'id', 'kind', 'model']);
  for (const field of ['id', 'label', 'kind', 'baseUrl', 'model', 'headers', 'extraBody', 'pricing', 'streamUsage', 'trustNote']) {
    assert.ok(field in item.properties, field);
  }
  assert.deepEqual(item.properties.kind!.enum, ['closed', 'decentralized', 'local', 'gateway']);
  const pricingTypes = item.properties.pricing!.oneOf!.map((o) => o.properties.type.const).sort();
  assert.deepEqual(pricingTypes, ['catalog', 'free', 'gpuHour', 'modelsEndpoint', 'perToken', 'unknown']);
});

test('package.json contributes exactly the settings schema generated from the zod config schema and limits.ts', () => {
  const generated = generatedSettings(properties);
  assert.ok(Object.keys(generated).length >= 8);
  for (const [key, schema] of Object.entries(generated)) {
    assert.deepEqual(properties[key], schema, `${key} differs from the generated schema: run npm run gen:schema`);
  }
  // The generated schema carries the new per-backend fields and the limits shared with the CLI.
  const item = properties['bakeoff.backends']!.items as { properties: Record<string, { properties?: Record<string, unknown> }> };
  assert.ok(item.properties.tls?.properties?.insecure, 'tls.insecure is in the settings schema');
  assert.equal(properties['bakeoff.trials']!.maximum, trialsLimits.max);
  assert.equal(properties['bakeoff.concurrency']!.default, concurrencyLimits.default);
});

test('default prompt templates in the manifest equal the built-in defaults', () => {
  assert.deepEqual(properties['bakeoff.promptTemplates']!.default, defaultPromptTemplates);
});

test('untrusted workspaces are supported in limited mode with restricted settings that exist', () => {
  const untrusted = pkg.capabilities.untrustedWorkspaces;
  assert.equal(untrusted.supported, 'limited');
  assert.ok(typeof untrusted.description === 'string' && untrusted.description.length > 20);
  assert.ok(Array.isArray(untrusted.restrictedConfigurations) && untrusted.restrictedConfigurations.length > 0);
  for (const key of untrusted.restrictedConfigurations) assert.ok(key in properties, key);
});

test('the Bakeoff view container holds the Backends and History views; welcome buttons and item menus name real commands', () => {
  const container = contributes.viewsContainers.activitybar.find((v: { id: string }) => v.id === 'bakeoff');
  assert.ok(container, 'an activity-bar container');
  const icon = readFileSync(join(root, container.icon), 'utf8');
  assert.match(icon, /^<svg[^>]+viewBox="0 0 24 24"/);
  const commandsTs = extensionSources.find((s) => s.file.endsWith('commands.ts'))!.text;
  const ids = contributes.views.bakeoff.map((v: { id: string }) => v.id);
  assert.deepEqual(ids, ['bakeoff.backends', 'bakeoff.history']);
  for (const id of ids) assert.ok(commandsTs.includes(`'${id}'`), `${id} is among the view ids in commands.ts`);
  for (const welcome of contributes.viewsWelcome) {
    assert.ok(ids.includes(welcome.view), welcome.view);
    for (const m of (welcome.contents as string).matchAll(/\(command:([\w.]+)\)/g)) assert.ok(contributedIds.includes(m[1]!), m[1]);
  }
  const backendsWelcome = contributes.viewsWelcome.find((w: { view: string }) => w.view === 'bakeoff.backends').contents as string;
  assert.match(backendsWelcome, /command:bakeoff\.tryDemo/, 'the "no backends" message offers the demo');
  for (const item of [...contributes.menus['view/title'], ...contributes.menus['view/item/context']]) {
    assert.ok(contributedIds.includes(item.command), item.command);
    assert.match(item.when, /^view == bakeoff\.(backends|history)\b/, `${item.command}: ${item.when}`);
  }
  // The walkthrough starts with the demo, which needs no key.
  assert.equal(contributes.walkthroughs[0].steps[0].completionEvents[0], 'onCommand:bakeoff.tryDemo');
  const cap = properties['bakeoff.history.maxSizeMB']!;
  assert.deepEqual([cap.default, cap.minimum, cap.maximum], [historyLimits.defaultMaxSizeMB, historyLimits.minSizeMB, historyLimits.maxSizeMB]);
});
