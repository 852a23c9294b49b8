/**
 * Check Candidates: for each column's code, the compared file with that code applied is written
 * into a scratch copy of the workspace folder and the project's own command
 * (`bakeoff.check.command`) runs there (see `core/checkCommand.ts`). Pass/fail and the output
 * show in each column.
 *
 * Safety: it runs only in a trusted workspace, only when the user asks (the panel's button or
 * the command), only after the user confirmed that exact command for this workspace (the
 * confirmation is remembered per workspace and command), one candidate at a time, each with a
 * time limit; the user's working tree is never written.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { detectWholeFileAnswer } from '../core/applyPlan';
import { checkCandidate, expandCheckCommand } from '../core/checkCommand';
import { extractCode } from '../core/codeBlock';
import { formatMs } from '../core/format';
import { panelSummary, hasAnswer } from '../shared/panelSummary';
import type { CheckView, EditorTarget } from '../shared/protocol';
import { ComparePanel } from './panel';
import type { HostServices } from './services';
import { defaultCheckTimeoutMs, settingKeys, settingsSection } from './settings';

/** `workspaceState` key of the commands the user confirmed for this workspace. */
const confirmedStateKey = 'bakeoff.check.confirmedCommands';

/** One candidate to check: a column's code applied to the compared file. */
interface Candidate {
  backendId: string;
  trial: number;
  label: string;
  /** The whole file with the candidate applied. */
  content: string;
  detail: string;
}

export class CandidateChecks {
  private running: AbortController | undefined;

  constructor(private readonly services: HostServices) {}

  /** Stops the checks that are running, if any. */
  cancel(): void {
    this.running?.abort();
  }

