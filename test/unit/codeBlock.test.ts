import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { extractCode } from '../../src/core/codeBlock';

describe('extractCode', () => {
  it('returns the content of a single fenced block with its language', () => {
    const answer = 'Here is the code:\n\n```ts\nexport const a = 1;\nexport const b = 2;\n```\n\nIt declares two constants.';
    assert.deepEqual(extractCode(answer), { code: 'export const a = 1;\nexport const b = 2;', fromBlock: true, language: 'ts' });
  });

  it('chooses the longest block, the first of equally long ones', () => {
    const answer = ['```sh', 'npm i', '```', 'Then:', '```python', 'def f(x):', '    return x * 2', '```', '```js', 'let y = 0', '```'].join('\n');
    assert.deepEqual(extractCode(answer), { code: 'def f(x):\n    return x * 2', fromBlock: true, language: 'python' });
    assert.equal(extractCode('```\nabc\n```\n```\nxyz\n```').code, 'abc');
  });

  it('reads ~~~ fences and takes only the first word of the info string', () => {
    assert.deepEqual(extractCode('~~~ rust title="main.rs"\nfn main() {}\n~~~\n'), { code: 'fn main() {}', fromBlock: true, language: 'rust' });
  });

  it('keeps an inner ``` fence inside a 4-backtick block', () => {
    const answer = 'Markdown example:\n````md\n# Title\n```js\nconsole.log(1);\n```\n````\nDone.';
    assert.deepEqual(extractCode(answer), { code: '# Title\n```js\nconsole.log(1);\n```', fromBlock: true, language: 'md' });
  });

  it('reads fences indented by up to 3 spaces, and not by 4', () => {
    assert.equal(extractCode('   ```\n   a\n    b\n   ```').code, 'a\n b');
    const indented = extractCode('    ```\n    not a fence\n    ```');
    assert.equal(indented.fromBlock, false);
  });

  it('keeps content exactly as written: indentation, blank lines and trailing spaces', () => {
    const code = '\n  if (x) {\n\n    y();  \n  }\n';
    assert.deepEqual(extractCode(`\`\`\`\n${code}\n\`\`\``), { code, fromBlock: true, language: null });
  });

  it('finds blocks inside lists and quotes', () => {
    assert.equal(extractCode('1. Edit:\n\n   ```go\n   x := 1\n   ```\n').code, 'x := 1');
    assert.equal(extractCode('> ```\n> quoted\n> ```').code, 'quoted');
  });

  it('takes an unterminated final fence as running to the end (streaming)', () => {
    assert.deepEqual(extractCode('Sure:\n```ts\nfunction f() {\n  return 1;'), { code: 'function f() {\n  return 1;', fromBlock: true, language: 'ts' });
    assert.equal(extractCode('```py\nprint(1)\n').code, 'print(1)');
    assert.equal(extractCode('````\n```\nstill inside\n').code, '```\nstill inside');
  });

  it('returns the whole answer without leading/trailing blank lines when there is no block', () => {
    assert.deepEqual(extractCode('\n  \nexport const inserted = 42;\n\n \n'), { code: 'export const inserted = 42;', fromBlock: false, language: null });
    assert.deepEqual(extractCode('Just prose, with `inline code`.'), { code: 'Just prose, with `inline code`.', fromBlock: false, language: null });
    assert.equal(extractCode('  indented first line\nsecond').code, '  indented first line\nsecond');
    assert.equal(extractCode('').code, '');
    assert.equal(extractCode(' \n\t\n').code, '');
  });

  it('ignores empty or whitespace-only blocks', () => {
    assert.deepEqual(extractCode('Nothing here:\n```\n```\n'), { code: 'Nothing here:\n```\n```', fromBlock: false, language: null });
    assert.equal(extractCode('```\n  \n```\n```c\nint x;\n```').code, 'int x;');
  });

  it('does not take inline code or 2-backtick runs for fences', () => {
    assert.equal(extractCode('Use ``a`` and `b`.').fromBlock, false);
    assert.equal(extractCode('``\nnot a block\n``').fromBlock, false);
  });

  it('keeps CRLF line endings', () => {
    const answer = 'Code:\r\n```js\r\nconst a = 1;\r\nconst b = 2;\r\n```\r\nDone.\r\n';
    assert.deepEqual(extractCode(answer), { code: 'const a = 1;\r\nconst b = 2;', fromBlock: true, language: 'js' });
    assert.equal(extractCode('\r\n\r\nplain\r\ntext\r\n\r\n').code, 'plain\r\ntext');
  });

  it('never turns an answer with some text into empty code', () => {
    for (const answer of ['x', '```\n```\nx', '~~~\n \n~~~', '```', '\n```js\n\n', '> ```\n>\n> ```']) {
      assert.notEqual(extractCode(answer).code.trim(), '', JSON.stringify(answer));
    }
  });

  it('unescapes the info string', () => {
    assert.equal(extractCode('```c\\+\\+\nint x;\n```').language, 'c++');
  });
});
