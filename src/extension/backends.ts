/**
 * Backend management: Choose Backends… and Add Backend from Preset… (the backends a
 * workspace compares, and new ones from the presets, written to the user settings).
 */
import * as vscode from 'vscode';
import type { Backend } from '../core/config';
import { backendFromPreset, notSupported, presets, type Preset } from '../core/presets';
import type { ApiKeyCommands } from './apiKeys';
import type { HostServices } from './services';
import { backendName, backendToSetting, uniqueBackendId } from './settings';

export class BackendCommands {
  constructor(
    private readonly services: HostServices,
    private readonly apiKeys: ApiKeyCommands,
  ) {}

  /** Adds a preset to user settings; returns the new backend. */
  private async addPresetToSettings(preset: Preset, model: string, configured: readonly Backend[]): Promise<Backend> {
    const id = uniqueBackendId(preset.id, configured.map((b) => b.id));
    const backend = backendFromPreset(preset, {
      id,
      model,
      ...(id !== preset.id ? { label: `${preset.label} (${model})` } : {}),
    });
    await this.services.settings.writeBackendsSetting((current) => [...current, backendToSetting(backend)]);
    const remembered = this.services.settings.rememberedChoice();
    if (remembered?.length) await this.services.settings.rememberChoice([...remembered, backend.id]);
    this.services.log.info(`Added backend ${backend.id} (${backend.kind}, ${backend.model}) to user settings.`);
    return backend;
  }

  private async offerKeyForNew(backend: Backend): Promise<void> {
    if (backend.kind === 'local') {
      void vscode.window.showInformationMessage(`Bakeoff: added ${backendName(backend)}. Local backends usually need no key.`);
      return;
    }
    if ((await this.services.keys.check(backend)).status === 'ok') return;
    const choice = await vscode.window.showInformationMessage(
      `Bakeoff: added ${backendName(backend)}. Set its API key now?`,
      'Set API Key',
    );
    if (choice) await this.apiKeys.setApiKey(backend.id);
  }

  /** Add Backend from Preset…: a provider and a model, written to the user settings. */
  async addBackendFromPreset(): Promise<void> {
    const configured = this.services.settings.configuredBackends(true);
    const configuredIds = new Set(configured.map((b) => b.id));
    type Item = vscode.QuickPickItem & { preset?: Preset; unsupportedReason?: string };
    const items: Item[] = presets.map((preset) => ({
      label: preset.label,
      description: `${preset.kind}${configuredIds.has(preset.id) ? ' · already added' : ''}`,
      detail: preset.trustNote,
      preset,
    }));
    if (notSupported.length) {
      items.push({ label: 'Not supported', kind: vscode.QuickPickItemKind.Separator });
      for (const n of notSupported) {
        items.push({ label: `$(circle-slash) ${n.name}`, description: 'no inference API', detail: n.reason, unsupportedReason: n.reason });
      }
    }
    const picked = await vscode.window.showQuickPick(items, {
      title: 'Add Backend from Preset',
      placeHolder: 'Pick a provider',
      matchOnDescription: true,
      matchOnDetail: true,
    });
    if (!picked) return;
    if (!picked.preset) {
      if (picked.unsupportedReason) void vscode.window.showInformationMessage(`Bakeoff: ${picked.unsupportedReason}`);
      return;
    }
    const preset = picked.preset;
    const model = await vscode.window.showInputBox({
      title: `Model for ${preset.label}`,
      prompt: 'Model id as the provider names it.',
      value: preset.defaultModel,
      ignoreFocusOut: true,
      validateInput: (value) => (value.trim() ? undefined : 'Enter a model id.'),
    });
    if (model === undefined) return;
    const backend = await this.addPresetToSettings(preset, model.trim(), configured);
    this.services.refreshStatusBar();
    await this.offerKeyForNew(backend);
  }

  /** Choose Backends…: which configured backends (or presets, added on the way) this workspace compares. */
  async chooseBackends(): Promise<void> {
    const { configured, chosen } = this.services.settings.chosenBackends(true);
    const chosenIds = new Set(chosen.map((b) => b.id));
    const configuredIds = new Set(configured.map((b) => b.id));
    type Item = vscode.QuickPickItem & { backend?: Backend; preset?: Preset };
    const items: Item[] = [];
    if (configured.length) items.push({ label: 'Configured', kind: vscode.QuickPickItemKind.Separator });
    for (const backend of configured) {
      items.push({
        label: backendName(backend),
        description: `${backend.kind} · ${backend.model}`,
        ...(backend.trustNote ? { detail: backend.trustNote } : {}),
        picked: chosenIds.has(backend.id),
        backend,
      });
    }
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
    const ids = picked.filter((i) => i.backend).map((i) => i.backend!.id);
    const added: Backend[] = [];
    let known = [...configured];
    for (const item of picked) {
      if (!item.preset) continue;
      const backend = await this.addPresetToSettings(item.preset, item.preset.defaultModel, known);
      known = [...known, backend];
      added.push(backend);
      ids.push(backend.id);
    }
    await this.services.settings.rememberChoice(ids);
    this.services.refreshStatusBar();
    this.services.log.info(`Chosen backends: ${ids.join(', ')}`);
    for (const backend of added) await this.offerKeyForNew(backend);
  }
}
