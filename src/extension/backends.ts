/**
 * Backend management: Choose Backends… (which configured backends a workspace compares, with
 * their key status, in which column order) and Add Backend… (a preset, grouped by kind, or any
 * OpenAI-compatible endpoint: URL → its `/models` list → model → key → kind → name), written to
 * the user settings. A new backend is not slipped into every comparison: the user picks it.
 */
import * as vscode from 'vscode';
import { Backend, keyRequired, type BackendKind } from '../core/config';
import { originOf } from '../core/keyBinding';
import { backendFromPreset, notSupported, presets, type Preset } from '../core/presets';
import { listModels } from '../core/runner';
import type { ApiKeyCommands } from './apiKeys';
import { commandIds } from './commands';
import { editorProxySettings } from './proxy';
import type { HostServices } from './services';
import { backendName, backendToSetting, uniqueBackendId } from './settings';

const kindGroups: ReadonlyArray<{ kind: BackendKind; title: string }> = [
  { kind: 'closed', title: 'Closed APIs' },
  { kind: 'decentralized', title: 'Decentralized networks' },
  { kind: 'local', title: 'Local (your own hardware)' },
  { kind: 'gateway', title: 'Gateways' },
];

const kindChoices: ReadonlyArray<{ kind: BackendKind; label: string; detail: string }> = [
  { kind: 'decentralized', label: 'Decentralized', detail: 'Served by a decentralized network of independent operators (Bittensor, Akash, io.net…)' },
  { kind: 'closed', label: 'Closed API', detail: 'One provider runs the model (OpenAI, Gemini, Anthropic…)' },
  { kind: 'local', label: 'Local', detail: 'Runs on your own hardware (Ollama, llama.cpp, vLLM, LM Studio…)' },
  { kind: 'gateway', label: 'Gateway', detail: 'A router to upstream providers (OpenRouter…)' },
];

/** A model id entered by hand: non-empty, no line breaks. */
function validateModel(value: string): string | undefined {
  if (!value.trim()) return 'Enter a model id.';
  if (/[\r\n]/.test(value)) return 'A model id is one line.';
  return undefined;
}

export class BackendCommands {
  constructor(
    private readonly services: HostServices,
    private readonly apiKeys: ApiKeyCommands,
  ) {}

  /**
   * Writes a new backend to the user settings. It joins this workspace's comparisons only while
   * fewer than two backends are chosen (a first run just works); otherwise the user picks it in
   * Choose Backends…. Returns whether it was added to the choice.
   */
  private async addToSettings(backend: Backend, configuredBefore: readonly Backend[]): Promise<boolean> {
    await this.services.settings.writeBackendsSetting((current) => [...current, backendToSetting(backend)]);
    const remembered = this.services.settings.rememberedChoice() ?? [];
    const chosenBefore = remembered.length ? remembered.filter((id) => configuredBefore.some((b) => b.id === id)) : configuredBefore.map((b) => b.id);
    let chosen = false;
    if (chosenBefore.length < 2) {
      await this.services.settings.rememberChoice([...chosenBefore, backend.id]);
      chosen = true;
    } else if (!remembered.length) {
      // Nothing was remembered, so every configured backend ran: keep it that way without the new one.
      await this.services.settings.rememberChoice(chosenBefore);
    }
    this.services.log.info(`Added backend ${backend.id} (${backend.kind}, ${backend.model}) to user settings${chosen ? '' : '; not chosen for comparisons yet'}.`);
    this.services.refreshStatusBar();
    return chosen;
  }

  /** Says what was added and how to compare it; offers to set its key when it needs one. */
  private async afterAdding(backend: Backend, chosen: boolean, keyStored: boolean): Promise<void> {
    const needsKey = keyRequired(backend) && !keyStored && (await this.services.keys.check(backend)).status !== 'ok';
    const choose = 'Choose Backends';
    const setKey = 'Set API Key';
    const where = chosen ? 'It is in this workspace’s comparisons.' : 'Pick it in Choose Backends to compare it.';
    const buttons = [...(needsKey ? [setKey] : []), ...(chosen ? [] : [choose])];
    const choice = await vscode.window.showInformationMessage(
      `Bakeoff: added ${backendName(backend)}. ${needsKey ? 'It needs an API key. ' : ''}${where}`,
      ...buttons,
    );
    if (choice === setKey) await this.apiKeys.setApiKey(backend.id);
    else if (choice === choose) await vscode.commands.executeCommand(commandIds.chooseBackends);
  }