  /** Check Candidates: the panel's button and the command. */
  async run(): Promise<void> {
    const panel = ComparePanel.current;
    const state = panel?.state;
    if (!panel || !state?.run) {
      void vscode.window.showInformationMessage('Bakeoff: run a comparison first; Check Candidates checks its answers.');
      return;
    }
    if (state.runStatus === 'running') {
      panel.showNotice('warning', 'Wait for the comparison to finish, then check its candidates.');
      return;
    }
    if (this.running) {
      panel.showNotice('info', 'Candidates are being checked already.');
      return;
    }
    if (!vscode.workspace.isTrusted) {
      const manage = 'Manage Workspace Trust';
      const choice = await vscode.window.showWarningMessage(
        'Bakeoff: Check Candidates runs a command of this workspace, so it works only in a trusted workspace.',
        manage,
      );
      if (choice === manage) await vscode.commands.executeCommand('workbench.trust.manage');
      return;
    }
    const target = state.target;
    if (!target) {
      panel.showNotice('warning', 'Check Candidates needs a comparison started from a file (Compare Selection).');
      return;
    }
    let document: vscode.TextDocument;
    try {
      document = await vscode.workspace.openTextDocument(vscode.Uri.parse(target.uri, true));
    } catch {
      panel.showNotice('error', 'The file this comparison came from could not be opened.');
      return;
    }
    const folder = vscode.workspace.getWorkspaceFolder(document.uri);
    const config = vscode.workspace.getConfiguration(settingsSection, document.uri);
    let command = (config.get<string>(settingKeys.checkCommand) ?? '').trim();
    if (!command) {
      const entered = await vscode.window.showInputBox({
        title: 'Check Candidates: command',
        prompt: `The command that checks ${path.basename(document.uri.path)}, run in a temporary copy of the workspace with each answer applied. {file} becomes the file's path. Saved in this workspace's settings.`,
        placeHolder: 'e.g. npx tsc --noEmit -p .   or   npm test -- {file}',
        ignoreFocusOut: true,
        validateInput: (value) => (value.trim() ? undefined : 'Enter a command.'),
      });
      if (!entered?.trim()) return;
      command = entered.trim();
      await config.update(settingKeys.checkCommand, command, folder ? vscode.ConfigurationTarget.WorkspaceFolder : vscode.ConfigurationTarget.Global);
    }
    const timeoutMs = Math.max(1_000, config.get<number>(settingKeys.checkTimeoutMs) ?? defaultCheckTimeoutMs);
    const relativeFile = folder ? path.relative(folder.uri.fsPath, document.uri.fsPath) : path.basename(document.uri.fsPath || document.uri.path);
    if (!folder || document.uri.scheme !== 'file' || relativeFile.startsWith('..')) {
      this.services.log.info(`Check Candidates: ${document.uri.toString(true)} is not in a workspace folder; the scratch copy holds only the file.`);
    }
    if (!(await this.confirm(command, folder, relativeFile, timeoutMs))) return;

    const candidates = this.candidates(state, document, target);
    if (!candidates.length) {
      panel.showNotice('warning', 'No column has an answer to check.');
      return;
    }
    const shown = expandCheckCommand(command, relativeFile.split(path.sep).join('/'));
    const view = (c: Candidate, partial: Partial<CheckView>): CheckView => ({
      backendId: c.backendId,
      trial: c.trial,
      state: 'queued',
      command: shown,
      detail: c.detail,
      exitCode: null,
      durationMs: null,
      output: '',
      ...partial,
    });
    panel.startChecks(candidates.map((c) => view(c, {})));
    const abort = new AbortController();
    this.running = abort;
    const sourceDir = folder && document.uri.scheme === 'file' ? folder.uri.fsPath : null;
    this.services.log.info(`Check Candidates: ${shown} (in a copy of ${sourceDir ?? 'an empty folder'}, limit ${formatMs(timeoutMs)}) for ${candidates.map((c) => c.backendId).join(', ')}.`);
    try {
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: 'Bakeoff: checking candidates' },
        async (progress) => {
          let n = 0;
          for (const candidate of candidates) {
            n++;
            if (abort.signal.aborted) {
              panel.updateCheck(view(candidate, { state: 'cancelled' }));
              continue;
            }
            progress.report({ message: `${n}/${candidates.length}: ${candidate.label}` });
            panel.updateCheck(view(candidate, { state: 'running' }));
            const r = await checkCandidate({
              sourceDir,
              relativeFile: sourceDir ? relativeFile : path.basename(relativeFile),
              content: candidate.content,
              command,
              timeoutMs,
              signal: abort.signal,
            });
            const state: CheckView['state'] = r.cancelled ? 'cancelled' : r.timedOut ? 'timedOut' : r.spawnError ? 'error' : r.passed ? 'passed' : 'failed';
            const output = r.spawnError ? `${r.spawnError}\n${r.output}`.trim() : r.output;
            panel.updateCheck(view(candidate, { state, exitCode: r.exitCode, durationMs: r.durationMs, output: this.services.redact(output) }));
            this.services.log.info(`Check ${candidate.backendId}: ${state}${r.exitCode !== null ? ` (exit ${r.exitCode})` : ''} in ${formatMs(r.durationMs)}.`);
          }
        },
      );
    } finally {
      this.running = undefined;
    }
  }

  /** Asks once per workspace and command; true when the user agreed now or before. */
  private async confirm(command: string, folder: vscode.WorkspaceFolder | undefined, relativeFile: string, timeoutMs: number): Promise<boolean> {
    const key = `${folder?.uri.toString() ?? ''}\n${command}`;
    const confirmed = this.services.context.workspaceState.get<unknown>(confirmedStateKey);
    const list = Array.isArray(confirmed) ? confirmed.filter((v): v is string => typeof v === 'string') : [];
    if (list.includes(key)) return true;
    const run = 'Run Checks';
    const choice = await vscode.window.showWarningMessage(
      `Run this command to check each candidate?\n\n${command}`,
      {
        modal: true,
        detail:
          `It runs in a temporary copy of ${folder ? `the folder “${folder.name}”` : 'an empty folder'}, once per column, with that column's code applied to ${relativeFile}; ` +
          `your files are not changed. Each run is stopped after ${formatMs(timeoutMs)}. Bakeoff asks once per workspace and command.`,
      },
      run,
    );
    if (choice !== run) return false;
    await this.services.context.workspaceState.update(confirmedStateKey, [...list, key].slice(-50));
    return true;
  }

  /** One candidate per column with an answer: the trial the column opens on (its median trial). */
  private candidates(state: NonNullable<ComparePanel['state']>, document: vscode.TextDocument, target: EditorTarget): Candidate[] {
    const summary = panelSummary(state);
    const fileText = document.getText();
    const s = target.selection;
    const range = document.validateRange(new vscode.Range(s.startLine, s.startCharacter, s.endLine, s.endCharacter));
    const start = document.offsetAt(range.start);
    const end = document.offsetAt(range.end);
    const name = path.basename(document.uri.path);
    const lines = range.isEmpty ? '' : `lines ${range.start.line + 1}–${range.end.line + (range.end.character === 0 && range.end.line > range.start.line ? 0 : 1)}`;
    const out: Candidate[] = [];
    for (const backend of state.run?.backends ?? []) {
      const trial = summary?.backends.find((b) => b.id === backend.id)?.medianTrial ?? 1;
      const snapshot = state.trials.find((t) => t.backendId === backend.id && t.trial === trial);
      if (!hasAnswer(snapshot)) continue;
      const { code, fromBlock } = extractCode(snapshot!.text);
      const what = fromBlock ? 'its code block' : 'its answer';
      const wholeSelected = fileText.slice(0, start).trim() === '' && fileText.slice(end).trim() === '';
      let content: string;
      let detail: string;
      if (wholeSelected || range.isEmpty) {
        content = withFinalNewline(code, fileText);
        detail = `${name} replaced by ${what}`;
      } else if (detectWholeFileAnswer(fileText, start, end, code).wholeFile) {
        content = withFinalNewline(code, fileText);
        detail = `${name} replaced by ${what} (it is a whole file)`;
      } else {
        content = fileText.slice(0, start) + code + fileText.slice(end);
        detail = `${name} with ${what} in place of ${lines}`;
      }
      const multi = (state.run?.trials ?? 1) > 1;
      out.push({ backendId: backend.id, trial, label: multi ? `${backend.label} #${trial}` : backend.label, content, detail });
    }
    return out;
  }
}

/** `code` ending with a line break when the original file did. */
function withFinalNewline(code: string, original: string): string {
  return /\r?\n$/.test(original) && !/\r?\n$/.test(code) ? `${code}${original.endsWith('\r\n') ? '\r\n' : '\n'}` : code;
}
