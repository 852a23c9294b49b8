/**
 * The comparison commands: Compare Selection, Compare Prompt…, Re-run Last and Cancel, and
 * the panel's buttons that do the same. They turn the editor's selection or the typed prompt
 * into the prompt sent (see `comparisonRun.ts` for the run itself).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ErrorFix } from '../core/errors';
import { expandTemplate, pickTemplate, type TemplateName } from '../core/template';
import { CandidateChecks } from './candidateChecks';
import { commandIds } from './commands';
import { ComparisonRunner, type PreparedRun } from './comparisonRun';
import { EditorActions } from './editorActions';
import type { PanelHost, RunInfo } from './panel';
import type { HostServices } from './services';
import type { RunSettings } from './settings';

export class CompareCommands {
  /** What the panel calls back into. */
  readonly panelHost: PanelHost;
  private readonly runner: ComparisonRunner;
  readonly checks: CandidateChecks;
  private lastPromptInput = '';

  constructor(private readonly services: HostServices) {
    this.checks = new CandidateChecks(services);
    // A closed prompt document is forgotten: a later untitled document may get its name.
    services.context.subscriptions.push(vscode.workspace.onDidCloseTextDocument((doc) => this.promptDocuments.delete(doc.uri.toString())));
    this.panelHost = {
      onCancel: () => this.cancel(),
      // Through the command, so a panel revived after a reload can re-run its run from the history.
      onRerun: () => void vscode.commands.executeCommand(commandIds.rerunLast),
      onExport: () => void vscode.commands.executeCommand(commandIds.exportResults),
      onSetBaseline: (backendId) => void services.settings.rememberBaseline(backendId),
      onCheckCandidates: () => void vscode.commands.executeCommand(commandIds.checkCandidates),
      onCancelChecks: () => this.checks.cancel(),
      onFix: (backendId, fix) => void this.fix(backendId, fix),
      get log() {
        return services.log;
      },
    };
    this.runner = new ComparisonRunner(services, this.panelHost);
  }

  /** A fix button of a failed column. */
  async fix(backendId: string, fix: ErrorFix): Promise<void> {
    switch (fix) {
      case 'setApiKey': {
        const before = await this.keyState(backendId);
        await vscode.commands.executeCommand(commandIds.setApiKey, backendId);
        // A key was stored for this column's backend: get its answer now.
        if ((await this.keyState(backendId)) === 'ok' && before !== 'ok') await this.retryBackend(backendId);
        else if (before === 'ok') await this.retryBackend(backendId);
        return;
      }
      case 'openSettings':
        await vscode.commands.executeCommand('workbench.action.openSettingsJson', { revealSetting: { key: 'bakeoff.backends' } });
        return;
      case 'testBackends':
        await vscode.commands.executeCommand(commandIds.testBackends);
        return;
      case 'retry':
        await this.retryBackend(backendId);
        return;
    }
  }

  /** Retry this backend: its column of the comparison on screen runs again. */
  async retryBackend(backendId: string): Promise<void> {
    await this.runner.retryBackend(backendId, this.services.settings.runSettings());
  }

  private async keyState(backendId: string): Promise<string> {
    const backend = this.services.settings.configuredBackends(false).find((b) => b.id === backendId);
    return backend ? (await this.services.keys.check(backend)).status : 'missing';
  }

  /** The title-bar actions of a diff opened by *Diff with selection*: apply the answer, or copy it. */
  async applyFromDiff(mode: 'replace' | 'replaceFile' | 'copy', uri?: unknown): Promise<void> {
    const actions = EditorActions.get(this.services.context);
    const session = actions.diffSession(uri);
    if (!session) {
      void vscode.window.showInformationMessage('Bakeoff: this is not a diff opened from the Bakeoff panel.');
      return;
    }
    if (mode === 'copy') {
      await actions.copy(session.code);
      void vscode.window.showInformationMessage(`Bakeoff: copied ${session.label}'s code.`);
      return;
    }
    const done = await actions.apply(session.target, session.code, mode);
    this.services.log.info(`${done.description} from the diff with ${session.label}.`);
    const choice = await vscode.window.showInformationMessage(`Bakeoff: ${done.description} (${session.label}'s code).`, 'Undo');
    if (choice === 'Undo') {
      const message = await actions.undo(done.undo).catch((err: unknown) => (err instanceof Error ? err.message : String(err)));
      void vscode.window.showInformationMessage(`Bakeoff: ${message}`);
    }
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
    const lines = coveredLines(range);
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

  /**
   * Compare Prompt…: asks for a prompt in an input box; its button (or a prompt longer than a
   * line) opens an editor for a multi-line prompt, with a Run action in its title bar.
   */
  async comparePrompt(): Promise<void> {
    const context = this.promptContext(vscode.window.activeTextEditor);
    const input = await this.inputPrompt('Compare Prompt', context, true);
    if (input === undefined) return;
    if (typeof input !== 'string') {
      await this.openPromptDocument(input.multiLine, context);
      return;
    }
    await this.runPrompt(input, context);
  }

  /**
   * Asks for a one-line prompt (the selection, if any, goes in as context through the
   * `comparePrompt` template); undefined when the user gave up. Compare Blind… uses it.
   */
  async askForPrompt(title: string, sentTo: string): Promise<PreparedRun | undefined> {
    const context = this.promptContext(vscode.window.activeTextEditor);
    const input = await this.inputPrompt(title, context, false, sentTo);
    return typeof input === 'string' ? this.preparePrompt(input, context, this.services.settings.runSettings()) : undefined;
  }

  /** The prompt input box; with `multiLine`, its button asks for an editor instead. */
  private async inputPrompt(title: string, context: PromptContext | undefined, multiLine: boolean, sentTo = 'every chosen backend'): Promise<string | { multiLine: string } | undefined> {
    const box = vscode.window.createInputBox();
    box.title = title;
    box.prompt = `Sent to ${sentTo}${context?.withSelection ? ', with the selection as context' : ''}.${multiLine ? ' For several lines, use the editor button.' : ''}`;
    box.placeholder = 'e.g. Write a function that parses ISO 8601 durations';
    box.value = this.lastPromptInput;
    box.ignoreFocusOut = true;
    if (multiLine) box.buttons = [{ iconPath: new vscode.ThemeIcon('note'), tooltip: 'Write a multi-line prompt in an editor' }];
    const input = await new Promise<string | { multiLine: string } | undefined>((resolve) => {
      box.onDidTriggerButton(() => {
        resolve({ multiLine: box.value });
        box.hide();
      });
      box.onDidChangeValue(() => {
        box.validationMessage = undefined;
      });
      box.onDidAccept(() => {
        if (!box.value.trim()) {
          box.validationMessage = 'Enter a prompt.';
          return;
        }
        resolve(box.value);
        box.hide();
      });
      box.onDidHide(() => {
        resolve(undefined);
        box.dispose();
      });
      box.show();
    });
    if (typeof input === 'string') this.lastPromptInput = input;
    return input;
  }

  /** Documents opened for multi-line prompts, with the selection they were opened for. */
  private readonly promptDocuments = new Map<string, PromptContext | undefined>();

  /** The editor a prompt comes from: its selection goes with the prompt, and Insert targets it. */
  private promptContext(editor: vscode.TextEditor | undefined): PromptContext | undefined {
    if (!editor || this.promptDocuments.has(editor.document.uri.toString())) return undefined;
    const selectionText = editor.selection.isEmpty ? '' : editor.document.getText(editor.selection);
    return { document: editor.document, selection: editor.selection, withSelection: selectionText.trim() !== '', selectionText };
  }

  /** Opens an editor for a multi-line prompt; its title bar's Run (Bakeoff: Run Prompt) compares it. */
  async openPromptDocument(initial: string, context: PromptContext | undefined): Promise<void> {
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: initial });
    this.promptDocuments.set(doc.uri.toString(), context);
    await vscode.window.showTextDocument(doc, { preview: false });
    void vscode.commands.executeCommand('setContext', promptDocumentContextKey, true);
    void vscode.window.showInformationMessage(
      `Bakeoff: write the prompt${context?.withSelection ? ` (the selection from ${path.basename(fileLabel(context.document))} goes with it)` : ''}, then Run in the editor's title bar.`,
    );
  }

  /** Whether `editor` shows a prompt document (for the Run action's context key). */
  isPromptEditor(editor: vscode.TextEditor | undefined): boolean {
    return !!editor && this.promptDocuments.has(editor.document.uri.toString());
  }

  /** Bakeoff: Run Prompt — compares the text of the prompt document in the active editor. */
  async runPromptDocument(): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    if (!editor || !this.isPromptEditor(editor)) {
      void vscode.window.showInformationMessage('Bakeoff: open a prompt with Compare Prompt… (its editor button) first.');
      return;
    }
    const text = editor.document.getText();
    if (!text.trim()) {
      void vscode.window.showWarningMessage('Bakeoff: the prompt is empty.');
      return;
    }
    await this.runPrompt(text, this.promptDocuments.get(editor.document.uri.toString()));
  }

  private async runPrompt(input: string, context: PromptContext | undefined): Promise<void> {
    const settings = this.services.settings.runSettings();
    await this.runner.run(this.preparePrompt(input, context, settings), settings);
  }

  /** The run of a typed prompt: the template expanded, a title, the selection it is for. */
  private preparePrompt(input: string, context: PromptContext | undefined, settings: RunSettings): PreparedRun {
    const withSelection = context?.withSelection === true;
    const templateName: TemplateName = withSelection ? 'comparePrompt' : 'comparePromptNoSelection';
    const name = context ? fileLabel(context.document) : '';
    const userPrompt = expandTemplate(pickTemplate(settings.promptTemplates, templateName), {
      input,
      selection: withSelection ? context!.selectionText : '',
      file: name,
      language: context?.document.languageId ?? '',
    });
    const oneLine = input.trim().replace(/\s+/g, ' ');
    const short = oneLine.length > 60 ? `${oneLine.slice(0, 57)}…` : oneLine;
    const lines = context ? coveredLines(context.selection) : 0;
    return {
      title: `Prompt: “${short}”${withSelection ? ` with ${lines} line${lines === 1 ? '' : 's'} from ${path.basename(name)}` : ''}`,
      userPrompt,
      ...(context ? { target: targetOf(context.document, context.selection) } : {}),
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

/** Context key true while the active editor holds a prompt document (shows its Run action). */
export const promptDocumentContextKey = 'bakeoff.promptDocument';

/** The selection a prompt was written for. */
interface PromptContext {
  document: vscode.TextDocument;
  selection: vscode.Selection;
  /** The selection is not empty: it goes into the prompt. */
  withSelection: boolean;
  /** The selected text when the prompt was started (edits made while a prompt document is written do not change it). */
  selectionText: string;
}

/** Lines a range covers: one ending at column 0 of a later line (a trailing newline) does not cover that line. */
function coveredLines(range: vscode.Range): number {
  return range.end.line - range.start.line + (range.end.character === 0 && range.end.line > range.start.line ? 0 : 1);
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
