/**
 * The comparison commands: Compare Selection, Compare Prompt…, Re-run Last and Cancel, and
 * the panel's buttons that do the same. They turn the editor's selection or the typed prompt
 * into the prompt sent (see `comparisonRun.ts` for the run itself).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { expandTemplate, pickTemplate, type TemplateName } from '../core/template';
import { commandIds } from './commands';
import { ComparisonRunner, type PreparedRun } from './comparisonRun';
import type { PanelHost, RunInfo } from './panel';
import type { HostServices } from './services';

export class CompareCommands {
  /** What the panel calls back into. */
  readonly panelHost: PanelHost;
  private readonly runner: ComparisonRunner;
  private lastPromptInput = '';

  constructor(private readonly services: HostServices) {
    this.panelHost = {
      onCancel: () => this.cancel(),
      // Through the command, so a panel revived after a reload can re-run its run from the history.
      onRerun: () => void vscode.commands.executeCommand(commandIds.rerunLast),
      onExport: () => void vscode.commands.executeCommand(commandIds.exportResults),
      onSetBaseline: (backendId) => void services.settings.rememberBaseline(backendId),
      get log() {
        return services.log;
      },
    };
    this.runner = new ComparisonRunner(services, this.panelHost);
  }

  async compareSelection(): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      void vscode.window.showWarningMessage('Bakeoff: open a file and select code to compare.');
      return;
    }
    const doc = editor.document;
    const whole = editor.selection.isEmpty;
    const range = whole ? new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)) : editor.selection;
    const text = doc.getText(range);
    if (!text.trim()) {
      void vscode.window.showWarningMessage(`Bakeoff: nothing to compare — the ${whole ? 'file' : 'selection'} is empty.`);
      return;
    }
    const settings = this.services.settings.runSettings();
    const name = fileLabel(doc);
    // A range ending at column 0 of a line (a trailing newline) does not cover that line.
    const lines = range.end.line - range.start.line + (range.end.character === 0 && range.end.line > range.start.line ? 0 : 1);
    const userPrompt = expandTemplate(pickTemplate(settings.promptTemplates, 'compareSelection'), {
      selection: text,
      file: name,
      language: doc.languageId,
    });
    await this.runner.run(
      {
        title: whole ? `${path.basename(name)} (whole file, ${lines} lines)` : `Selection from ${path.basename(name)} (${lines} line${lines === 1 ? '' : 's'})`,
        userPrompt,
        target: targetOf(doc, range),
      },
      settings,
    );
  }

  async comparePrompt(): Promise<void> {
    const prepared = await this.askForPrompt('Compare Prompt');
    if (prepared) await this.runner.run(prepared, this.services.settings.runSettings());
  }

  /**
   * Asks for a prompt (the selection, if any, goes in as context through the `comparePrompt`
   * template); undefined when the user gave up. Compare Prompt… and Compare Blind… use it.
   */
  async askForPrompt(title: string): Promise<PreparedRun | undefined> {
    const editor = vscode.window.activeTextEditor;
    const input = await vscode.window.showInputBox({
      title,
      prompt: editor && !editor.selection.isEmpty ? 'Sent to every chosen backend, with the selection as context.' : 'Sent to every chosen backend.',
      placeHolder: 'e.g. Write a function that parses ISO 8601 durations',
      value: this.lastPromptInput,
      ignoreFocusOut: true,
      validateInput: (value) => (value.trim() ? undefined : 'Enter a prompt.'),
    });
    if (input === undefined) return undefined;
    this.lastPromptInput = input;
    const settings = this.services.settings.runSettings();
    const doc = editor?.document;
    const hasSelection = !!editor && !editor.selection.isEmpty && !!doc?.getText(editor.selection).trim();
    const templateName: TemplateName = hasSelection ? 'comparePrompt' : 'comparePromptNoSelection';
    const name = doc ? fileLabel(doc) : '';
    const userPrompt = expandTemplate(pickTemplate(settings.promptTemplates, templateName), {
      input,
      selection: hasSelection ? doc!.getText(editor!.selection) : '',
      file: name,
      language: doc?.languageId ?? '',
    });
    const short = input.length > 60 ? `${input.slice(0, 57)}…` : input;
    const lines = editor ? editor.selection.end.line - editor.selection.start.line + 1 : 0;
    return {
      title: `Prompt: “${short.replace(/\s+/g, ' ')}”${hasSelection ? ` with ${lines} line${lines === 1 ? '' : 's'} from ${path.basename(name)}` : ''}`,
      userPrompt,
      ...(editor ? { target: targetOf(editor.document, editor.selection) } : {}),
    };
  }

  /** Whether Re-run Last has something to repeat in this session. */
  get hasLast(): boolean {
    return this.runner.last !== undefined;
  }

  async rerunLast(): Promise<void> {
    const last = this.runner.last;
    if (!last) {
      void vscode.window.showInformationMessage('Bakeoff: nothing to re-run yet. Run Compare Selection or Compare Prompt… first.');
      return;
    }
    await this.runner.run(last, this.services.settings.runSettings());
  }

  /** Runs `prepared` (a run repeated from the history, the demo) as a comparison in the panel. */
  async runPrepared(prepared: PreparedRun): Promise<void> {
    await this.runner.run(prepared, this.services.settings.runSettings());
  }

  /** Re-run Last and the panel's Re-run will repeat `prepared` (the run the panel now shows). */
  setLast(prepared: PreparedRun): void {
    this.runner.setLast(prepared);
  }

  cancel(): void {
    const active = this.services.runs.current;
    if (!active) {
      void vscode.window.showInformationMessage('Bakeoff: no comparison is running.');
      return;
    }
    this.services.log.info(`Cancelling run ${active.runId}.`);
    active.abort.abort();
  }
}

/** Path relative to the workspace for files in it; the file name otherwise. */
function fileLabel(doc: vscode.TextDocument): string {
  if (doc.isUntitled) return path.basename(doc.fileName);
  return vscode.workspace.asRelativePath(doc.uri, false);
}

function targetOf(doc: vscode.TextDocument, range: vscode.Range): NonNullable<RunInfo['target']> {
  return {
    uri: doc.uri.toString(),
    selection: {
      startLine: range.start.line,
      startCharacter: range.start.character,
      endLine: range.end.line,
      endCharacter: range.end.character,
    },
  };
}
