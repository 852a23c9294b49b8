import { test } from 'node:test';
import assert from 'node:assert/strict';
import { javaScriptDecision, testsUsingJavaScript } from '../../src/core/suite/javascript';
import { suiteTally } from '../../src/core/suite/matrix';
import type { SuiteTest } from '../../src/core/suite/types';

const base: Omit<SuiteTest, 'assert' | 'transform'> = { id: 't', index: 0, description: '', promptLabel: 'p', vars: {}, messages: [], threshold: null, metadata: {}, source: { file: 's.yaml', line: 1 } };

test('a suite from an untrusted workspace never runs JavaScript; a trusted one only when the user allows it', () => {
  const suite = {
    tests: [
      { ...base, transform: null, assert: [{ type: 'contains', value: 'x' }] },
      { ...base, transform: null, assert: [{ type: 'assert-set', assert: [{ type: 'not-javascript', value: 'output.length > 3' }] }] },
      { ...base, transform: 'output.trim()', assert: [] },
      { ...base, transform: null, assert: [{ type: 'equals', value: 'x', transform: 'output.toLowerCase()' }] },
    ],
  };
  assert.equal(testsUsingJavaScript(suite), 3);
  assert.equal(testsUsingJavaScript({ tests: [suite.tests[0]!] }), 0);
  const untrusted = javaScriptDecision(3, false, true);
  assert.equal(untrusted.allowJs, false, 'Restricted Mode wins over the user saying yes');
  assert.match(untrusted.note!, /Restricted Mode/);
  assert.deepEqual(javaScriptDecision(3, true, true), { allowJs: true, note: null });
  assert.match(javaScriptDecision(3, true, false).note!, /you chose to run without it/);
  assert.deepEqual(javaScriptDecision(0, false, true), { allowJs: false, note: null });
});

test('tally of a run', () => {
  assert.deepEqual(suiteTally([{ passed: true }, { passed: false }, { passed: null }, { passed: true }]), { passed: 2, graded: 3, cells: 4 });
});
