import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  defaultPromptTemplates,
  expandTemplate,
  pickTemplate,
  unknownPlaceholders,
} from '../../src/core/template';

test('expands every known placeholder', () => {
  const out = expandTemplate('${input} | ${file} | ${language} | ${selection}', {
    input: 'why?',
    file: 'src/a.ts',
    language: 'typescript',
    selection: 'let x = 1;',
  });
  assert.equal(out, 'why? | src/a.ts | typescript | let x = 1;');
});

test('expansion is single-pass: substituted text is never expanded again', () => {
  const out = expandTemplate('Q: ${input}\nCode: ${selection}', {
    input: 'explain ${selection}',
    selection: 'const s = `${input} and ${file}`;',
    file: 'x.ts',
  });
  assert.equal(out, 'Q: explain ${selection}\nCode: const s = `${input} and ${file}`;');
});

test('repeated placeholders are all replaced and missing values become empty', () => {
  assert.equal(expandTemplate('```${language}\n${selection}\n```${language}', { language: 'py' }), '```py\n\n```py');
});

test('unknown placeholders stay as written and are reported', () => {
  const template = 'Hi ${name} ${input} ${selection} ${other}';
  assert.equal(expandTemplate(template, { input: 'I', selection: 'S' }), 'Hi ${name} I S ${other}');
  assert.deepEqual(unknownPlaceholders(template), ['name', 'other']);
  assert.deepEqual(unknownPlaceholders(defaultPromptTemplates.compareSelection), []);
});

test('$${name} escapes a literal placeholder', () => {
  assert.equal(expandTemplate('$${input} = ${input}', { input: 'v' }), '${input} = v');
  assert.deepEqual(unknownPlaceholders('$${nope}'), []);
});

test('replacement text with $ patterns is inserted literally', () => {
  assert.equal(expandTemplate('[${selection}]', { selection: "$& $1 $$ $' $`" }), "[$& $1 $$ $' $`]");
});

test('default compareSelection template wraps the code in a fence of its language', () => {
  const out = expandTemplate(defaultPromptTemplates.compareSelection, {
    selection: 'fn main() {}',
    file: 'src/main.rs',
    language: 'rust',
  });
  assert.match(out, /from src\/main\.rs/);
  assert.ok(out.includes('```rust\nfn main() {}\n```'));
});

test('pickTemplate prefers a non-empty user template and falls back to the default', () => {
  assert.equal(pickTemplate({ comparePrompt: 'mine ${input}' }, 'comparePrompt'), 'mine ${input}');
  assert.equal(pickTemplate({ comparePrompt: '' }, 'comparePrompt'), defaultPromptTemplates.comparePrompt);
  assert.equal(pickTemplate({ comparePrompt: 42 }, 'comparePrompt'), defaultPromptTemplates.comparePrompt);
  assert.equal(pickTemplate(undefined, 'comparePromptNoSelection'), '${input}');
});
