import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSuite, SuiteError } from '../../src/core/suite/load';
import { looksLikeJson, renderPromptMessages, renderTemplate, TemplateError } from '../../src/core/suite/render';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'bakeoff-suite-load-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
}

function refused(path: string, pattern: RegExp, line: number | null, field?: string): SuiteError {
  let caught: unknown;
  try {
    loadSuite(path, { env: {} });
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof SuiteError, `expected a SuiteError, got ${String(caught)}`);
  assert.match(caught.message, pattern);
  assert.equal(caught.line, line, caught.message);
  if (field !== undefined) assert.equal(caught.field, field, caught.message);
  assert.ok(caught.message.startsWith(`${path}${line !== null ? `:${line}` : ''}: `), caught.message);
  return caught;
}

test('a promptfoo config: prompts × tests, vars rendered with Nunjucks, defaultTest merged, list vars expanded, providers mapped', () => {
  file('prompts/chat.json', JSON.stringify([{ role: 'system', content: 'Be terse.' }, { role: 'user', content: 'Capital of {{ country | upper }}?' }]));
  const path = file(
    'promptfooconfig.yaml',
    [
      'description: Capitals',
      'prompts:',
      '  - "What is the capital of {{country}}?{% if hint %} Hint: {{hint}}{% endif %}"',
      '  - id: file://prompts/chat.json',
      '    label: chat',
      'providers:',
      '  - id: openai:chat:gpt-4o-mini',
      '    config: { temperature: 0.2, max_tokens: 64, seed: 9 }',
      '  - id: openai:chat:meta-llama/Llama-3.3-70B-Instruct',
      '    label: chutes-llama',
      '    config: { apiBaseUrl: "https://llm.chutes.ai/v1", apiKeyEnvar: CHUTES_API_KEY }',
      '  - id: openai:chat:qwen',
      '    config: { apiBaseUrl: "http://127.0.0.1:8000/v1" }',
      'defaultTest:',
      '  vars: { hint: "" }',
      '  assert: [{ type: latency, threshold: 5000 }]',
      '  metadata: { family: capitals }',
      'evaluateOptions: { repeat: 3, maxConcurrency: 4 }',
      'tests:',
      '  - description: France',
      '    vars: { country: France }',
      '    assert:',
      '      - type: icontains',
      '        value: "{{ country | lower }}"',
      '  - vars: { country: [Spain, Italy], hint: "south" }',
      '    threshold: 0.5',
      '    metadata: { lengthLabel: 4k }',
    ].join('\n'),
  );
  const s = loadSuite(path, { env: {} });
  assert.equal(s.description, 'Capitals');
  assert.equal(s.format, 'suite-yaml');
  assert.equal(s.repeat, 3);
  assert.equal(s.maxConcurrency, 4);
  assert.equal(s.tests.length, 6, '3 test cases (one expanded into 2) × 2 prompts');
  const [t1, t2, t3] = s.tests;
  assert.deepEqual(t1!.messages, [{ role: 'user', content: 'What is the capital of France?' }]);
  assert.deepEqual(t2!.messages, [
    { role: 'system', content: 'Be terse.' },
    { role: 'user', content: 'Capital of FRANCE?' },
  ]);
  assert.equal(t2!.promptLabel, 'chat');
  assert.deepEqual(
    t1!.assert.map((a) => [a.type, a.value ?? a.threshold]),
    [
      ['latency', 5000],
      ['icontains', 'france'],
    ],
    'defaultTest assertions first, values rendered',
  );
  assert.deepEqual(t3!.messages, [{ role: 'user', content: 'What is the capital of Spain? Hint: south' }]);
  assert.equal(t3!.threshold, 0.5);
  assert.deepEqual(t3!.metadata, { family: 'capitals', lengthLabel: '4k' });
  assert.equal(s.tests[4]!.vars.country, 'Italy');
  assert.deepEqual(
    s.tests.map((t) => t.id),
    ['t0001', 't0002', 't0003', 't0004', 't0005', 't0006'],
  );
  const [openai, chutes, local] = s.providers;
  assert.deepEqual(openai!.backend, {
    id: 'gpt-4o-mini',
    kind: 'closed',
    baseUrl: 'https://api.openai.com/v1',
    model: 'gpt-4o-mini',
    apiKeyEnv: 'OPENAI_API_KEY',
    pricing: { type: 'catalog', providerId: 'openai' },
  });
  assert.deepEqual(openai!.params, { temperature: 0.2, maxTokens: 64, seed: 9 });
  assert.equal(chutes!.backend!.id, 'chutes-llama');
  assert.equal(chutes!.backend!.kind, 'decentralized', 'kind from the matching preset');
  assert.equal(chutes!.backend!.apiKeyEnv, 'CHUTES_API_KEY');
  assert.equal(local!.backend!.kind, 'local');
  assert.deepEqual(local!.backend!.pricing, { type: 'free' });
  assert.equal(s.hash.length, 64);
  assert.equal(loadSuite(path, { env: {} }).hash, s.hash, 'the hash is stable');
});

