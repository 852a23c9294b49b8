/**
 * What the panel's per-column buttons do in the editor: copy, insert at the cursor, replace the
 * selection, diff against the selection or another column (read-only virtual documents in the
 * native diff editor), and opening links from answers after a confirmation.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { isSafeLinkUrl } from '../shared/guards';
import type { EditorTarget } from '../shared/protocol';

/** URI scheme of the read-only documents shown in diff editors. */
export const diffScheme = 'bakeoff-diff';

/** An error whose message is meant for the user as is. */
export class EditorActionError extends Error {
  override readonly name = 'EditorActionError';
}

const maxDiffDocuments = 40;

/** Serves the texts shown in diff editors; keeps only the most recent ones. */
class DiffDocumentProvider implements vscode.TextDocumentContentProvider {
  private readonly documents = new Map<string, string>();
  private counter = 0;

  add(fileName: string, text: string): vscode.Uri {
    this.counter += 1;
    const uri = vscode.Uri.from({ scheme: diffScheme, path: `/${this.counter}/${fileName}` });
    this.documents.set(uri.path, text);
    while (this.documents.size > maxDiffDocuments) {
      const oldest = this.documents.keys().next().value;
      if (oldest === undefined) break;
      this.documents.delete(oldest);
    }
    return uri;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.documents.get(uri.path) ?? '';
  }
}

/** A file-name-safe version of a column label. */
function fileNameOf(label: string): string {
  return label.replace(/[^A-Za-z0-9._ -]+/g, '_').trim().slice(0, 60) || 'answer';
}

function toRange(selection: EditorTarget['selection']): vscode.Range {
  return new vscode.Range(selection.startLine, selection.startCharacter, selection.endLine, selection.endCharacter);
}

interface ResolvedEditor {
  document: vscode.TextDocument;
  editor: vscode.TextEditor | undefined;
  /** The comparison's original selection, when there is a target. */
  targetRange: vscode.Range | undefined;
}

/** Editor actions for the panel; one instance per extension activation. */
export class EditorActions implements vscode.Disposable {
  private static instance: EditorActions | undefined;
  private readonly provider = new DiffDocumentProvider();
  private readonly registration: vscode.Disposable;

  private constructor() {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(diffScheme, this.provider);
  }

  /** The shared instance (its content provider is disposed with the extension). */
  static get(context: vscode.ExtensionContext): EditorActions {
    if (!EditorActions.instance) {
      const actions = new EditorActions();
      EditorActions.instance = actions;
      context.subscriptions.push(actions);
    }
    return EditorActions.instance;
  }

  dispose(): void {
    this.registration.dispose();
    if (EditorActions.instance === this) EditorActions.instance = undefined;
  }

  /** Puts `text` on the clipboard. */
  async copy(text: string): Promise<void> {
    await vscode.env.clipboard.writeText(text);
  }

  /**
   * Inserts `text` at the cursor (`insert`) or replaces the selection (`replace`) in the editor
   * the comparison came from (or the visible editor when there is none). Replace uses the
   * editor's current selection when it is non-empty, else the comparison's original selection.
   * Returns a short description for a notice.
   */
  async apply(target: EditorTarget | null, text: string, mode: 'insert' | 'replace'): Promise<string> {
    const { document, editor, targetRange } = await this.resolve(target);
    let range: vscode.Range;
    if (mode === 'insert') {
      const position = editor?.selection.active ?? targetRange?.end ?? new vscode.Position(document.lineCount, 0);
      range = new vscode.Range(position, position);
    } else {
      const current = editor && !editor.selection.isEmpty ? editor.selection : undefined;
      range = current ?? targetRange ?? editor?.selection ?? new vscode.Range(0, 0, 0, 0);
    }
    range = document.validateRange(range);
    const edit = new vscode.WorkspaceEdit();
    edit.replace(document.uri, range, text);
    if (!(await vscode.workspace.applyEdit(edit))) {
      throw new EditorActionError(`Could not edit ${this.describe(document)} (is it read-only?).`);
    }
    const shown = await vscode.window.showTextDocument(document, {
      ...(editor?.viewColumn !== undefined ? { viewColumn: editor.viewColumn } : {}),
      preserveFocus: false,
    });
    const end = document.positionAt(document.offsetAt(range.start) + text.length);
    shown.selection = new vscode.Selection(range.start, end);
    shown.revealRange(new vscode.Range(range.start, end), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    return `${mode === 'insert' ? 'Inserted into' : 'Replaced the selection in'} ${this.describe(document)}`;
  }

  /**
   * Opens the native diff editor: the selection (the whole document when nothing is selected)
   * on the left, `text` on the right.
   */
  async diffWithSelection(target: EditorTarget | null, text: string, label: string): Promise<void> {
    const { document, editor, targetRange } = await this.resolve(target);
    const current = editor && !editor.selection.isEmpty ? editor.selection : undefined;
    const range = current ?? (targetRange && !targetRange.isEmpty ? targetRange : undefined);
    const selected = range ? document.getText(document.validateRange(range)) : document.getText();
    const extension = path.extname(document.uri.path) || '.txt';
    const left = this.provider.add(`selection${extension}`, selected);
    const right = this.provider.add(`${fileNameOf(label)}${extension}`, text);
    const what = range ? 'Selection' : path.basename(document.uri.path) || 'Document';
    await vscode.commands.executeCommand('vscode.diff', left, right, `${what} ↔ ${label}`, { preview: true });
  }

  /** Opens the native diff editor between two answers. */
  async diffTexts(left: { label: string; text: string }, right: { label: string; text: string }): Promise<void> {
    const leftUri = this.provider.add(`${fileNameOf(left.label)}.md`, left.text);
    const rightUri = this.provider.add(`${fileNameOf(right.label)}.md`, right.text);
    await vscode.commands.executeCommand('vscode.diff', leftUri, rightUri, `${left.label} ↔ ${right.label}`, { preview: true });
  }

  /**
   * Opens an http(s) link from an answer in the browser after a modal confirmation showing
   * the full URL. Anything else is refused. Returns whether it was opened.
   */
  async openLink(url: string): Promise<boolean> {
    if (!isSafeLinkUrl(url)) throw new EditorActionError('Only http and https links can be opened.');
    const open = 'Open Link';
    const choice = await vscode.window.showWarningMessage(
      'Open a link from a model answer in your browser?',
      { modal: true, detail: url },
      open,
    );
    if (choice !== open) return false;
    return vscode.env.openExternal(vscode.Uri.parse(url, true));
  }

  private async resolve(target: EditorTarget | null): Promise<ResolvedEditor> {
    if (target) {
      let uri: vscode.Uri;
      try {
        uri = vscode.Uri.parse(target.uri, true);
      } catch {
        throw new EditorActionError('The editor this comparison came from is no longer known.');
      }
      const key = uri.toString();
      const editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === key);
      let document: vscode.TextDocument;
      try {
        document = editor?.document ?? (await vscode.workspace.openTextDocument(uri));
      } catch {
        throw new EditorActionError(`Could not open ${path.basename(uri.path)}; was it closed or deleted?`);
      }
      return { document, editor, targetRange: toRange(target.selection) };
    }
    const editor = vscode.window.activeTextEditor ?? vscode.window.visibleTextEditors[0];
    if (!editor) throw new EditorActionError('Open a text editor first.');
    return { document: editor.document, editor, targetRange: undefined };
  }

  private describe(document: vscode.TextDocument): string {
    return path.basename(document.uri.path) || document.uri.toString();
  }
}
