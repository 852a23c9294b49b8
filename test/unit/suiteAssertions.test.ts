import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregate, checkAssertion, gradeTest, runAssertion, type GradeContext, type Grader } from '../../src/core/suite/assertions';
import { assertionFromCsv } from '../../src/core/suite/load';
import { extractJsonObjects, parseCommaSeparated } from '../../src/core/suite/match';
import { namesItem, scoreExclusiveChoice, scoreItemRecall } from '../../src/core/tasks/scoring';

const itemRecallScore = (text: string, value: string[], distractors: string[]) => scoreItemRecall(text, { value, distractors });
const exclusiveChoiceScore = (text: string, value: string, options: string[]) => scoreExclusiveChoice(text, { value, options });
import type { AssertionSpec } from '../../src/core/suite/types';

function ctx(output: string, extra: Partial<GradeContext> = {}): GradeContext {
  return {
    output,
    prompt: 'What is the capital of France?',
    vars: { country: 'France' },
    metadata: {},
    metrics: { ttftMs: 120, totalMs: 900, tokensPerSecond: 45, costUsd: 0.002 },
    allowJs: false,
    grader: null,
    ...extra,
  };
}

async function one(a: AssertionSpec, output: string, extra: Partial<GradeContext> = {}) {
  assert.deepEqual(checkAssertion(a), [], `valid: ${JSON.stringify(a)}`);
  return runAssertion(a, ctx(output, extra));
}

test('string assertions follow promptfoo: equals, contains, icontains, starts-with, regex, and not- inverts', async () => {
  const cases: Array<[AssertionSpec, string, boolean]> = [
    [{ type: 'equals', value: 'Paris' }, 'Paris', true],
    [{ type: 'equals', value: 'Paris' }, 'Paris.', false],
    [{ type: 'equals', value: { a: 1, b: [2] } }, '{"b":[2],"a":1}', true],
    [{ type: 'equals', value: { a: 1 } }, 'not json', false],
    [{ type: 'not-equals', value: { a: 1 } }, 'not json', true],
    [{ type: 'contains', value: 'Paris' }, 'It is Paris.', true],
    [{ type: 'contains', value: 'paris' }, 'It is Paris.', false],
    [{ type: 'icontains', value: 'paris' }, 'It is PARIS.', true],
    [{ type: 'not-contains', value: 'London' }, 'It is Paris.', true],
    [{ type: 'not-icontains', value: 'paris' }, 'It is Paris.', false],
    [{ type: 'contains', value: 42 }, 'the answer is 42', true],
    [{ type: 'starts-with', value: 'Yes' }, 'Yes, it is.', true],
    [{ type: 'starts-with', value: 'yes' }, 'Yes, it is.', false],
    [{ type: 'regex', value: '^\\d{4}-\\d{2}$' }, '2024-05', true],
    [{ type: 'regex', value: '^\\d{4}$' }, 'year 2024', false],
    [{ type: 'not-regex', value: 'error' }, 'all good', true],
  ];
  for (const [a, output, expected] of cases) {
    const r = await one(a, output);
    assert.equal(r.pass, expected, `${JSON.stringify(a)} on ${JSON.stringify(output)}: ${r.reason}`);
    assert.equal(r.score, expected ? 1 : 0);
  }
});

test('contains-any/-all and their case-insensitive forms take lists or promptfoo comma-separated strings', async () => {
  const cases: Array<[AssertionSpec, string, boolean]> = [
    [{ type: 'contains-any', value: ['Rome', 'Paris'] }, 'Paris!', true],
    [{ type: 'contains-any', value: 'Rome, Madrid' }, 'Paris!', false],
    [{ type: 'contains-all', value: ['red', 'blue'] }, 'red and blue', true],
    [{ type: 'contains-all', value: 'red, green' }, 'red and blue', false],
    [{ type: 'icontains-any', value: ['PARIS'] }, 'paris', true],
    [{ type: 'icontains-all', value: 'RED, "Blue, dark"' }, 'red and blue, dark', true],
    [{ type: 'not-contains-any', value: ['x', 'y'] }, 'abc', true],
    [{ type: 'not-icontains-all', value: ['A', 'B'] }, 'a b', false],
  ];
  for (const [a, output, expected] of cases) {
    const r = await one(a, output);
    assert.equal(r.pass, expected, `${JSON.stringify(a)}: ${r.reason}`);
  }
  assert.deepEqual(parseCommaSeparated('a, b ,"c, d", "say ""hi""",,e'), ['a', 'b', 'c, d', 'say "hi"', 'e']);
  assert.throws(() => parseCommaSeparated('"open'), /unterminated/);
});