test('tests from CSV (with __expected/__description), JSON, JSONL and YAML files, and vars from files', () => {
  file('data/a.csv', 'question,__expected,__expected2,__description,__metadata:lengthLabel\n"What is 2+2?",contains:4,not-contains:5,sum,4k\nCapital of Peru?,"icontains-any:lima, LIMA",,,8k\n');
  file('data/b.json', JSON.stringify([{ vars: { question: 'json q' }, assert: [{ type: 'equals', value: 'x' }] }]));
  file('data/c.jsonl', `${JSON.stringify({ vars: { question: 'jsonl q1' } })}\n\n${JSON.stringify({ vars: { question: 'jsonl q2' }, description: 'second' })}\n`);
  file('data/d.yaml', '- vars: { question: yaml q }\n  assert: [{ type: starts-with, value: "y" }]\n');
  file('data/context.txt', 'Long context here.\n');
  const path = file(
    'files.yaml',
    ['prompts: ["{{question}}{% if context %} / {{context}}{% endif %}"]', 'tests:', '  - file://data/a.csv', '  - file://data/*.json*', '  - file://data/d.yaml', '  - vars: { question: q, context: file://data/context.txt }'].join('\n'),
  );
  const s = loadSuite(path, { env: {} });
  assert.deepEqual(
    s.tests.map((t) => t.messages[0]!.content),
    ['What is 2+2?', 'Capital of Peru?', 'json q', 'jsonl q1', 'jsonl q2', 'yaml q', 'q / Long context here.'],
  );
  assert.equal(s.tests[0]!.description, 'sum');
  assert.deepEqual(s.tests[0]!.assert, [
    { type: 'contains', value: '4' },
    { type: 'not-contains', value: '5' },
  ]);
  assert.deepEqual(s.tests[0]!.metadata, { lengthLabel: '4k' });
  assert.deepEqual(s.tests[1]!.assert, [{ type: 'icontains-any', value: ['lima', 'LIMA'] }]);
  assert.equal(s.tests[0]!.source.line, 2, 'CSV row line');
  assert.match(s.tests[0]!.source.file, /a\.csv$/);
  assert.equal(s.tests[4]!.description, 'second');
  assert.equal(s.tests[4]!.source.line, 3, 'JSONL line (blank line counted)');
});

test('AI Toolkit bulk-run JSONL: query is the prompt, ground_truth becomes icontains', () => {
  const path = file('toolkit.jsonl', `${JSON.stringify({ query: 'What is {{not a template}} 2+2?', ground_truth: '4' })}\n${JSON.stringify({ query: 'Say hi' })}\n`);
  const s = loadSuite(path, { env: {} });
  assert.equal(s.format, 'ai-toolkit-jsonl');
  assert.deepEqual(s.tests[0]!.messages, [{ role: 'user', content: 'What is {{not a template}} 2+2?' }], 'queries are not templates');
  assert.deepEqual(s.tests[0]!.assert, [{ type: 'icontains', value: '4' }]);
  assert.deepEqual(s.tests[1]!.assert, []);
});

