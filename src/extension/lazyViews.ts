/**
 * The Bakeoff view container's trees, created at start-up so the editor can show them, with
 * providers that load the host only when a view first asks for its rows: a closed view costs
 * nothing at start-up, and the run history is read only when the History view is shown.
 */
import * as vscode from 'vscode';
import { viewIds } from './commands';
import type { BackendItem, HistoryItem } from './views';

/** Rows come from the provider `load` returns, asked for on the first request. */
class DeferredProvider<T> implements vscode.TreeDataProvider<T>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<T | T[] | undefined | null | void>();
  readonly onDidChangeTreeData = this.changed.event;
  private target: vscode.TreeDataProvider<T> | undefined;
  private forwarding: vscode.Disposable | undefined;

  constructor(private readonly load: () => vscode.TreeDataProvider<T>) {}

  private get inner(): vscode.TreeDataProvider<T> {
    if (!this.target) {
      this.target = this.load();
      this.forwarding = this.target.onDidChangeTreeData?.((e) => this.changed.fire(e));
    }
    return this.target;
  }

  getChildren(element?: T): vscode.ProviderResult<T[]> {
    return this.inner.getChildren(element);
  }

  getTreeItem(element: T): vscode.TreeItem | Thenable<vscode.TreeItem> {
    return this.inner.getTreeItem(element);
  }

  dispose(): void {
    this.forwarding?.dispose();
    this.changed.dispose();
  }
}

/** The providers behind both trees, from the host. */
export interface ViewProviders {
  backends: vscode.TreeDataProvider<BackendItem>;
  history: vscode.TreeDataProvider<HistoryItem>;
}

/** Creates both trees; `providers` (called once, on the first request of either) hands in their rows. */
export function createLazyViews(providers: (trees: { backends: vscode.TreeView<BackendItem>; history: vscode.TreeView<HistoryItem> }) => ViewProviders): vscode.Disposable[] {
  let loaded: ViewProviders | undefined;
  const get = (): ViewProviders => (loaded ??= providers(trees));
  const backendsProvider = new DeferredProvider<BackendItem>(() => get().backends);
  const historyProvider = new DeferredProvider<HistoryItem>(() => get().history);
  const trees = {
    backends: vscode.window.createTreeView(viewIds.backends, { treeDataProvider: backendsProvider, showCollapseAll: false }),
    history: vscode.window.createTreeView(viewIds.history, { treeDataProvider: historyProvider, canSelectMany: true }),
  };
  return [trees.backends, trees.history, backendsProvider, historyProvider];
}