test('is-json and contains-json, with and without a JSON Schema', async () => {
  const schema = { type: 'object', required: ['name'], properties: { name: { type: 'string' } } };
  const cases: Array<[AssertionSpec, string, boolean]> = [
    [{ type: 'is-json' }, '{"a":1}', true],
    [{ type: 'is-json' }, 'Here: {"a":1}', false],
    [{ type: 'is-json', value: schema }, '{"name":"x"}', true],
    [{ type: 'is-json', value: schema }, '{"name":3}', false],
    [{ type: 'is-json', value: JSON.stringify(schema) }, '{"name":"x"}', true],
    [{ type: 'is-json', value: 'type: object\nrequired: [name]\n' }, '{"name":"x"}', true],
    [{ type: 'is-json', value: 'type: object\nrequired: [name]\n' }, '{"other":"x"}', false],
    [{ type: 'not-is-json' }, 'plain text', true],
    [{ type: 'contains-json' }, 'Sure! ```json\n{"name": "x", "nested": {"b": "}"}}\n``` done', true],
    [{ type: 'contains-json' }, 'no json at all {not json}', false],
    [{ type: 'contains-json', value: schema }, 'first {"other": 1} then {"name": "ok"}', true],
    [{ type: 'contains-json', value: schema }, 'only {"other": 1}', false],
    [{ type: 'not-contains-json' }, 'nothing here', true],
  ];
  for (const [a, output, expected] of cases) {
    const r = await one(a, output);
    assert.equal(r.pass, expected, `${JSON.stringify(a)} on ${JSON.stringify(output)}: ${r.reason}`);
  }
  assert.deepEqual(extractJsonObjects('a {"x": "{"} b {"y": [1, {"z": 2}]} {bad'), [{ x: '{' }, { y: [1, { z: 2 }] }]);
  assert.match(checkAssertion({ type: 'is-json', value: { type: 'nonsense-type' } })[0]!, /invalid JSON Schema/);
});

test('latency, cost, ttft and tps compare measured figures with the threshold; unknown figures are not run', async () => {
  assert.equal((await one({ type: 'latency', threshold: 1000 }, 'x')).pass, true);
  assert.equal((await one({ type: 'latency', threshold: 500 }, 'x')).pass, false);
  assert.equal((await one({ type: 'not-latency', threshold: 500 }, 'x')).pass, true);
  assert.equal((await one({ type: 'cost', threshold: 0.001 }, 'x')).pass, false);
  assert.equal((await one({ type: 'cost', threshold: 0.01 }, 'x')).pass, true);
  assert.equal((await one({ type: 'ttft', value: 150 }, 'x')).pass, true);
  assert.equal((await one({ type: 'ttft', threshold: 100 }, 'x')).pass, false);
  assert.equal((await one({ type: 'tps', threshold: 40 }, 'x')).pass, true);
  assert.equal((await one({ type: 'tps', threshold: 50 }, 'x')).pass, false);
  const unknownCost = await one({ type: 'cost', threshold: 1 }, 'x', { metrics: { ttftMs: 1, totalMs: 2, tokensPerSecond: null, costUsd: null } });
  assert.equal(unknownCost.pass, null);
  assert.match(unknownCost.notRun!, /cost of this answer is unknown/);
  assert.match(checkAssertion({ type: 'latency' })[0]!, /numeric threshold/);
});