test('OpenAI Evals JSONL: input text or chat, ideal as icontains (any of several)', () => {
  const path = file(
    'evals.jsonl',
    [
      JSON.stringify({ input: [{ role: 'system', content: 'Answer briefly.' }, { role: 'user', content: 'Capital of France?' }], ideal: 'Paris' }),
      JSON.stringify({ input: 'Largest planet?', ideal: ['Jupiter', 'jupiter'] }),
    ].join('\n'),
  );
  const s = loadSuite(path, { env: {} });
  assert.equal(s.format, 'openai-evals-jsonl');
  assert.equal(s.tests[0]!.messages.length, 2);
  assert.deepEqual(s.tests[0]!.assert, [{ type: 'icontains', value: 'Paris' }]);
  assert.deepEqual(s.tests[1]!.assert, [{ type: 'icontains-any', value: ['Jupiter', 'jupiter'] }]);
});

test('Bakeoff suite YAML: request, providers by id with concurrency, item-recall with distractors, metadata', () => {
  const path = file(
    'bakeoff-suite.yaml',
    [
      'description: long context',
      'request: { maxTokens: 32, temperature: 0, seed: 7 }',
      'providers: [closed, { id: chutes, concurrency: 3 }]',
      'prompts: ["{{haystack}} Which keys hold 31415?"]',
      'tests:',
      '  - vars: { haystack: "X = 31415. Y = X." }',
      '    metadata: { family: vartrack, lengthLabel: 32k, targetTokens: 32000 }',
      '    assert: [{ type: item-recall, value: [X, Y], distractors: [Z] }]',
      '  - vars: { haystack: "apple in kitchen" }',
      '    assert: [{ type: exclusive-choice, value: kitchen, options: [kitchen, garden] }]',
    ].join('\n'),
  );
  const s = loadSuite(path, { env: {} });
  assert.deepEqual(s.request, { maxTokens: 32, temperature: 0, seed: 7 });
  assert.deepEqual(
    s.providers.map((p) => [p.ref, p.concurrency]),
    [
      ['closed', null],
      ['chutes', 3],
    ],
  );
  assert.deepEqual(s.tests[0]!.metadata, { family: 'vartrack', lengthLabel: '32k', targetTokens: 32000 });
  assert.deepEqual(s.tests[0]!.assert[0], { type: 'item-recall', value: ['X', 'Y'], distractors: ['Z'] });
});

test('malformed suites are refused with file, line and field', () => {
  refused(file('bad1.yaml', 'prompts: ["{{q}}"]\ntests:\n  - vars: { q: x }\n    asert: []\n'), /unknown field "asert" \(did you mean "assert"\?\)/, 4, 'tests[0].asert');
  refused(
    file('bad2.yaml', 'prompts: ["{{q}}"]\ntests:\n  - vars: { q: x }\n    assert:\n      - type: contians\n        value: x\n'),
    /unknown assertion type "contians" \(did you mean "contains"\?\)/,
    5,
    'tests[0].assert[0]',
  );
  refused(file('bad3.yaml', 'prompts: ["{{q}}"]\ntests:\n  - vars: { q: x }\n    assert:\n      - { type: regex, value: "(" }\n'), /invalid regular expression/, 5);
  refused(file('bad4.yaml', 'prompts: ["{{q}}"]\ntests: [\n'), /not valid YAML/, 3);
  refused(file('bad5.yaml', 'prompts: ["Hi {{name}}, {{q}}"]\ntests:\n  - vars: { q: x }\n'), /unknown variable "name"/, 3, 'tests[0].vars');
  refused(file('bad6.yaml', 'prompts: ["{{q}}"]\ntests:\n  - vars: { q: x }\n    threshold: high\n'), /expected number/, 4, 'tests[0].threshold');
  refused(file('bad7.yaml', 'prompts: ["{{q}}"]\ntests: file://missing.csv\n'), /file not found/, 2, 'tests');
  refused(file('bad8.yaml', 'prompts: ["{{q}}"]\nscenarios: []\ntests:\n  - vars: { q: x }\n'), /"scenarios" is not supported/, 2);
  refused(
    file('bad9.yaml', 'prompts: ["{{q}}"]\nproviders:\n  - id: openai:chat:gpt-4o\n    config: { apiKey: sk-123 }\ntests:\n  - vars: { q: x }\n'),
    /API key in a suite file is refused/,
    3,
  );
  refused(file('bad10.yaml', 'prompts: ["{{q}}"]\nproviders: [anthropic:messages:claude]\ntests:\n  - vars: { q: x }\n'), /not OpenAI-compatible/, 2);
  refused(file('bad11.yaml', 'prompts: ["{{q}}"]\ntests:\n  - vars: { q: x }\n    assert: [{ type: item-recall, value: [] }]\n'), /item-recall/, 4);
  refused(file('bad12.yaml', 'prompts: ["{not json {{q}}}"]\ntests:\n  - vars: { q: x }\n'), /looks like JSON but is not valid JSON/, 3);
  refused(file('bad14.jsonl', '{"query": "ok"}\n{"oops": 1}\n'), /expected "query"/, 2);
  refused(file('bad15.jsonl', '{"input": "ok", "ideal": "a"}\nnot json\n'), /not valid JSON/, 2);
  refused(file('bad16.txt', 'hello'), /a suite must be/, null);
  refused(file('bad17.yaml', 'tests: []\n'), /no tests/, 1);
});

