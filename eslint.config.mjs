// ESLint: the layer boundaries of src/, kept by construction (see README → Development).
//
//   src/core       needs no editor: imports nothing from shared/, extension/, webview/, cli/, nor `vscode`.
//   src/extension  the only code that may import `vscode`.
//   src/cli        the `bakeoff` command over the core: no `vscode`, no extension/webview code.
//   src/shared     typed messages both sides use: runs in the browser too, so only pure code.
//   src/webview    browser code: imports src/shared, its own files and the pure core modules listed
//                  below — never Node built-ins, never Node-only core code.
//
// `npm run lint` runs with --max-warnings 0, and test/run-all.mjs counts it as one test.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

/**
 * Core modules the browser code (src/webview, src/shared) may import. Each must be pure: no
 * Node built-ins, and no imports of core modules outside this list (enforced below, so purity
 * holds transitively). Add a module here only when it meets that rule.
 */
export const pureCoreModules = ['config', 'types', 'stats', 'format', 'summary', 'limits'];

/** Every Node built-in, bare (`fs`) and prefixed (`node:fs`), including subpaths (`fs/promises`). */
const nodeBuiltins = [...new Set(builtinModules.flatMap((m) => (m.startsWith('node:') ? [m] : [m, `${m}/*`, `node:${m}`])))];

const vscodeOnlyInExtension = {
  name: 'vscode',
  message: 'Only src/extension may import vscode; everything else must run without the editor.',
};

/** `no-restricted-syntax` selectors for require()/import() forms that no-restricted-imports does not see. */
function dynamicImportBans(pattern, message) {
  return [
    { selector: `ImportExpression[source.value=${pattern}]`, message },
    { selector: `ImportExpression[source.quasis.0.value.cooked=${pattern}]`, message },
    { selector: `CallExpression[callee.name='require'][arguments.0.value=${pattern}]`, message },
    { selector: `CallExpression[callee.name='require'][arguments.0.quasis.0.value.cooked=${pattern}]`, message },
    { selector: `TSExternalModuleReference[expression.value=${pattern}]`, message },
  ];
}

const vscodeSyntaxBans = dynamicImportBans('/^vscode$/', vscodeOnlyInExtension.message);
const nodeSyntaxBans = dynamicImportBans(
  `/^(node:|(${[...new Set(builtinModules.filter((m) => !m.startsWith('node:')).map((m) => m.split('/')[0]))].join('|')})(\\u002F|$))/`,
  'Browser code (src/webview, src/shared and the pure core modules) must not use Node built-ins.',
);

const nodeImportBan = {
  group: nodeBuiltins,
  message: 'Browser code (src/webview, src/shared and the pure core modules) must not use Node built-ins.',
};

/** Relative-import patterns that reach into another layer, from any depth (`../core/x`, `../../core/x`). */
const layer = (name) => [`**/${name}`, `**/${name}/*`];
const pureCoreException = pureCoreModules.map((m) => `!**/core/${m}`);

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'test-results/**', '.vscode-test/**', '**/*.js', '**/*.mjs'] },
  {
    files: ['src/**/*.ts', 'test/**/*.ts', 'scripts/**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    rules: {
      // Unused values are compile errors already (noUnusedLocals); `_name` marks the deliberate ones.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      // Type references to `vscode` are forbidden outside src/extension; other triple-slash references are not used.
      '@typescript-eslint/triple-slash-reference': ['error', { path: 'never', types: 'never', lib: 'never' }],
      // An object literal with getters that read the owner (`const controller = this`) is the one deliberate alias.
      '@typescript-eslint/no-this-alias': ['error', { allowedNames: ['controller'] }],
    },
  },
  {
    // js-tiktoken's rank files are CommonJS modules loaded with `require` where they are needed, so
    // they stay out of every bundle but the worker's (see the comment in tokenWorker.ts).
    files: ['src/core/tokenWorker.ts', 'test/bench/tokenCount.ts', 'test/unit/helpers/referenceTokens.ts', 'test/fixtures/answerers.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The test fixtures and helpers deal with untyped wire data.
    files: ['test/**/*.ts', 'scripts/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [vscodeOnlyInExtension],
          patterns: [
            {
              group: [...layer('shared'), ...layer('extension'), ...layer('webview'), ...layer('cli')],
              message: 'src/core imports nothing from shared/, extension/, webview/ or cli/: the layers above depend on it, not the reverse.',
            },
          ],
        },
      ],
      'no-restricted-syntax': ['error', ...vscodeSyntaxBans],
    },
  },
  {
    files: ['src/cli/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [vscodeOnlyInExtension],
          patterns: [{ group: [...layer('extension'), ...layer('webview')], message: 'The CLI runs on the core only.' }],
        },
      ],
      'no-restricted-syntax': ['error', ...vscodeSyntaxBans],
    },
  },
  {
    files: ['src/shared/**/*.ts', 'src/webview/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [vscodeOnlyInExtension],
          patterns: [
            nodeImportBan,
            {
              group: [...layer('extension'), ...layer('cli'), '**/core/*', ...pureCoreException],
              message: `Browser code imports src/shared, its own layer and only these pure core modules: ${pureCoreModules.join(', ')} (list in eslint.config.mjs).`,
            },
          ],
        },
      ],
      'no-restricted-syntax': ['error', ...vscodeSyntaxBans, ...nodeSyntaxBans],
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [vscodeOnlyInExtension],
          patterns: [
            nodeImportBan,
            {
              group: [...layer('extension'), ...layer('cli'), ...layer('webview'), '**/core/*', ...pureCoreException],
              message: `src/shared imports only these pure core modules: ${pureCoreModules.join(', ')} (list in eslint.config.mjs), never extension/, cli/ or webview/.`,
            },
          ],
        },
      ],
    },
  },
  {
    // The pure core modules run in the browser too: no Node built-ins, and only other pure modules.
    files: pureCoreModules.map((m) => `src/core/${m}.ts`),
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [vscodeOnlyInExtension],
          patterns: [
            nodeImportBan,
            {
              group: [...layer('shared'), ...layer('extension'), ...layer('webview'), ...layer('cli')],
              message: 'src/core imports nothing from shared/, extension/, webview/ or cli/.',
            },
            {
              group: ['./*', ...pureCoreModules.map((m) => `!./${m}`)],
              message: `A pure core module imports only other pure core modules: ${pureCoreModules.join(', ')} (list in eslint.config.mjs).`,
            },
          ],
        },
      ],
      'no-restricted-syntax': ['error', ...vscodeSyntaxBans, ...nodeSyntaxBans],
    },
  },
);