  /** Add Backend…: a preset (grouped by kind) or a custom OpenAI-compatible endpoint. */
  async addBackendFromPreset(): Promise<void> {
    const configured = this.services.settings.configuredBackends(true);
    const configuredUrls = new Set(configured.map((b) => `${b.baseUrl.replace(/\/+$/, '')}`));
    type Item = vscode.QuickPickItem & { preset?: Preset; custom?: true; unsupportedReason?: string };
    const items: Item[] = [
      {
        label: '$(add) Custom OpenAI-compatible endpoint…',
        detail: 'Any server that speaks the OpenAI chat API: enter its URL, pick a model from its list.',
        custom: true,
        alwaysShow: true,
      },
    ];
    for (const group of kindGroups) {
      const inGroup = presets.filter((p) => p.kind === group.kind);
      if (!inGroup.length) continue;
      items.push({ label: group.title, kind: vscode.QuickPickItemKind.Separator });
      for (const preset of inGroup) {
        const added = configured.some((b) => b.id === preset.id) || configuredUrls.has(preset.baseUrl.replace(/\/+$/, ''));
        items.push({
          label: preset.label,
          description: `${preset.defaultModel}${added ? ' · $(check) already added' : ''}`,
          detail: preset.trustNote,
          preset,
        });
      }
    }
    if (notSupported.length) {
      items.push({ label: 'Not supported', kind: vscode.QuickPickItemKind.Separator });
      for (const n of notSupported) {
        items.push({ label: `$(circle-slash) ${n.name}`, description: 'no inference API', detail: n.reason, unsupportedReason: n.reason });
      }
    }
    const picked = await vscode.window.showQuickPick(items, {
      title: 'Add Backend',
      placeHolder: 'A provider, or any OpenAI-compatible endpoint',
      matchOnDescription: true,
      matchOnDetail: true,
    });
    if (!picked) return;
    if (picked.custom) return this.addCustomEndpoint(configured);
    if (!picked.preset) {
      if (picked.unsupportedReason) void vscode.window.showInformationMessage(`Bakeoff: ${picked.unsupportedReason}`);
      return;
    }
    const preset = picked.preset;
    const probe = backendFromPreset(preset, { id: uniqueBackendId(preset.id, configured.map((b) => b.id)) });
    // The model step offers what the provider's /models lists (public listings need no key).
    const stored = await this.services.keys.check(probe);
    const models = await this.readModels(probe, stored.status === 'ok' ? stored.key : undefined);
    const model = await this.pickModel(`Model for ${preset.label}`, models.ids, preset.defaultModel);
    if (model === undefined) return;
    const id = uniqueBackendId(preset.id, configured.map((b) => b.id));
    const backend = backendFromPreset(preset, { id, model, ...(id !== preset.id ? { label: `${preset.label} (${model})` } : {}) });
    const chosen = await this.addToSettings(backend, configured);
    await this.afterAdding(backend, chosen, false);
  }