test('item-recall: whole-token, case-insensitive matching, distractors count against, threshold defaults to 1', async () => {
  assert.equal(namesItem('X = 314159', '31415'), false, 'an item does not match inside a longer number');
  assert.equal(namesItem('value: 31415.', '31415'), true);
  assert.equal(namesItem('The KEY is New  York', 'new york'), true, 'an item may contain spaces');
  assert.equal(namesItem('cats', 'cat'), false);
  // 3 expected, 2 named, 1 distractor named: (2 − 1) / 3.
  const r = itemRecallScore('Alpha, beta and GAMMA-ray... also delta', ['alpha', 'beta', 'omega'], ['delta', 'epsilon']);
  assert.deepEqual(r.found, ['alpha', 'beta']);
  assert.deepEqual(r.distractorsNamed, ['delta']);
  assert.ok(Math.abs(r.score - 1 / 3) < 1e-12);
  // Naming every candidate scores near 0: 2 found − 3 distractors < 0 → 0.
  assert.equal(itemRecallScore('a b c d e', ['a', 'b'], ['c', 'd', 'e']).score, 0);

  const full = await one({ type: 'item-recall', value: ['31415', 'Y'] }, 'X holds 31415 and so does Y.');
  assert.equal(full.pass, true);
  assert.equal(full.score, 1);
  const half = await one({ type: 'item-recall', value: ['31415', 'Z'] }, 'X holds 31415.');
  assert.equal(half.pass, false, 'threshold 1 by default');
  assert.equal(half.score, 0.5);
  const lenient = await one({ type: 'item-recall', value: ['31415', 'Z'], threshold: 0.5 }, 'X holds 31415.');
  assert.equal(lenient.pass, true);
  const gamed = await one({ type: 'item-recall', value: ['a1'], distractors: ['b2', 'c3'] }, 'a1 b2 c3');
  assert.equal(gamed.score, 0);
  assert.deepEqual(checkAssertion({ type: 'item-recall', value: [] }).length, 1);
});

test('exclusive-choice: 1 only when the right option and no other is named', async () => {
  const options = ['kitchen', 'garden', 'hallway'];
  assert.equal(exclusiveChoiceScore('The apple is in the kitchen.', 'kitchen', options).score, 1);
  assert.equal(exclusiveChoiceScore('kitchen or garden', 'kitchen', options).score, 0);
  assert.equal(exclusiveChoiceScore('in the garden', 'kitchen', options).score, 0);
  assert.equal(exclusiveChoiceScore('in the Kitchens', 'kitchen', options).score, 0, 'whole tokens only');
  const r = await one({ type: 'exclusive-choice', value: 'kitchen', options }, 'Kitchen.');
  assert.equal(r.pass, true);
  assert.equal(r.score, 1);
  assert.match(checkAssertion({ type: 'exclusive-choice', value: 'attic', options })[0]!, /right one included/);
});

test('javascript runs only with --allow-js, in a sandbox with a time limit, with promptfoo result rules', async () => {
  const off = await one({ type: 'javascript', value: 'output.length > 1' }, 'hello');
  assert.equal(off.pass, null);
  assert.match(off.notRun!, /--allow-js/);
  const on = { allowJs: true, scriptTimeoutMs: 300 };
  assert.equal((await one({ type: 'javascript', value: 'output.length > 1' }, 'hello', on)).pass, true);
  assert.equal((await one({ type: 'not-javascript', value: 'output.length > 1' }, 'hello', on)).pass, false);
  assert.equal((await one({ type: 'javascript', value: 'const n = Number(output); n * 2' }, '0.25', on)).score, 0.5);
  assert.equal((await one({ type: 'javascript', value: 'Number(output)', threshold: 0.6 }, '0.5', on)).pass, false);
  assert.equal((await one({ type: 'javascript', value: 'Number(output)' }, '0.5', on)).pass, true, 'a number > 0 passes without threshold');
  const obj = await one({ type: 'javascript', value: "({ pass: false, score: 0.2, reason: 'too short' })" }, 'x', on);
  assert.deepEqual([obj.pass, obj.score, obj.reason], [false, 0.2, 'too short']);
  const multi = await one({ type: 'javascript', value: 'const words = output.split(" ");\nreturn words.length === 2 && context.vars.country === "France";' }, 'a b', on);
  assert.equal(multi.pass, true);
  const loop = await one({ type: 'javascript', value: '(() => { while (true) {} })()' }, 'x', on);
  assert.equal(loop.pass, false);
  assert.match(loop.reason, /time limit/);
  const escape = await one({ type: 'javascript', value: 'process.env' }, 'x', on);
  assert.equal(escape.pass, false);
  assert.match(escape.reason, /process is not defined/);
  const viaConstructor = await one({ type: 'javascript', value: 'output.constructor.constructor("return process")()' }, 'x', on);
  assert.equal(viaConstructor.pass, false);
});