test('broken CSV points at the CSV file and row', () => {
  file('data/broken.csv', 'q,__expected\nok,x\n"unterminated,x\n');
  let caught: unknown;
  try {
    loadSuite(file('bad13.yaml', 'prompts: ["{{q}}"]\ntests: file://data/broken.csv\n'), { env: {} });
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof SuiteError);
  assert.match(caught.message, /broken\.csv:\d+: not valid CSV/);
  assert.ok(caught.file.endsWith('broken.csv'));
});

test('rendering: Nunjucks syntax, no escaping, undefined variables are errors, JSON chat prompts', () => {
  assert.equal(renderTemplate('{{ a }} & {{ b | join(", ") }} <{{ c.d }}>', { a: '<x>', b: ['1', '2'], c: { d: 'e' } }), '<x> & 1, 2 <e>');
  assert.equal(renderTemplate('{% for i in items %}[{{ i }}]{% endfor %}', { items: ['a', 'b'] }), '[a][b]');
  assert.throws(() => renderTemplate('Hello {{ who }}', {}), (e: unknown) => e instanceof TemplateError && e.variable === 'who' && /unknown variable "who"/.test(e.message));
  assert.throws(() => renderTemplate('{{ env.OPENAI_API_KEY }}', {}), /unknown variable "env"/, 'no environment variables in templates');
  assert.deepEqual(renderPromptMessages('[{"role": "user", "content": "Say {{ w }}"}]', { w: '"quoted"' }), [{ role: 'user', content: 'Say "quoted"' }]);
  assert.deepEqual(renderPromptMessages('plain {{ w }}', { w: 'text' }), [{ role: 'user', content: 'plain text' }]);
  assert.throws(() => renderPromptMessages('[{"role": "tool", "content": "x"}]', {}), /role of system, user or assistant/);
});

test('javascript assertion values are rendered with the vars, as promptfoo renders every value', () => {
  const s = loadSuite(
    file('js-render.yaml', ['prompts: ["Capital of {{country}}?"]', 'tests:', '  - vars: { country: France, answer: Paris }', '    assert:', "      - { type: javascript, value: \"output.trim() === '{{answer}}'\" }"].join('\n')),
    { env: {} },
  );
  assert.deepEqual(s.tests[0]!.assert, [{ type: 'javascript', value: "output.trim() === 'Paris'" }]);
  refused(file('js-render-bad.yaml', 'prompts: ["x"]\ntests:\n  - assert: [{ type: javascript, value: "output === \'{{ missing }}\'" }]\n'), /unknown variable "missing"/, 3, 'tests[0].assert[0]');
});

test('CSV column names and __expected cells are trimmed, as promptfoo trims them', () => {
  file('data/spaced.csv', 'question, __expected , __expected2,__description\nCapital of France?, contains: Paris ,"icontains-any: lima , paris",spaced\n');
  const s = loadSuite(file('spaced.yaml', 'prompts: ["{{question}}"]\ntests: file://data/spaced.csv\n'), { env: {} });
  assert.deepEqual(s.tests[0]!.vars, { question: 'Capital of France?' }, 'no var named " __expected"');
  assert.deepEqual(s.tests[0]!.assert, [
    { type: 'contains', value: 'Paris' },
    { type: 'icontains-any', value: ['lima', 'paris'] },
  ]);
  assert.equal(s.tests[0]!.description, 'spaced');
});

