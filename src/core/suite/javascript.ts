/**
 * Whether a suite would run JavaScript (`javascript` assertions, assertion or test transforms),
 * and whether the editor lets it: never in a workspace that is not trusted (Restricted Mode),
 * otherwise only when the user says so for this run.
 */
import type { AssertionSpec, Suite } from './types';

function assertionUsesJs(a: AssertionSpec): boolean {
  return /^(not-)?javascript$/.test(a.type) || a.transform !== undefined || (a.assert ?? []).some(assertionUsesJs);
}

/** How many tests of the suite would run JavaScript. */
export function testsUsingJavaScript(suite: Pick<Suite, 'tests'>): number {
  return suite.tests.filter((t) => t.transform !== null || t.assert.some(assertionUsesJs)).length;
}

/** The decision for one run: whether JavaScript runs, and the sentence the report shows when it does not. */
export function javaScriptDecision(
  testsWithJs: number,
  workspaceTrusted: boolean,
  userAllows: boolean,
): { allowJs: boolean; note: string | null } {
  if (testsWithJs === 0) return { allowJs: false, note: null };
  const which = `${testsWithJs} test${testsWithJs === 1 ? '' : 's'} with JavaScript assertions or transforms`;
  if (!workspaceTrusted) {
    return { allowJs: false, note: `JavaScript did not run: the workspace is in Restricted Mode, so the ${which} report those assertions as not run.` };
  }
  if (!userAllows) return { allowJs: false, note: `JavaScript did not run (you chose to run without it): the ${which} report those assertions as not run.` };
  return { allowJs: true, note: null };
}