test('weights, test threshold and assert-set aggregate as promptfoo does', async () => {
  // Without threshold: every assertion must pass; score = weighted mean.
  const g1 = await gradeTest(
    {
      assert: [
        { type: 'contains', value: 'a', weight: 3 },
        { type: 'contains', value: 'z', weight: 1 },
      ],
      threshold: null,
      transform: null,
    },
    ctx('abc'),
  );
  assert.equal(g1.pass, false);
  assert.equal(g1.score, 0.75);
  // With threshold 0.7 the same answer passes.
  const g2 = await gradeTest({ assert: [{ type: 'contains', value: 'a', weight: 3 }, { type: 'contains', value: 'z' }], threshold: 0.7, transform: null }, ctx('abc'));
  assert.equal(g2.pass, true);
  assert.match(g2.reason, /Aggregate score 0\.75 ≥ 0\.7/);
  // Weight 0 records a score but never fails.
  const g3 = await gradeTest({ assert: [{ type: 'contains', value: 'a' }, { type: 'contains', value: 'z', weight: 0, metric: 'has-z' }], threshold: null, transform: null }, ctx('abc'));
  assert.equal(g3.pass, true);
  assert.equal(g3.score, 1);
  assert.deepEqual(g3.namedScores, { 'has-z': 0 });
  // assert-set: its own threshold, then weighted into the test.
  const g4 = await gradeTest(
    {
      assert: [
        {
          type: 'assert-set',
          threshold: 0.5,
          weight: 2,
          assert: [
            { type: 'contains', value: 'a' },
            { type: 'contains', value: 'z' },
          ],
        },
        { type: 'contains', value: 'b' },
      ],
      threshold: null,
      transform: null,
    },
    ctx('abc'),
  );
  assert.equal(g4.pass, true, g4.reason);
  assert.equal(g4.assertions[0]!.score, 0.5);
  assert.ok(Math.abs(g4.score! - (2 * 0.5 + 1) / 3) < 1e-12);
  assert.equal(g4.assertions[0]!.children!.length, 2);
  // No assertions: passes (promptfoo).
  assert.equal((await gradeTest({ assert: [], threshold: null, transform: null }, ctx('x'))).pass, true);
});

test('a not-run assertion makes the test not graded, never passed — unless a run assertion already failed it', async () => {
  const unsupported = await gradeTest({ assert: [{ type: 'contains', value: 'a' }, { type: 'similar', value: 'abc' }], threshold: null, transform: null }, ctx('abc'));
  assert.equal(unsupported.pass, null);
  assert.equal(unsupported.score, null);
  assert.match(unsupported.reason, /not graded/);
  assert.match(unsupported.assertions[1]!.notRun!, /not supported/);
  const failed = await gradeTest({ assert: [{ type: 'contains', value: 'z' }, { type: 'llm-rubric', value: 'is polite' }], threshold: null, transform: null }, ctx('abc'));
  assert.equal(failed.pass, false);
  const withThreshold = await gradeTest({ assert: [{ type: 'contains', value: 'a' }, { type: 'llm-rubric', value: 'polite' }], threshold: 0.1, transform: null }, ctx('abc'));
  assert.equal(withThreshold.pass, null);
  assert.equal(aggregate([{ type: 'x', pass: null, score: null, reason: 'r', weight: 0, notRun: 'r' }], null).pass, true, 'weight 0 not run does not matter');
});

