import { test } from 'node:test';
import assert from 'node:assert/strict';
import { APIError } from 'openai';
import { cleanErrorBody, collapseRepeats, forEditor, httpStatusHint, messageFromBody, scrubError, suggestedFixes, toStreamError } from '../../src/core/errors';

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

const hostile = 'sk-HostileKey1234567890abcdXYZ';
const split = '<code>sk-Hostile</code><code>Key1234567890abcdXYZ</code>';

test('cleanErrorBody redacts keys before stripping tags (a key split by tags) and after', () => {
  const page = `<html><body><h1>401 Unauthorized</h1><p>Key ${split} rejected</p></body></html>`;
  assert.equal(cleanErrorBody(page, 'text/html', 8 * 1024, [hostile]), '401 Unauthorized Key *** rejected');
  // Stripped first, the halves would be two words no exact or echo match finds.
  assert.equal(cleanErrorBody(page, 'text/html', 8 * 1024), `401 Unauthorized Key sk-Hostile Key1234567890abcdXYZ rejected`);
  // Cut by the cap right where the key would be.
  const capped = cleanErrorBody(`<html><body><p>${'filler '.repeat(26)}</p>${split}</body></html>`, 'text/html', 200, [hostile]);
  assert.doesNotMatch(capped, /hostile|1234/i);
  assert.equal(cleanErrorBody(`{"error":"bad key ${hostile.toUpperCase()}"}`, 'application/json', 8 * 1024, [hostile]), '{"error":"bad key ***"}');
  // Short keys (placeholders) only exactly.
  assert.equal(cleanErrorBody('<p>sk-local SK-LOCAL</p>', 'text/html', 8 * 1024, ['sk-local']), '*** SK-LOCAL');
});

test('scrubError and toStreamError redact echoed keys from messages, hints and bodies', () => {
  const upper = hostile.toUpperCase();
  const scrubbed = scrubError(
    { type: 'http_error', httpStatus: 401, message: `HTTP 401: Incorrect API key provided: ${upper}.`, hint: `check ${hostile.toLowerCase()}`, body: `key sk-Hostile\u00adKey1234567890abcdXYZ` },
    [hostile],
  );
  assert.deepEqual(scrubbed, { type: 'http_error', httpStatus: 401, message: 'HTTP 401: Incorrect API key provided: ***.', hint: 'check ***', body: 'key ***' });

  // A 401 whose body the fetch layer did not keep: the SDK's message is used.
  const auth = APIError.generate(401, { error: { message: `Incorrect API key provided: ${upper}.` } }, undefined, new Headers());
  const fromSdk = toStreamError(auth, { secrets: [hostile] });
  assert.equal(fromSdk.message, 'HTTP 401: Incorrect API key provided: ***.');
  // With the body kept.
  const fromBody = toStreamError(auth, { secrets: [hostile], errorBody: JSON.stringify({ error: { message: `bad ${upper}` } }) });
  assert.equal(fromBody.message, 'HTTP 401: bad ***');
  assert.doesNotMatch(JSON.stringify(fromBody), /hostile/i);
  // An `{"error":…}` event mid-stream.
  const midStream = toStreamError(new APIError(undefined, { message: `key ${upper} revoked`, code: 401 }, undefined, undefined), { secrets: [hostile] });
  assert.equal(midStream.type, 'upstream_error');
  assert.equal(midStream.message, 'The backend reported an error mid-stream: key *** revoked');
  assert.equal(midStream.httpStatus, 401);
});
