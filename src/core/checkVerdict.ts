/**
 * The verdict of a backend check (Test Backends, `bakeoff backends check`): ready, works with
 * caveats, or not working — and why, in one sentence each, with the fixes worth offering. One
 * rule for the editor's report and the CLI.
 */
import { suggestedFixes, type ErrorFix } from './errors';
import { statusLabels } from './format';
import type { BackendCheck } from './runner';

export interface CheckVerdict {
  level: 'ready' | 'caveats' | 'failing';
  /** `Ready`, `Works, with caveats`, `Not working`. */
  headline: string;
  /** Why, one sentence each; the first is the main one. */
  reasons: string[];
  /** Model ids the server lists, when the configured one is not among them (at most 20). */
  otherModels: string[];
  fixes: ErrorFix[];
}

export const verdictHeadlines: Record<CheckVerdict['level'], string> = {
  ready: 'Ready',
  caveats: 'Works, with caveats',
  failing: 'Not working',
};

/** What a check of `backend` means for a comparison. */
export function checkVerdict(check: BackendCheck, backend: { model: string; tlsInsecure?: boolean }): CheckVerdict {
  const reasons: string[] = [];
  const otherModels = check.modelFound === false && check.availableModels ? check.availableModels.filter((m) => m !== backend.model).slice(0, 20) : [];
  const chatOk = check.chat.status === 'ok';
  const failing = (main: string, fixes: ErrorFix[]): CheckVerdict => ({ level: 'failing', headline: verdictHeadlines.failing, reasons: [main, ...reasons], otherModels, fixes });
  if (check.modelFound === false) reasons.push(`The model "${backend.model}" is not in the server's model list.`);
  if (!check.reachable) {
    return failing(`Not reachable: ${check.error?.message ?? 'no answer'}.`, check.error ? suggestedFixes(check.error) : ['openSettings', 'retry']);
  }
  if (!chatOk) {
    const what = check.error?.message ?? (check.chat.httpStatus ? `HTTP ${check.chat.httpStatus}` : statusLabels[check.chat.status]);
    const fixes = check.error ? suggestedFixes(check.error) : ['retry' as const];
    if (check.modelFound === false && !fixes.includes('openSettings')) fixes.unshift('openSettings');
    return failing(`A chat request failed: ${what.replace(/\.$/, '')}.`, fixes);
  }
  if (check.streamUsage !== 'reported') reasons.push('It does not report token usage while streaming: token counts (and costs) are estimated.');
  if (check.modelsListed === false) reasons.push('It has no model list (GET /models), so the model id cannot be checked.');
  if (backend.tlsInsecure) reasons.push('Its TLS certificate is not verified.');
  if (!reasons.length) return { level: 'ready', headline: verdictHeadlines.ready, reasons: ['A streamed chat request worked and reported its token usage.'], otherModels, fixes: [] };
  return { level: 'caveats', headline: verdictHeadlines.caveats, reasons, otherModels, fixes: check.modelFound === false ? ['openSettings'] : [] };
}