  /** GET /models, quietly: the ids, or null with the HTTP status when there is no list. */
  private async readModels(backend: Backend, key: string | undefined): Promise<{ ids: string[] | null; status: number | null; message: string | null }> {
    const settings = this.services.settings.runSettings();
    try {
      const answer = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: `Bakeoff: reading the models of ${originOf(backend.baseUrl) ?? backend.baseUrl}` },
        () =>
          listModels(backend, key, {
            timeouts: { ...settings.timeouts, firstByteMs: Math.min(settings.timeouts.firstByteMs, 15_000) },
            transport: { proxy: editorProxySettings(vscode.workspace.getConfiguration('http')) },
          }),
      );
      return { ids: answer.ids, status: answer.status, message: answer.error ? this.services.redact(answer.error.message, [key]) : null };
    } catch (err) {
      return { ids: null, status: null, message: this.services.errorText(err, [key]) };
    }
  }

  /** A model from the listed ids (or typed), or undefined when the user backed out. */
  private async pickModel(title: string, ids: string[] | null, preferred: string | undefined): Promise<string | undefined> {
    if (ids && ids.length) {
      type Item = vscode.QuickPickItem & { id?: string; other?: true };
      const ordered = preferred && ids.includes(preferred) ? [preferred, ...ids.filter((i) => i !== preferred)] : ids;
      const items: Item[] = ordered.map((id) => ({ label: id, id, ...(id === preferred ? { description: 'default' } : {}) }));
      items.push({ label: '$(edit) Another model id…', other: true, alwaysShow: true });
      const picked = await vscode.window.showQuickPick(items, { title, placeHolder: `The ${ids.length} model${ids.length === 1 ? '' : 's'} it lists`, matchOnDescription: true });
      if (!picked) return undefined;
      if (picked.id) return picked.id;
    }
    const typed = await vscode.window.showInputBox({
      title,
      prompt: ids ? 'Model id as the provider names it.' : 'Model id as the provider names it (its model list could not be read).',
      value: preferred ?? '',
      ignoreFocusOut: true,
      validateInput: validateModel,
    });
    return typed?.trim() || undefined;
  }

  /** Custom OpenAI-compatible endpoint…: URL → /models → model → key → kind → name. */
  private async addCustomEndpoint(configured: readonly Backend[]): Promise<void> {
    const url = await vscode.window.showInputBox({
      title: 'Custom endpoint: base URL',
      prompt: 'Up to and including the API version, e.g. https://api.example.com/v1 — its GET /models and POST /chat/completions are used.',
      placeHolder: 'https://api.example.com/v1',
      ignoreFocusOut: true,
      validateInput: (value) => {
        const parsed = Backend.safeParse({ id: 'x', kind: 'decentralized', baseUrl: value.trim(), model: 'x' });
        return parsed.success ? undefined : (parsed.error.issues.find((i) => i.path[0] === 'baseUrl')?.message ?? 'Enter an http:// or https:// URL.');
      },
    });
    if (!url) return;
    const baseUrl = url.trim().replace(/\/+$/, '');
    const origin = originOf(baseUrl) ?? baseUrl;
    const draft = Backend.parse({ id: 'custom', kind: 'decentralized', baseUrl, model: 'x' });
    let key: string | undefined;
    let models = await this.readModels(draft, undefined);
    if (models.status === 401 || models.status === 403) {
      const entered = await vscode.window.showInputBox({
        title: 'Custom endpoint: API key',
        prompt: `${origin} needs an API key to list its models. It is kept in the secret store and sent only to ${origin}. Escape: no key.`,
        password: true,
        ignoreFocusOut: true,
        validateInput: (value) => (/\s/.test(value.trim()) ? 'A key has no spaces or line breaks.' : undefined),
      });
      key = entered?.trim() || undefined;
      if (key) models = await this.readModels(draft, key);
    }
    if (!models.ids && models.message) this.services.log.info(`Custom endpoint ${origin}: no model list (${models.message}).`);
    const model = await this.pickModel('Custom endpoint: model', models.ids, undefined);
    if (model === undefined) return;
    let keyless = false;
    if (!key) {
      const entered = await vscode.window.showInputBox({
        title: 'Custom endpoint: API key',
        prompt: `Kept in the secret store and sent only to ${origin}. Leave it empty when the endpoint needs no key (a local server, a testnet).`,
        password: true,
        ignoreFocusOut: true,
        validateInput: (value) => (/\s/.test(value.trim()) ? 'A key has no spaces or line breaks.' : undefined),
      });
      if (entered === undefined) return;
      key = entered.trim() || undefined;
      keyless = !key;
    }
    const local = /^(localhost|127\.|\[::1\]|0\.0\.0\.0)/.test(new URL(baseUrl).host);
    const kinds = [...kindChoices].sort((a, b) => Number(b.kind === (local ? 'local' : 'decentralized')) - Number(a.kind === (local ? 'local' : 'decentralized')));
    const kind = await vscode.window.showQuickPick(
      kinds.map((k) => ({ label: k.label, detail: k.detail, kind_: k.kind })),
      { title: 'Custom endpoint: what kind of backend is it?', placeHolder: 'Shown on its column; used to group results' },
    );
    if (!kind) return;
    const host = new URL(baseUrl).hostname.replace(/^api\./, '');
    const label = await vscode.window.showInputBox({
      title: 'Name of the backend',
      prompt: 'Shown on its column and in reports.',
      value: `${host} ${model.split('/').pop()}`,
      ignoreFocusOut: true,
      validateInput: (value) => (value.trim() ? (value.length > 200 ? 'At most 200 characters.' : undefined) : 'Enter a name.'),
    });
    if (!label) return;
    const slug = label.trim().toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+|-+$/g, '').slice(0, 40) || 'custom';
    const backend = Backend.parse({
      id: uniqueBackendId(slug, configured.map((b) => b.id)),
      label: label.trim(),
      kind: kind.kind_,
      baseUrl,
      model,
      pricing: kind.kind_ === 'local' ? { type: 'free' } : { type: 'unknown' },
      ...(keyless && kind.kind_ !== 'local' ? { auth: 'none' } : {}),
    });
    const chosen = await this.addToSettings(backend, configured);
    if (key) {
      await this.services.keys.store(backend, key);
      this.services.log.info(`Stored an API key for ${backend.id} (bound to ${origin}).`);
    }
    await this.afterAdding(backend, chosen, Boolean(key));
  }

  /** Choose Backends…: which configured backends this workspace compares (with their key status), and their column order. */
  async chooseBackends(): Promise<void> {
    const { configured, chosen } = this.services.settings.chosenBackends(true);
    const chosenIds = chosen.map((b) => b.id);
    type Item = vscode.QuickPickItem & { backend?: Backend; preset?: Preset };
    const items: Item[] = [];
    if (configured.length) items.push({ label: 'Configured — in column order', kind: vscode.QuickPickItemKind.Separator });
    // Chosen ones first, in their column order; then the others.
    const ordered = [...chosen, ...configured.filter((b) => !chosenIds.includes(b.id))];
    for (const backend of ordered) {
      items.push({
        label: backendName(backend),
        description: `${backend.kind} · ${backend.model}`,
        detail: await this.keyStatus(backend),
        picked: chosenIds.includes(backend.id),
        backend,
      });
    }
    const configuredIds = new Set(configured.map((b) => b.id));
    const available = presets.filter((p) => !configuredIds.has(p.id));
    if (available.length) items.push({ label: 'Presets — picking one adds it to your user settings', kind: vscode.QuickPickItemKind.Separator });
    for (const preset of available) {
      items.push({ label: preset.label, description: `${preset.kind} · ${preset.defaultModel}`, detail: preset.trustNote, preset });
    }
    const picked = await vscode.window.showQuickPick(items, {
      title: 'Choose Backends',
      placeHolder: 'Backends that take part in comparisons in this workspace',
      canPickMany: true,
      matchOnDescription: true,
    });
    if (!picked) return;
    if (!picked.length) {
      void vscode.window.showInformationMessage('Bakeoff: no backend picked; the choice is unchanged.');
      return;
    }
    let ids = picked.filter((i) => i.backend).map((i) => i.backend!.id);
    const added: Backend[] = [];
    let known = [...configured];
    for (const item of picked) {
      if (!item.preset) continue;
      const backend = backendFromPreset(item.preset, { id: uniqueBackendId(item.preset.id, known.map((b) => b.id)) });
      await this.services.settings.writeBackendsSetting((current) => [...current, backendToSetting(backend)]);
      this.services.log.info(`Added backend ${backend.id} (${backend.kind}, ${backend.model}) to user settings.`);
      known = [...known, backend];
      added.push(backend);
      ids.push(backend.id);
    }
    if (ids.length > 1) {
      const order = await this.pickFirstColumn(ids.map((id) => known.find((b) => b.id === id)!));
      if (!order) return;
      ids = order;
    }
    await this.services.settings.rememberChoice(ids);
    this.services.refreshStatusBar();
    this.services.log.info(`Chosen backends: ${ids.join(', ')}`);
    for (const backend of added) await this.afterAdding(backend, true, false);
  }

  /**
   * The column order, one column at a time: keep the rest as they are, or name the backend of
   * the next column (the first column is also the default baseline). Undefined when dismissed.
   */
  private async pickFirstColumn(backends: Backend[]): Promise<string[] | undefined> {
    type Item = vscode.QuickPickItem & { next: Backend | null };
    const placed: Backend[] = [];
    let rest = [...backends];
    while (rest.length > 1) {
      const position = placed.length + 1;
      const word = position === 1 ? 'first' : 'next';
      const items: Item[] = [
        { label: '$(check) Keep this order', description: [...placed, ...rest].map(backendName).join(' · '), next: null },
        ...rest.slice(1).map((b) => ({ label: `$(arrow-up) ${backendName(b)} ${word}`, description: position === 1 ? 'the first column is the default baseline' : `column ${position}`, next: b })),
      ];
      const picked = await vscode.window.showQuickPick(items, {
        title: `Choose Backends: column order (${position} of ${backends.length})`,
        placeHolder: 'Columns appear left to right in this order',
      });
      if (!picked) return undefined;
      if (!picked.next) break;
      const next = picked.next;
      placed.push(next);
      rest = rest.filter((b) => b !== next);
    }
    return [...placed, ...rest].map((b) => b.id);
  }

  /** `$(key) key set`, `$(warning) no key`, `no key needed (local)`… */
  private async keyStatus(backend: Backend): Promise<string> {
    const check = await this.services.keys.check(backend);
    if (check.status === 'ok') return '$(key) key set';
    if (backend.kind === 'local') return 'no key needed (local)';
    if (backend.auth === 'none') return 'no key needed (auth: none)';
    if (check.status === 'missing') return '$(warning) no key — you will be asked for it when comparing';
    if (check.status === 'originMismatch') return `$(warning) key saved for ${check.savedOrigin}`;
    return '$(warning) stored key unreadable';
  }
}