test('not-assert-set is refused: promptfoo has no such type, and dropping not- would invert the verdict', () => {
  refused(
    file('not-set.yaml', 'prompts: ["x"]\ntests:\n  - assert:\n      - type: not-assert-set\n        assert: [{ type: contains, value: a }]\n'),
    /"not-assert-set" does not exist: an assert-set cannot be inverted/,
    4,
    'tests[0].assert[0]',
  );
});

test('CSV __config:__expected<N>:threshold columns set the threshold of the assertion in that __expected column', () => {
  file(
    'data/config.csv',
    'q,__expected,__expected2,__config:__expected2:threshold,__config:__expected:threshold\n' +
      'a,"javascript: 0.6",llm-rubric:polite,0.8,0.5\n' +
      'b,contains:b,,0.9,\n',
  );
  const s = loadSuite(file('config.yaml', 'prompts: ["{{q}}"]\ntests: file://data/config.csv\n'), { env: {} });
  assert.deepEqual(s.tests[0]!.assert, [
    { type: 'javascript', value: '0.6', threshold: 0.5 },
    { type: 'llm-rubric', value: 'polite', threshold: 0.8 },
  ]);
  assert.deepEqual(s.tests[1]!.assert, [{ type: 'contains', value: 'b' }], 'an empty cell sets nothing; an empty __expected2 has nothing to set');

  const csvRefused = (name: string, csv: string, pattern: RegExp, line: number, field: string) => {
    const csvPath = file(`data/${name}.csv`, csv);
    let caught: unknown;
    try {
      loadSuite(file(`${name}.yaml`, `prompts: ["{{q}}"]\ntests: file://data/${name}.csv\n`), { env: {} });
    } catch (err) {
      caught = err;
    }
    assert.ok(caught instanceof SuiteError, String(caught));
    assert.match(caught.message, pattern);
    assert.deepEqual([caught.file, caught.line, caught.field], [csvPath, line, field], caught.message);
  };
  csvRefused('config-bad-key', 'q,__expected,__config:__expected:weight\na,x,2\n', /only the threshold of an assertion can be set/, 1, '__config:__expected:weight');
  csvRefused('config-bad-form', 'q,__expected,__config:threshold\na,x,2\n', /write __config:__expected:threshold/, 1, '__config:threshold');
  csvRefused('config-no-column', 'q,__expected,__config:__expected3:threshold\na,x,0.5\n', /there is no __expected3 column/, 1, '__config:__expected3:threshold');
  csvRefused('config-nan', 'q,__expected,__config:__expected:threshold\na,x,high\n', /"high" is not a number/, 2, '__config:__expected:threshold');
});

/** Each prompt of a suite with these prompts and one test `{ ans: X }`: its label and messages. */
function promptsOf(name: string, prompts: string): Array<{ label: string; messages: unknown }> {
  const s = loadSuite(file(name, `prompts: ${prompts}\ntests:\n  - vars: { ans: X }\n`), { env: {} });
  return s.tests.map((t) => ({ label: t.promptLabel, messages: t.messages }));
}