test('model-graded assertions ask the grader in both orders and pass only when both pass', async () => {
  const asked: string[] = [];
  const grader = (replies: string[]): Grader => {
    let i = 0;
    return async (messages) => {
      asked.push(messages.at(-1)!.content);
      return { text: replies[i++ % replies.length]! };
    };
  };
  const both = await one({ type: 'llm-rubric', value: 'mentions Paris' }, 'Paris', {
    grader: grader(['{"pass": true, "score": 1, "reason": "names Paris"}', '{"pass": true, "score": 0.8, "reason": "ok"}']),
  });
  assert.equal(both.pass, true);
  assert.equal(both.score, 0.9);
  assert.equal(both.judgements!.length, 2);
  assert.ok(asked[0]!.indexOf('<answer>') < asked[0]!.indexOf('<rubric>'), 'answer first');
  assert.ok(asked[1]!.indexOf('<rubric>') < asked[1]!.indexOf('<answer>'), 'reference first');
  const split = await one({ type: 'llm-rubric', value: 'x' }, 'y', { grader: grader(['{"pass": true}', '{"pass": false, "score": 0}']) });
  assert.equal(split.pass, false);
  assert.match(split.reason, /disagreed between the two orders/);
  const unreadable = await one({ type: 'llm-rubric', value: 'x' }, 'y', { grader: grader(['I think so']) });
  assert.equal(unreadable.pass, null, 'an unreadable grader reply is not run, never passed');
  const failing = await one({ type: 'llm-rubric', value: 'x' }, 'y', { grader: async () => ({ error: 'HTTP 500' }) });
  assert.equal(failing.pass, null);
  assert.match(failing.reason, /HTTP 500/);
  const fact = await one({ type: 'factuality', value: 'Paris is the capital of France' }, 'Paris', { grader: grader(['(A)', 'A']) });
  assert.equal(fact.pass, true);
  const disagree = await one({ type: 'factuality', value: 'Paris' }, 'Lyon', { grader: grader(['D', '(D) they disagree']) });
  assert.equal(disagree.pass, false);
  const strict = await one({ type: 'factuality', value: 'Paris', config: { subset: 0 } }, 'Paris', { grader: grader(['A']) });
  assert.equal(strict.pass, false, 'factuality scores come from config');
  const qa = await one({ type: 'model-graded-closedqa', value: 'is a city' }, 'Paris', { grader: grader(['It is a city.\nY']) });
  assert.equal(qa.pass, true);
  const none = await one({ type: 'llm-rubric', value: 'x' }, 'y');
  assert.equal(none.pass, null);
  assert.match(none.notRun!, /--grader/);
});

test('transforms are JavaScript: they run with --allow-js, otherwise the assertions they feed are not run', async () => {
  const t = { assert: [{ type: 'equals', value: 'PARIS' }], threshold: null, transform: 'output.toUpperCase()' };
  assert.equal((await gradeTest(t, ctx('paris', { allowJs: true }))).pass, true);
  assert.equal((await gradeTest(t, ctx('paris'))).pass, null);
  const a = await one({ type: 'equals', value: 'P', transform: 'output[0]' }, 'Paris', { allowJs: true });
  assert.equal(a.pass, true);
});

test('malformed assertions are refused when the suite loads', () => {
  assert.match(checkAssertion({ type: 'contians', value: 'x' })[0]!, /unknown assertion type/);
  assert.match(checkAssertion({ type: 'regex', value: '(' })[0]!, /invalid regular expression/);
  assert.match(checkAssertion({ type: 'contains' })[0]!, /non-empty string value/);
  assert.match(checkAssertion({ type: 'assert-set', assert: [] })[0]!, /non-empty/);
  assert.deepEqual(checkAssertion({ type: 'similar', value: 'x' }), [], 'a promptfoo type Bakeoff does not run is valid (reported not run)');
});

