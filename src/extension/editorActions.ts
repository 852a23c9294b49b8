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

/** An answer shown in a diff editor against the selection, for the diff's title-bar actions. */
export interface DiffSession {
  target: EditorTarget | null;
  /** The answer's code, as shown on the right. */
  code: string;
  label: string;
  /** The source document. */
  document: string;
}

/** What {@link EditorActions.undo} needs to take an edit back. */
export interface UndoRecord {
  uri: string;
  /** The document's version right after the edit. */
  version: number;
  startOffset: number;
  insertedLength: number;
  /** The text the edit replaced. */
  original: string;
  name: string;
}

/**
 * Where Insert puts code: at the start of the line below the compared selection (its own
 * lines), at the compared cursor when nothing was selected, at the end without a target.
 */
function insertPosition(document: vscode.TextDocument, targetRange: vscode.Range | undefined): { position: vscode.Position; newlineBefore: boolean; newlineAfter: boolean } {
  if (!targetRange) {
    const end = document.positionAt(document.getText().length);
    return { position: end, newlineBefore: end.character > 0, newlineAfter: false };
  }
  const range = document.validateRange(targetRange);
  if (range.isEmpty) return { position: range.start, newlineBefore: false, newlineAfter: false };
  if (range.end.character === 0) return { position: range.end, newlineBefore: false, newlineAfter: true };
  if (range.end.line + 1 < document.lineCount) return { position: new vscode.Position(range.end.line + 1, 0), newlineBefore: false, newlineAfter: true };
  // The selection ends on the last line, which has no line break.
  return { position: document.lineAt(range.end.line).range.end, newlineBefore: true, newlineAfter: false };
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
  private readonly sessions = new Map<string, DiffSession>();
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
   * Puts `text` into the editor the comparison came from (or the visible editor when there is
   * none), then selects it and shows it:
   * - `insert`: on its own lines right below the compared selection (at the compared cursor
   *   position when nothing was selected; at the end of the file without a target) — the place
   *   {@link insertPlace} names, whatever the cursor does meanwhile;
   * - `replace`: over the editor's current selection when it is non-empty, else the comparison's
   *   original selection;
   * - `replaceFile`: over the whole document.
   * Returns a short description for a notice and what {@link undo} needs.
   */
  async apply(target: EditorTarget | null, text: string, mode: 'insert' | 'replace' | 'replaceFile'): Promise<{ description: string; undo: UndoRecord }> {
    const { document, editor, targetRange } = await this.resolve(target);
    let range: vscode.Range;
    let inserted = text;
    if (mode === 'insert') {
      const place = insertPosition(document, targetRange);
      range = new vscode.Range(place.position, place.position);
      if (place.newlineBefore) inserted = `${document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n'}${inserted}`;
      if (place.newlineAfter && !/\r?\n$/.test(inserted)) inserted += document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
    } else if (mode === 'replaceFile') {
      range = new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length));
    } else {
      const current = editor && !editor.selection.isEmpty ? editor.selection : undefined;
      range = current ?? targetRange ?? editor?.selection ?? new vscode.Range(0, 0, 0, 0);
    }
    range = document.validateRange(range);
    const original = document.getText(range);
    const edit = new vscode.WorkspaceEdit();
    edit.replace(document.uri, range, inserted);
    if (!(await vscode.workspace.applyEdit(edit))) {
      throw new EditorActionError(`Could not edit ${this.describe(document)} (is it read-only?).`);
    }
    const shown = await vscode.window.showTextDocument(document, {
      ...(editor?.viewColumn !== undefined ? { viewColumn: editor.viewColumn } : {}),
      preserveFocus: false,
    });
    const startOffset = document.offsetAt(range.start);
    const end = document.positionAt(startOffset + inserted.length);
    shown.selection = new vscode.Selection(range.start, end);
    shown.revealRange(new vscode.Range(range.start, end), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    const name = this.describe(document);
    const line = range.start.line + 1;
    // A range ending at column 0 of a line does not cover that line.
    const lastLine = range.end.character === 0 && range.end.line > range.start.line ? range.end.line : range.end.line + 1;
    const description =
      mode === 'insert'
        ? `Inserted into ${name} at line ${line}`
        : mode === 'replaceFile'
          ? `Replaced the whole of ${name}`
          : lastLine === line
            ? `Replaced line ${line} of ${name}`
            : `Replaced lines ${line}–${lastLine} of ${name}`;
    return {
      description,
      undo: { uri: document.uri.toString(), version: document.version, startOffset, insertedLength: inserted.length, original, name },
    };
  }

  /**
   * Takes back an {@link apply} while the document is as that edit left it. Returns what was
   * done, or throws when the document has changed since (then the editor's own Undo is the way).
   */
  async undo(record: UndoRecord): Promise<string> {
    const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === record.uri);
    if (!document || document.isClosed) throw new EditorActionError(`${record.name} is no longer open; nothing was undone.`);
    if (document.version !== record.version) {
      throw new EditorActionError(`${record.name} changed after the edit; use Undo in the editor (Ctrl+Z) to take it back.`);
    }
    const range = new vscode.Range(document.positionAt(record.startOffset), document.positionAt(record.startOffset + record.insertedLength));
    const edit = new vscode.WorkspaceEdit();
    edit.replace(document.uri, range, record.original);
    if (!(await vscode.workspace.applyEdit(edit))) throw new EditorActionError(`Could not edit ${record.name}.`);
    return `Undone: ${record.name} is as it was.`;
  }

  /** Where Insert puts an answer, in words (`below line 9 of cart.ts`); null without a target. */
  static insertPlace(target: EditorTarget | null): string | null {
    if (!target) return null;
    let name: string;
    try {
      name = path.basename(vscode.Uri.parse(target.uri, true).path) || 'the file';
    } catch {
      name = 'the file';
    }
    const s = target.selection;
    const empty = s.startLine === s.endLine && s.startCharacter === s.endCharacter;
    if (empty) return `at line ${s.startLine + 1} of ${name}`;
    const lastLine = s.endCharacter === 0 && s.endLine > s.startLine ? s.endLine : s.endLine + 1;
    return `below line ${lastLine} of ${name}`;
  }

  /**
   * Opens the native diff editor in the source editor's group (beside the panel, not over it):
   * the selection (the whole document when nothing is selected) on the left, `text` on the
   * right. Its title bar offers Apply to Selection, Apply to Whole File and Copy (see
   * {@link diffSession}).
   */
  async diffWithSelection(target: EditorTarget | null, text: string, label: string): Promise<void> {
    const { document, editor, targetRange } = await this.resolve(target);
    const current = editor && !editor.selection.isEmpty ? editor.selection : undefined;
    const range = current ?? (targetRange && !targetRange.isEmpty ? targetRange : undefined);
    const selected = range ? document.getText(document.validateRange(range)) : document.getText();
    const extension = path.extname(document.uri.path) || '.txt';
    const left = this.provider.add(`selection${extension}`, selected);
    const right = this.provider.add(`${fileNameOf(label)}${extension}`, text);
    this.sessions.set(right.toString(), { target, code: text, label, document: document.uri.toString() });
    while (this.sessions.size > maxDiffDocuments) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.sessions.delete(oldest);
    }
    const what = range ? 'Selection' : path.basename(document.uri.path) || 'Document';
    await vscode.commands.executeCommand('vscode.diff', left, right, `${what} ↔ ${label}`, {
      preview: true,
      viewColumn: editor?.viewColumn ?? vscode.ViewColumn.One,
    });
  }

  /**
   * The answer shown in a diff opened by {@link diffWithSelection}: the one whose right-hand
   * document is `uri`, else the one in the active diff editor.
   */
  diffSession(uri?: unknown): DiffSession | undefined {
    if (uri instanceof vscode.Uri) {
      const found = this.sessions.get(uri.toString());
      if (found) return found;
    }
    const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    if (input instanceof vscode.TabInputTextDiff) return this.sessions.get(input.modified.toString());
    return undefined;
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