test('.txt prompt files as promptfoo reads them: split on lines that are --- once trimmed (a trailing --- adds nothing), a YAML chat list is a chat', () => {
  file('prompts/split.txt', 'A {{ans}}\n---\nB {{ans}}\n---');
  file('prompts/spaced.txt', 'A {{ans}}\n --- \r\nB {{ans}}\n');
  assert.deepEqual(promptsOf('txt-split.yaml', '[file://prompts/split.txt, file://prompts/spaced.txt]'), [
    { label: 'split.txt:1', messages: [{ role: 'user', content: 'A X' }] },
    { label: 'split.txt:2', messages: [{ role: 'user', content: 'B X' }] },
    { label: 'spaced.txt:1', messages: [{ role: 'user', content: 'A X' }] },
    { label: 'spaced.txt:2', messages: [{ role: 'user', content: 'B X' }] },
  ]);
  // promptfoo's parseChatPrompt: rendered text starting with `- role:` is YAML.
  file('prompts/chat.txt', '- role: system\n  content: be brief\n- role: user\n  content: "{{ans}}?"\n');
  assert.deepEqual(promptsOf('txt-chat.yaml', '[file://prompts/chat.txt]'), [
    {
      label: 'chat.txt',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'X?' },
      ],
    },
  ]);
  file('prompts/dashes.txt', '---\n \n---\n');
  refused(file('txt-empty.yaml', 'prompts: [file://prompts/split.txt, file://prompts/dashes.txt]\ntests:\n  - vars: { ans: X }\n'), /the prompt file dashes\.txt is empty/, 1, 'prompts[1]');
  assert.deepEqual(renderPromptMessages('- role: user\n  content: "{{ q }}"', { q: 'hi' }), [{ role: 'user', content: 'hi' }], 'an inline YAML chat too');
  assert.throws(() => renderPromptMessages('- role: user\n  content: [unclosed', {}), /starts like a YAML chat \("- role:"\) but is not valid YAML/);
  assert.throws(() => renderPromptMessages('- role: tool\n  content: x', {}), /YAML chat but message 1 needs a role/);
});

