import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { suiteJsonSchema } from '../../src/core/suite/schema';
import { bakeoffVersion } from '../../src/core/version';

const root = join(__dirname, '..', '..');

test('the committed JSON Schema for editors is the one generated from the suite schema (npm run schema)', () => {
  const committed = JSON.parse(readFileSync(join(root, 'schemas', 'bakeoff-suite.schema.json'), 'utf8'));
  assert.deepEqual(committed, JSON.parse(JSON.stringify(suiteJsonSchema())));
});

test('the JSON Schema accepts a Bakeoff suite and a promptfoo config, and rejects typos', () => {
  const validate = new Ajv({ strict: false }).compile(suiteJsonSchema());
  const good = parse(
    [
      'description: x',
      'request: { maxTokens: 64 }',
      'providers: [closed, { id: "openai:chat:gpt-4o-mini", config: { temperature: 0 } }, { id: chutes, concurrency: 2 }]',
      'prompts: ["{{q}}"]',
      'defaultTest: { assert: [{ type: latency, threshold: 1000 }] }',
      'tests:',
      '  - vars: { q: hi }',
      '    metadata: { lengthLabel: 4k }',
      '    assert:',
      '      - type: assert-set',
      '        threshold: 0.5',
      '        assert: [{ type: item-recall, value: [a], distractors: [b] }, { type: not-contains, value: z }]',
      '  - file://more.csv',
      'evaluateOptions: { repeat: 2 }',
    ].join('\n'),
  );
  assert.equal(validate(good), true, JSON.stringify(validate.errors));
  assert.equal(validate({ tests: [{ asert: [] }] }), false);
  assert.equal(validate({ tests: [{ assert: [{ type: 'contains', weigth: 2 }] }] }), false);
});

test('the version in reports is the package version', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  assert.equal(bakeoffVersion, pkg.version);
});