test('CSV __expected cells are read the way promptfoo reads them', () => {
  assert.deepEqual(assertionFromCsv('Paris'), { type: 'equals', value: 'Paris' });
  assert.deepEqual(assertionFromCsv('icontains:paris'), { type: 'icontains', value: 'paris' });
  assert.deepEqual(assertionFromCsv('not-contains:London'), { type: 'not-contains', value: 'London' });
  assert.deepEqual(assertionFromCsv('contains-any:a, b,c'), { type: 'contains-any', value: ['a', 'b', 'c'] });
  assert.deepEqual(assertionFromCsv('javascript: output.length > 3'), { type: 'javascript', value: 'output.length > 3' });
  assert.deepEqual(assertionFromCsv('fn:output === "x"'), { type: 'javascript', value: 'output === "x"' });
  assert.deepEqual(assertionFromCsv('grade:is polite'), { type: 'llm-rubric', value: 'is polite' });
  assert.deepEqual(assertionFromCsv('latency(500)'), { type: 'latency', value: '', threshold: 500 });
  assert.deepEqual(assertionFromCsv('is-json'), { type: 'is-json' });
  assert.deepEqual(assertionFromCsv('regex:^\\d+$'), { type: 'regex', value: '^\\d+$' });
});

test('a transform result reaches javascript as the value it is, other assertions as text; returning nothing is an error', async () => {
  const on = ctx('{"color": "yellow", "n": 3}', { allowJs: true, scriptTimeoutMs: 300 });
  // promptfoo's evaluate-json guide: transform JSON.parse(output), then javascript on the object.
  const parsed = await gradeTest(
    {
      assert: [
        { type: 'javascript', value: "output.color === 'yellow' && typeof output === 'object'" },
        { type: 'contains', value: '"color":"yellow"' },
        { type: 'is-json' },
        { type: 'equals', value: 'YELLOW', transform: 'output.color.toUpperCase()' },
      ],
      threshold: null,
      transform: 'JSON.parse(output)',
    },
    on,
  );
  assert.equal(parsed.pass, true, parsed.assertions.map((a) => a.reason).join(' | '));
  const num = await gradeTest({ assert: [{ type: 'javascript', value: 'output === 3' }, { type: 'equals', value: '3' }], threshold: null, transform: 'JSON.parse(output).n' }, on);
  assert.equal(num.pass, true, num.reason);
  const assertionLevel = await one({ type: 'javascript', value: 'output.n + 1 === 4', transform: 'JSON.parse(output)' }, '{"n": 3}', { allowJs: true });
  assert.equal(assertionLevel.pass, true, assertionLevel.reason);

  for (const transform of ['undefined', 'null', 'const x = 1;\nif (x > 2) return 1;']) {
    const none = await gradeTest({ assert: [{ type: 'contains', value: 'null' }], threshold: null, transform }, on);
    assert.equal(none.pass, false, transform);
    assert.match(none.reason, /transform did not return a value/);
    const inAssertion = await one({ type: 'contains', value: 'null', transform }, 'x', { allowJs: true });
    assert.deepEqual([inAssertion.pass, inAssertion.reason], [false, 'transform did not return a value']);
  }
});

test('javascript threshold applies to a returned number only; a returned {pass, score} is its own verdict (promptfoo)', async () => {
  const on = { allowJs: true, scriptTimeoutMs: 300 };
  const obj = await one({ type: 'javascript', value: '({ pass: true, score: 0.3 })', threshold: 0.5 }, 'x', on);
  assert.deepEqual([obj.pass, obj.score], [true, 0.3]);
  const failing = await one({ type: 'javascript', value: '({ pass: false, score: 0.9 })', threshold: 0.5 }, 'x', on);
  assert.deepEqual([failing.pass, failing.score], [false, 0.9]);
  const inverted = await one({ type: 'not-javascript', value: '({ pass: true, score: 0.3 })', threshold: 0.5 }, 'x', on);
  assert.equal(inverted.pass, false);
  assert.equal((await one({ type: 'javascript', value: '0.3', threshold: 0.5 }, 'x', on)).pass, false, 'a number still meets the threshold or fails');
});
