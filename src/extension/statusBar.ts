/** The status-bar item naming the chosen backends; a click opens Choose Backends…. */
import * as vscode from 'vscode';
import { backendName, describeChoice, type BackendSketch } from './backendChoice';

/** Owns the status-bar item. */
export class BakeoffStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;

  constructor() {
    this.item = vscode.window.createStatusBarItem('bakeoff.backends', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'Bakeoff';
    this.item.command = 'bakeoff.chooseBackends';
  }

  /** Shows the chosen backends, or a prompt to add one when none is configured. */
  update(chosen: readonly BackendSketch[], running: boolean): void {
    const icon = running ? '$(loading~spin)' : '$(beaker)';
    // The accessible name is what a screen reader says: words only, never the icon's id.
    const state = running ? ', comparison running' : '';
    if (!chosen.length) {
      this.item.text = `${icon} Bakeoff: add a backend`;
      this.item.tooltip = 'No Bakeoff backends configured. Click to choose or add one.';
      this.item.accessibilityInformation = { label: `Bakeoff: no backends configured${state}. Choose or add backends.`, role: 'button' };
    } else {
      this.item.text = `${icon} Bakeoff: ${describeChoice(chosen)}`;
      const lines = chosen.map((b) => {
        const details = [b.kind, b.model].filter(Boolean).join(', ');
        return `• ${backendName(b)}${details ? ` — ${details}` : ''}`;
      });
      const tooltip = ['Bakeoff backends:', ...lines, '', 'Click to choose backends.'].join('\n');
      this.item.tooltip = tooltip;
      this.item.accessibilityInformation = { label: `Bakeoff: ${describeChoice(chosen, chosen.length)}${state}. Choose backends.`, role: 'button' };
    }
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
