import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanErrorBody, collapseRepeats, forEditor, httpStatusHint, messageFromBody, suggestedFixes } from '../../src/core/errors';

test('an HTML error page that repeats itself reads as one short message', () => {
  const html = `<!DOCTYPE html><html><head><title>500 Internal Server Error</title></head><body><h1>500 Internal Server Error</h1>${'<p>upstream exploded</p>'.repeat(500)}</body></html>`;
  const body = cleanErrorBody(html, 'text/html', 8 * 1024);
  assert.equal(messageFromBody(body), '500 Internal Server Error upstream exploded');
  assert.equal(messageFromBody('{"error":{"message":"Bad gateway. Bad gateway. Bad gateway."}}'), 'Bad gateway.');
});

test('collapseRepeats keeps ordinary text and a doubled single word', () => {
  assert.equal(collapseRepeats('the model is very very slow'), 'the model is very very slow');
  assert.equal(collapseRepeats('no no no'), 'no');
  assert.equal(collapseRepeats('a b a b a b c'), 'a b c');
  assert.equal(collapseRepeats('Rate limit exceeded for model x'), 'Rate limit exceeded for model x');
});

test('errors shown in the editor never advise environment variables or CLI commands', () => {
  for (const status of [400, 401, 402, 403, 404, 407, 429, 500, 503]) {
    const hint = forEditor({ hint: httpStatusHint(status) }).hint;
    assert.doesNotMatch(hint, /bakeoff backends|environment variable|--proxy|_API_KEY|HTTPS_PROXY/, `${status}: ${hint}`);
  }
  assert.equal(
    forEditor({ hint: 'Set the key again (environment variable or secret store) and rerun.' }).hint,
    'Set the key again with "Bakeoff: Set API Key…" and re-run.',
  );
  assert.match(forEditor({ hint: httpStatusHint(404) }).hint, /Bakeoff: Test Backends/);
});

test('fixes offered for a failed trial', () => {
  assert.deepEqual(suggestedFixes(null), []);
  assert.deepEqual(suggestedFixes({ type: 'not_sent', code: 'noKey' }), ['setApiKey', 'retry']);
  assert.deepEqual(suggestedFixes({ type: 'not_sent', code: 'cancelled' }), ['retry']);
  assert.deepEqual(suggestedFixes({ type: 'http_error', httpStatus: 401 }), ['setApiKey', 'retry']);
  assert.deepEqual(suggestedFixes({ type: 'http_error', httpStatus: 404 }), ['openSettings', 'testBackends', 'retry']);
  assert.deepEqual(suggestedFixes({ type: 'http_error', httpStatus: 500 }), ['retry']);
  assert.deepEqual(suggestedFixes({ type: 'network_error', code: 'ECONNREFUSED' }), ['retry', 'openSettings', 'testBackends']);
  assert.deepEqual(suggestedFixes({ type: 'timeout' }), ['retry']);
});
