import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The server's layers (server/README.md): each part of server/src names the parts it may
 * import; everything else in server/src is forbidden to it, so imports only go downwards
 * (`routes → http | idp → oidc | webhooks | reports → session → store`). A part is a folder
 * (`store` is server/src/store/) or a top-level file (`errors` is server/src/errors.ts).
 */
const SERVER_LAYERS = {
  main: ['app', 'http', 'config', 'log', 'oidc', 'ops', 'store'],
  app: ['routes', 'http', 'idp', 'webhooks', 'reports', 'oidc', 'session', 'ops', 'errors', 'crypto', 'config', 'store'],
  routes: ['http', 'idp', 'webhooks', 'reports', 'oidc', 'session', 'ops', 'errors', 'crypto', 'config', 'log', 'store'],
  http: ['session', 'ops', 'errors', 'config', 'store'],
  idp: ['oidc', 'session', 'errors', 'crypto', 'config', 'store'],
  webhooks: ['reports', 'session', 'errors', 'config', 'store'],
  reports: ['session', 'ops', 'errors', 'store'],
  oidc: ['session', 'ops', 'errors', 'crypto', 'config', 'store'],
  session: ['errors', 'crypto', 'config', 'store'],
  ops: ['errors', 'config', 'store'],
  errors: ['store'],
  crypto: [],
  config: [],
  log: [],
  store: [],
};
const TOP_LEVEL_FILES = new Set(['main', 'app', 'errors', 'config', 'log']);
const escapeRegex = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function serverLayerRules() {
  const parts = Object.keys(SERVER_LAYERS);
  return parts.map((part) => {
    const topLevel = TOP_LEVEL_FILES.has(part);
    // From a folder, other parts are `../part/…` or `../part.js`; from a top-level file, `./…`.
    const up = topLevel ? '\\./' : '(\\.\\./)+';
    const forbidden = parts.filter((other) => other !== part && !SERVER_LAYERS[part].includes(other));
    return {
      files: [topLevel ? `server/src/${part}.ts` : `server/src/${part}/**/*.ts`],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              ...forbidden.map((other) => ({
                regex: `^${up}${escapeRegex(other)}(/|\\.js$)`,
                message: `server/src/${part} must not import ${other}: layers import downwards only (server/README.md).`,
              })),
              {
                regex: '^(\\.\\.?/)+(dev|test|bench)/',
                message: 'The server itself never imports its development stand-ins, tests or benchmarks.',
              },
            ],
          },
        ],
      },
    };
  });
}

export default tseslint.config(
  { ignores: ['**/dist/**', '**/.next/**', '**/node_modules/**', '**/next-env.d.ts', '**/test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['error', 'warn'] }],
    },
  },
  {
    files: ['**/test/**', '**/bench/**', '**/dev/**', '**/scripts/**', '**/*.mjs', '.ci/**'],
    rules: { 'no-console': 'off' },
  },
  ...serverLayerRules(),
  {
    files: ['server/src/**/*.ts'],
    ignores: ['server/src/config.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.name='process'][property.name='env']", message: 'Only server/src/config.ts reads the environment.' },
      ],
    },
  },
  {
    // shared/ is imported by the server and the browser alike.
    files: ['shared/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^(@types/)?(express|next)(-[\\w-]+)?(/|$)', message: 'shared imports neither express nor next.' }] },
      ],
    },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', URL: 'readonly', fetch: 'readonly' },
    },
  },
);