test('.md, .j2 and other text prompt files are one prompt each; a .csv prompt file gives one prompt a row, as in promptfoo', () => {
  const doc = '# Title\nIntro {{ans}}\n\n---\n\nMore text\n';
  file('prompts/doc.md', doc);
  file('prompts/doc.j2', doc);
  assert.deepEqual(promptsOf('md.yaml', '[file://prompts/doc.md, file://prompts/doc.j2]'), [
    { label: 'doc.md', messages: [{ role: 'user', content: '# Title\nIntro X\n\n---\n\nMore text\n' }] },
    { label: 'doc.j2', messages: [{ role: 'user', content: '# Title\nIntro X\n\n---\n\nMore text\n' }] },
  ]);
  // A `prompt` column (cells trimmed, empty ones skipped) and an optional `label` column.
  file('prompts/table.csv', 'prompt,label\n"first {{ans}}, then",one\n second {{ans}} ,\n,empty\n');
  // No comma: one prompt a line, a first line `prompt` being the header.
  file('prompts/lines.csv', 'prompt\nfirst {{ans}}\n\nsecond {{ans}}\n');
  assert.deepEqual(promptsOf('csv.yaml', '[file://prompts/table.csv, {id: file://prompts/lines.csv, label: L}]'), [
    { label: 'one', messages: [{ role: 'user', content: 'first X, then' }] },
    { label: 'table.csv:2', messages: [{ role: 'user', content: 'second X' }] },
    { label: 'L:1', messages: [{ role: 'user', content: 'first X' }] },
    { label: 'L:2', messages: [{ role: 'user', content: 'second X' }] },
  ]);
  file('prompts/nocolumn.csv', 'text,label\nhello,x\n');
  refused(file('csv-bad.yaml', 'prompts: [file://prompts/nocolumn.csv]\ntests:\n  - vars: { ans: X }\n'), /no prompts in nocolumn\.csv \(a prompts CSV has a "prompt" column/, 1, 'prompts[0]');
  file('prompts/empty.md', '\n \n');
  refused(file('md-empty.yaml', 'prompts: [file://prompts/empty.md]\ntests:\n  - vars: { ans: X }\n'), /the prompt file empty\.md is empty/, 1, 'prompts[0]');
  file('prompts/p.prompty', '---\nname: x\n---\nuser:\nhi\n');
  refused(file('prompty.yaml', 'prompts: [file://prompts/p.prompty]\ntests:\n  - vars: { ans: X }\n'), /Prompty files are not supported/, 1, 'prompts[0]');
});

test('prompts that start with [ or { but do not look like JSON are text, as promptfoo\'s looksLikeJson decides', () => {
  assert.deepEqual(promptsOf('inst.yaml', "['[INST] {{ans}} [/INST]', '{curly} text {{ans}}', '[1, 2 {{ans}}']"), [
    { label: '[INST] {{ans}} [/INST]', messages: [{ role: 'user', content: '[INST] X [/INST]' }] },
    { label: '{curly} text {{ans}}', messages: [{ role: 'user', content: '{curly} text X' }] },
    { label: '[1, 2 {{ans}}', messages: [{ role: 'user', content: '[1, 2 X' }] },
  ]);
  assert.equal(looksLikeJson('[INST] hi [/INST]'), false);
  assert.equal(looksLikeJson('[Note] a [b]'), false);
  assert.equal(looksLikeJson('{name} said {x}'), true, 'braces at both ends: JSON intended');
  assert.equal(looksLikeJson(' ["a", '), false, 'no closing bracket');
  for (const json of ['["a", b]', '[{"role": x}]', '[ 1, ]', '[-1 x]', '[true x]', '[null x]']) assert.equal(looksLikeJson(json), true, json);
  assert.throws(() => renderPromptMessages('{"role": {{ ans }}}', { ans: 'X' }), /looks like JSON but is not valid JSON/);
  assert.throws(() => renderPromptMessages('[{"role": "user", "content": {{ ans }}}]', { ans: 'X' }), /looks like JSON but is not valid JSON/);
});

test('vars: file:// in a tests file is relative to that file (promptfoo\'s readTest); a file:// var value stays relative to the suite', () => {
  file('rel/v.yaml', 'ans: suite folder\n');
  file('rel/ctx.txt', 'context from the suite folder\n');
  file('rel/sub/v.yaml', 'ans: tests folder\n');
  file('rel/sub/tests.yaml', '- vars: file://v.yaml\n- vars: { ans: file://ctx.txt }\n');
  file('rel/sub/tests.jsonl', `${JSON.stringify({ vars: 'file://v.yaml' })}\n`);
  const s = loadSuite(file('rel/suite.yaml', 'prompts: ["{{ans}}"]\ntests: [file://sub/tests.yaml, file://sub/tests.jsonl, { vars: file://v.yaml }]\n'), { env: {} });
  assert.deepEqual(
    s.tests.map((t) => t.messages[0]!.content),
    ['tests folder', 'context from the suite folder', 'tests folder', 'suite folder'],
  );
});

test('metric names are templates rendered with the vars (promptfoo\'s renderMetricName), CSV __metric too', () => {
  file('data/metric.csv', 'q,cat,__expected,__metric\na,geo,contains:a,topic-{{ cat }}\n');
  const s = loadSuite(
    file('metric.yaml', 'prompts: ["{{q}}"]\ntests:\n  - vars: { q: a, cat: geo }\n    assert:\n      - { type: contains, value: a, metric: "{{ cat }}" }\n      - type: assert-set\n        assert: [{ type: contains, value: a, metric: "in-{{ cat | upper }}" }]\n  - file://data/metric.csv\n'),
    { env: {} },
  );
  assert.equal(s.tests[0]!.assert[0]!.metric, 'geo');
  assert.equal(s.tests[0]!.assert[1]!.assert![0]!.metric, 'in-GEO');
  assert.equal(s.tests[1]!.assert[0]!.metric, 'topic-geo');
  refused(file('metric-bad.yaml', 'prompts: ["x"]\ntests:\n  - assert: [{ type: contains, value: x, metric: "{{ nope }}" }]\n'), /metric: unknown variable "nope"/, 3, 'tests[0].assert[0]');
});

test('a field in the wrong place is named as such, never "did you mean" itself', () => {
  const e = refused(file('misplaced.yaml', 'prompts: ["{{q}}"]\ntests:\n  - vars: { q: x }\n    providers: [a]\n'), /field "providers" is not allowed in a test \(it belongs at the top level\)/, 4, 'tests[0].providers');
  assert.doesNotMatch(e.message, /did you mean/);
  refused(file('misplaced2.yaml', 'prompts: ["{{q}}"]\ntests:\n  - vars: { q: x }\n    assert: [{ type: contains, value: x, vars: {} }]\n'), /field "vars" is not allowed in an assertion \(it belongs in a test\)/, 4);
  refused(file('typo.yaml', 'prompts: ["{{q}}"]\nprovider: [a]\ntests:\n  - vars: { q: x }\n'), /field "provider" is not allowed at the top level \(it belongs in a test's options, or in an assertion; did you mean "providers"\?\)/, 2, 'provider');
  refused(file('top-vars.yaml', 'prompts: ["{{q}}"]\nvars: { q: x }\ntests:\n  - vars: { q: x }\n'), /field "vars" is not allowed at the top level \(it belongs in a test\)$/, 2, 'vars');
  refused(file('case.yaml', 'prompts: ["{{q}}"]\ntests:\n  - vars: { q: x }\n    Assert: []\n'), /unknown field "Assert" \(did you mean "assert"\?\)/, 4, 'tests[0].Assert');
  const testsPath = file('data/misplaced.yaml', '- vars: { q: x }\n  providers: [a]\n');
  let caught: unknown;
  try {
    loadSuite(file('misplaced3.yaml', 'prompts: ["{{q}}"]\ntests: file://data/misplaced.yaml\n'), { env: {} });
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof SuiteError, String(caught));
  assert.match(caught.message, /field "providers" is not allowed in a test \(it belongs at the top level\)/);
  assert.deepEqual([caught.file, caught.line, caught.field], [testsPath, 2, '[0].providers'], 'the tests file, its line and field');
});

test('defaultTest: file://… loads the test in that YAML or JSON file, as promptfoo does', () => {
  file('dt/default.yaml', 'vars: { who: world }\nassert: [{ type: latency, threshold: 900 }]\nmetadata: { family: greetings }\n');
  const s = loadSuite(file('dt/suite.yaml', 'prompts: ["Hi {{who}}"]\ndefaultTest: file://default.yaml\ntests:\n  - assert: [{ type: contains, value: hi }]\n'), { env: {} });
  assert.deepEqual(s.tests[0]!.messages, [{ role: 'user', content: 'Hi world' }]);
  assert.deepEqual(s.tests[0]!.assert, [
    { type: 'latency', threshold: 900 },
    { type: 'contains', value: 'hi' },
  ]);
  assert.deepEqual(s.tests[0]!.metadata, { family: 'greetings' });
  const badPath = file('dt/bad.yaml', 'vars: { who: x }\nasert: []\n');
  let caught: unknown;
  try {
    loadSuite(file('dt/suite-bad.yaml', 'prompts: ["x"]\ndefaultTest: file://bad.yaml\ntests:\n  - vars: {}\n'), { env: {} });
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof SuiteError, String(caught));
  assert.deepEqual([caught.file, caught.line, caught.field], [badPath, 2, 'asert'], caught.message);
  refused(file('dt/missing.yaml', 'prompts: ["x"]\ndefaultTest: file://nope.yaml\ntests:\n  - vars: {}\n'), /file not found/, 2, 'defaultTest');
  refused(file('dt/text.yaml', 'prompts: ["x"]\ndefaultTest: hello\ntests:\n  - vars: {}\n'), /defaultTest must be an object or a file:\/\/ reference/, 2, 'defaultTest');
});

test('a CSV column starting with __ that is not special is a var, as in promptfoo, with a warning; __metadata without a name is ignored', () => {
  file('data/note.csv', 'q,__note,__metadata,__expected\nhello,checked by Ann,x,contains:h\n');
  const s = loadSuite(file('note.yaml', 'prompts: ["{{q}} ({{__note}})"]\ntests: file://data/note.csv\n'), { env: {} });
  assert.deepEqual(s.tests[0]!.vars, { q: 'hello', __note: 'checked by Ann' });
  assert.deepEqual(s.tests[0]!.messages, [{ role: 'user', content: 'hello (checked by Ann)' }]);
  assert.deepEqual(s.tests[0]!.assert, [{ type: 'contains', value: 'h' }]);
  assert.ok(s.warnings.some((w) => /note\.csv: "__note" is not a special column; it is a var/.test(w)), s.warnings.join('\n'));
  assert.ok(s.warnings.some((w) => /"__metadata" needs a name/.test(w)), s.warnings.join('\n'));
  file('data/typo.csv', 'q,__descripton\nhello,x\n');
  const t = loadSuite(file('typo-col.yaml', 'prompts: ["{{q}}"]\ntests: file://data/typo.csv\n'), { env: {} });
  assert.ok(t.warnings.some((w) => /"__descripton" is not a special column; it is a var, as in promptfoo \(did you mean "__description"\?\)/.test(w)), t.warnings.join('\n'));
});
