import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redactKeysInText, StreamingKeyRedactor } from '../../src/core/redact';

const key = 'sk-live-AbCdEf0123456789';

test('echoes of a key are redacted in any case and across inline tags or zero-width characters', () => {
  const cases = [
    key,
    key.toUpperCase(),
    key.toLowerCase(),
    'sk-live-AbC<b>dEf0123</b>456789',
    'sk-live-<span class="x">AbCdEf</span>0123456789',
    `sk-live-AbCd\u200bEf0123456789`,
  ];
  for (const echo of cases) {
    const out = redactKeysInText(`before ${echo} after`, [key]);
    assert.equal(out.text, 'before *** after', echo);
    assert.equal(out.found, true);
  }
  assert.deepEqual(redactKeysInText('nothing here', [key]), { text: 'nothing here', found: false });
  assert.deepEqual(redactKeysInText('ollama rocks', ['ollama']), { text: 'ollama rocks', found: false }, 'short keys are placeholders');
});

test('streamed pieces: no piece ever carries part of the key, and the pieces join to the redacted text (every split)', () => {
  const texts = [
    `Your key: ${key}. Done.`,
    `${key.toUpperCase()} at the start`,
    `ends with the key sk-live-AbC<i>dEf</i>0123456789`,
    `almost sk-live-AbCdEf012345678 but not quite, s k, sk-`,
    `two: ${key} and ${key}`,
  ];
  for (const text of texts) {
    const expected = redactKeysInText(text, [key]).text;
    for (let a = 0; a <= text.length; a++) {
      for (const b of [a, Math.min(text.length, a + 1), Math.min(text.length, a + 7)]) {
        const redactor = new StreamingKeyRedactor([key]);
        const shown = [redactor.push(text.slice(0, a)), redactor.push(text.slice(a, b)), redactor.push(text.slice(b)), redactor.flush()];
        assert.equal(shown.join(''), expected, `${text} split at ${a}/${b}`);
        // A string that only resembles the key is ordinary text and may be shown.
        if (!text.startsWith('almost')) {
          for (const piece of shown) assert.ok(!/abcdef0123/i.test(piece.replace(/<[^>]*>/g, '')), `piece leaks: ${piece}`);
        }
      }
    }
  }
  // Byte by byte.
  const redactor = new StreamingKeyRedactor([key]);
  const pieces = [...`x ${key} y`].map((c) => redactor.push(c));
  pieces.push(redactor.flush());
  assert.equal(pieces.join(''), 'x *** y');
  assert.equal(redactor.found, true);
});
