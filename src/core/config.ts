/**
 * Backend and comparison configuration: the zod schemas shared by the CLI config file and the
 * extension's `bakeoff.backends` setting. Parsing errors name the backend and the field. The
 * `markdownDescription`s in `.meta` are carried into the settings schema of package.json, which
 * is generated from these schemas (see configSchema.ts). Pure: runs in the browser too.
 */
import { z } from 'zod';
import { concurrencyLimits, maxExtraBodyDepth, maxTimerMs, maxTokensLimits, timeoutDefaults, trialsLimits } from './limits';

/** Where a backend sits in the landscape Bakeoff compares. */
export const BackendKind = z
  .enum(['closed', 'decentralized', 'local', 'gateway'])
  .meta({ markdownDescription: 'Where the backend sits: a closed API, a decentralized network, your own machine, or a gateway.' });
export type BackendKind = z.infer<typeof BackendKind>;

const usd = z.number().nonnegative();

/**
 * How the cost of one answer is found. Never invented: when nothing is known the cost is
 * `unknown` (null), not zero.
 */
export const Pricing = z
  .discriminatedUnion('type', [
    /** Look the model up in the maintained `@pydantic/genai-prices` catalogue. */
    z.strictObject({
      type: z.literal('catalog').meta({ markdownDescription: 'Look the model up in the `@pydantic/genai-prices` catalogue.' }),
      /** Catalogue provider id (e.g. `openai`, `google`, `anthropic`); guessed from the URL when absent. */
      providerId: z
        .string()
        .min(1)
        .optional()
        .meta({ markdownDescription: 'Catalogue provider id (`openai`, `google`…); guessed from the URL when absent.' }),
      /** Catalogue model id when it differs from the backend's `model`. */
      modelId: z.string().min(1).optional().meta({ markdownDescription: 'Catalogue model id when it differs from `model`.' }),
    }),
    /** Read the price the provider publishes in its own `GET /models` listing (Chutes, AkashML…). */
    z.strictObject({
      type: z
        .literal('modelsEndpoint')
        .meta({ markdownDescription: 'Read the price the provider publishes in its own `GET /models` listing.' }),
    }),
    /** The user's own per-token prices, in US dollars per million tokens. */
    z.strictObject({
      type: z.literal('perToken').meta({ markdownDescription: 'Your own prices in US dollars per million tokens.' }),
      inputPerMTok: usd,
      outputPerMTok: usd,
      /** Price of cached input tokens; defaults to `inputPerMTok`. */
      cachedInputPerMTok: usd.optional(),
      /** Price of reasoning tokens; defaults to `outputPerMTok` (they are billed as output). */
      reasoningPerMTok: usd.optional(),
      /** Where the numbers come from, shown next to the cost (e.g. a pricing page). */
      source: z.string().optional().meta({ markdownDescription: 'Where the numbers come from (e.g. a pricing page).' }),
      /** When the numbers were read, ISO date. */
      asOf: z.string().optional().meta({ markdownDescription: 'When the numbers were read, ISO date.' }),
    }),
    /**
     * Rented GPU (Akash, io.net, Nosana…): cost = usdPerHour / 3600 × busy seconds, i.e.
     * outputTokens × usdPerHour / (3600 × measured tokens/s).
     */
    z.strictObject({
      type: z.literal('gpuHour').meta({ markdownDescription: 'Rented GPU: cost = `usdPerHour` / 3600 × busy seconds.' }),
      usdPerHour: z.number().positive(),
      source: z.string().optional(),
      asOf: z.string().optional(),
    }),
    /** Own hardware: zero marginal cost, shown as such. */
    z.strictObject({ type: z.literal('free').meta({ markdownDescription: 'Own hardware: zero marginal cost.' }) }),
    z.strictObject({ type: z.literal('unknown').meta({ markdownDescription: 'Cost is shown as unknown.' }) }),
  ]);
export type Pricing = z.infer<typeof Pricing>;

/** Whether `url` carries `user:password@` (or just `user@`). */
function hasCredentials(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.username !== '' || parsed.password !== '';
  } catch {
    return false;
  }
}

const httpUrl = z
  .string()
  .url()
  .regex(/^[Hh][Tt][Tt][Pp][Ss]?:\/\//, 'must be an http:// or https:// URL');

/**
 * Header names: an HTTP token (RFC 9110), so no spaces, colons or line breaks. Values: visible
 * ASCII/Latin-1, spaces and tabs — a CR or LF would split the request.
 */
const headerName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'header names are letters, digits and !#$%&\'*+.^_`|~- (no spaces, colons or line breaks)');
const headerValue = z
  .string()
  .regex(/^[\t\x20-\x7e\x80-\xff]*$/, 'header values may not contain line breaks (CR/LF) or other control characters');

/** Depth of nested objects/arrays in `value`, counted without recursion (so any depth is safe). */
export function jsonDepth(value: unknown): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth + 1 > max) max = depth + 1;
    if (max > maxExtraBodyDepth) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return max;
}

/** Per-backend TLS options. */
export const TlsOptions = z
  .strictObject({
    /**
     * Skip certificate verification for this backend only. Every number of such a backend is
     * marked *unverified TLS*: anyone on the path could read the key and change the answers.
     */
    insecure: z
      .boolean()
      .default(false)
      .meta({
        markdownDescription:
          'Do not verify this backend\'s TLS certificate. Anyone on the network path could read the key and alter the answers; every number of this backend is marked **unverified TLS**. Prefer `ca`.',
      }),
    /** A PEM file with extra CA certificates trusted for this backend (a private CA). */
    ca: z
      .string()
      .min(1)
      .optional()
      .meta({
        markdownDescription:
          'Path to a PEM file of extra CA certificates to trust for this backend (a private CA), in addition to the public ones and `NODE_EXTRA_CA_CERTS`. In user settings: an absolute path.',
      }),
  })
  .meta({ markdownDescription: 'TLS options for this backend. Certificates are always verified unless `insecure` is set.' });
export type TlsOptions = z.infer<typeof TlsOptions>;

/** One OpenAI-compatible endpoint + model. */
export const Backend = z
  .strictObject({
    /** Stable id used on the command line, in settings and as the secret-store key. */
    id: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, ".", "_" or "-", at most 64')
      .meta({ markdownDescription: 'Stable id (letters, digits, `.`, `_`, `-`); also names the stored API key.' }),
    label: z.string().min(1).optional().meta({ markdownDescription: 'Name shown in the panel and status bar.' }),
    kind: BackendKind,
    /** Base URL up to and including the API version, e.g. `https://api.openai.com/v1`. */
    baseUrl: httpUrl
      .refine((u) => !hasCredentials(u), {
        message: 'must not contain a user name or password (user:pass@); keys belong in the secret store or an environment variable',
      })
      .meta({ markdownDescription: 'Base URL up to and including the API version, e.g. `https://api.openai.com/v1`. No `user:password@`.' }),
    model: z.string().min(1).meta({ markdownDescription: 'Model name sent in the request.' }),
    /** CLI only: name of the environment variable holding the API key. */
    apiKeyEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name')
      .optional()
      .meta({
        markdownDescription: 'Used by the command-line tool only; the extension keeps keys in the secret store (**Bakeoff: Set API Key…**).',
      }),
    /** `none`: the endpoint needs no key (a testnet, a public `/models`): none is asked for or sent unless one is set. */
    auth: z
      .enum(['bearer', 'none'])
      .optional()
      .meta({
        markdownDescription:
          '`bearer` (default): the API key is sent as `Authorization: Bearer …` and a remote backend needs one. `none`: the endpoint needs no key (a testnet, a public endpoint); a key is still sent when you set one.',
      }),
    /** Extra request headers (never `Authorization`: keys come from env/secret store only). */
    headers: z
      .record(headerName, headerValue)
      .refine((h) => !Object.keys(h).some((k) => k.toLowerCase() === 'authorization'), {
        message: 'must not set Authorization; keys come from the environment or the secret store',
      })
      .optional()
      .meta({ markdownDescription: 'Extra request headers. `Authorization` is not allowed: keys come from the secret store.' }),
    /** Extra JSON fields merged into the request body (e.g. provider-specific switches). */
    extraBody: z
      .record(z.string(), z.unknown())
      .refine((b) => jsonDepth(b) <= maxExtraBodyDepth, { message: `nested deeper than ${maxExtraBodyDepth} levels` })
      .optional()
      .meta({ markdownDescription: 'Extra JSON fields merged into the request body.' }),
    pricing: Pricing.default({ type: 'unknown' }).meta({
      markdownDescription: 'How the cost of an answer is found. Unknown when unset — never invented.',
    }),
    /**
     * Whether to request `stream_options.include_usage`. `auto` asks and falls back (once, and
     * remembers) when the server rejects it with 400/422.
     */
    streamUsage: z
      .enum(['auto', 'never'])
      .default('auto')
      .meta({
        markdownDescription:
          '`auto` asks for `stream_options.include_usage` and falls back once if the server rejects it; `never` does not ask.',
      }),
    /**
     * `fresh` (default): every request opens its own connection. `warm`: each measured request
     * goes over a kept-alive connection that an unmeasured warm-up request opened.
     */
    connection: z
      .enum(['fresh', 'warm'])
      .optional()
      .meta({
        markdownDescription:
          '`fresh` (the default): every request opens its own connection, so every backend pays DNS, TCP and TLS alike. `warm`: each measured request goes over a kept-alive connection opened by an unmeasured warm-up request (`GET /models`), as production clients run.',
      }),
    /** Short note on what the operator claims (TEE, gateway routing…), shown in the UI. */
    trustNote: z
      .string()
      .optional()
      .meta({ markdownDescription: 'Short note on what the operator claims (TEE, routing…), shown in the panel.' }),
    tls: TlsOptions.optional(),
  })
  .meta({
    defaultSnippets: [
      {
        label: 'OpenAI-compatible backend',
        body: { id: '$1', label: '$2', kind: '${3|decentralized,closed,local,gateway|}', baseUrl: 'https://$4/v1', model: '$5' },
      },
    ],
  });
export type Backend = z.infer<typeof Backend>;

/**
 * Whether requests to `backend` need an API key: not for a local server, nor for an endpoint
 * configured `auth: "none"` (a key is still sent when one is set).
 */
export function keyRequired(backend: Pick<Backend, 'kind' | 'auth'>): boolean {
  return backend.kind !== 'local' && backend.auth !== 'none';
}
export type BackendInput = z.input<typeof Backend>;

export const ChatMessage = z.strictObject({
  role: z.enum(['system', 'user', 'assistant']),
  content: z.string(),
});
export type ChatMessage = z.infer<typeof ChatMessage>;

/** Request parameters shared by every backend in one comparison (so the comparison is fair). */
export const RequestParams = z.strictObject({
  maxTokens: z.number().int().min(maxTokensLimits.min).max(maxTokensLimits.max).default(maxTokensLimits.default),
  temperature: z.number().min(0).max(2).default(0),
  seed: z.number().int().optional(),
});
export type RequestParams = z.infer<typeof RequestParams>;

/** A duration limit in ms: a positive whole number a Node timer can hold. */
export const DurationMs = z.number().int().positive().max(maxTimerMs);
const durationMs = (fallback: number) => DurationMs.default(fallback);

/** Limits applied to every stream. All durations in milliseconds, sizes in bytes. */
export const Timeouts = z.strictObject({
  connectMs: durationMs(timeoutDefaults.connectMs),
  firstByteMs: durationMs(timeoutDefaults.firstByteMs),
  idleMs: durationMs(timeoutDefaults.idleMs),
  totalMs: durationMs(timeoutDefaults.totalMs),
  maxErrorBodyBytes: z.number().int().positive().default(timeoutDefaults.maxErrorBodyBytes),
  maxStreamBytes: z.number().int().positive().default(timeoutDefaults.maxStreamBytes),
});
export type Timeouts = z.infer<typeof Timeouts>;

/** Trials per backend in one comparison (limits.ts). */
export const Trials = z.number().int().min(trialsLimits.min).max(trialsLimits.max);
/** Most requests in flight at once (limits.ts). */
export const Concurrency = z.number().int().min(concurrencyLimits.min).max(concurrencyLimits.max);

/**
 * A proxy for every backend: an `http://` or `https://` URL (credentials allowed, they are never
 * shown), or `direct` to ignore the proxy environment variables.
 */
export const ProxySetting = z.union([
  z.literal('direct'),
  httpUrl,
]);
export type ProxySetting = z.infer<typeof ProxySetting>;

/** The CLI config file (JSON or YAML). */
export const ConfigFile = z.strictObject({
  backends: z.array(Backend).min(1, 'needs at least one backend'),
  /** Overrides HTTPS_PROXY / HTTP_PROXY (NO_PROXY still applies); `direct` ignores them. */
  proxy: ProxySetting.optional(),
  request: RequestParams.default(RequestParams.parse({})),
  timeouts: Timeouts.default(Timeouts.parse({})),
});
export type ConfigFile = z.infer<typeof ConfigFile>;

/** Thrown for any invalid configuration; `issues` are human-readable, one per problem. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    message: string,
    readonly issues: string[],
  ) {
    super(issues.length ? `${message}:\n  - ${issues.join('\n  - ')}` : message);
  }
}

/** Formats zod issues as `backend "id" → field: message` lines. */
export function describeIssues(error: z.ZodError, root: unknown): string[] {
  return error.issues.map((issue) => {
    const message =
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => unknownKeyMessage(key)).join('; ')
        : issue.code === 'invalid_key'
          ? (issue.issues[0]?.message ?? issue.message)
          : issue.message;
    const path = issue.path.map(String);
    let where = path.join('.');
    if (path[0] === 'backends' && path.length >= 2) {
      const index = Number(path[1]);
      const raw = (root as { backends?: unknown[] } | undefined)?.backends?.[index] as
        | { id?: unknown }
        | undefined;
      const name = typeof raw?.id === 'string' ? `backend "${raw.id}"` : `backend #${index + 1}`;
      where = [name, ...path.slice(2)].join(' → ');
    }
    return `${where || '(root)'}: ${message}`;
  });
}

/** Every field name the config schemas know, for "did you mean" hints on typos. */
const knownFields = [
  ...Object.keys(Backend.shape),
  ...Object.keys(RequestParams.shape),
  ...Object.keys(Timeouts.shape),
  ...Object.keys(ConfigFile.shape),
  ...Object.keys(TlsOptions.shape),
  ...Pricing.options.flatMap((o) => Object.keys(o.shape)),
];

/** Levenshtein distance, for short field names only. */
function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

function unknownKeyMessage(key: string): string {
  const lower = key.toLowerCase();
  const guess = knownFields.find((f) => f.toLowerCase() === lower) ?? knownFields.find((f) => editDistance(f.toLowerCase(), lower) <= 2);
  return `unknown field "${key}"${guess ? ` (did you mean "${guess}"?)` : ''}`;
}

/** Unicode scripts told apart by {@link hostWarning}; anything else counts as "other". */
const scripts: Array<[string, RegExp]> = [
  ['Latin', /\p{Script=Latin}/u],
  ['Cyrillic', /\p{Script=Cyrillic}/u],
  ['Greek', /\p{Script=Greek}/u],
  ['Armenian', /\p{Script=Armenian}/u],
  ['Han', /\p{Script=Han}/u],
  ['Arabic', /\p{Script=Arabic}/u],
  ['Hebrew', /\p{Script=Hebrew}/u],
];

/**
 * A warning when the host of `baseUrl` mixes letters of several scripts (a Cyrillic `а` in
 * `аpi.openai.com` looks like the real host but is another one), naming the punycode form the
 * request really goes to; null otherwise.
 */
export function hostWarning(baseUrl: string): string | null {
  const raw = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/.exec(baseUrl)?.[1];
  if (!raw) return null;
  const host = raw.slice(raw.lastIndexOf('@') + 1).replace(/:\d*$/, '');
  if (!/[^\x20-\x7e]/.test(host)) return null;
  const found = new Set<string>();
  for (const ch of host) {
    if (!/\p{L}/u.test(ch)) continue;
    found.add(scripts.find(([, re]) => re.test(ch))?.[0] ?? 'other');
  }
  if (found.size < 2) return null;
  let ascii = host;
  try {
    ascii = new URL(baseUrl).hostname;
  } catch {
    // keep the raw host
  }
  return `host "${host}" mixes ${[...found].join(' and ')} letters; the request goes to ${ascii}. Check that this is the host you meant.`;
}

/** Non-fatal problems of valid backends (one line each, naming the backend). */
export function backendWarnings(backends: readonly Pick<Backend, 'id' | 'baseUrl' | 'tls'>[]): string[] {
  const out: string[] = [];
  for (const b of backends) {
    const host = hostWarning(b.baseUrl);
    if (host) out.push(`backend "${b.id}" → baseUrl: ${host}`);
    if (b.tls?.insecure) out.push(`backend "${b.id}" → tls.insecure: certificates are not verified; its results are marked "unverified TLS".`);
  }
  return out;
}

/** Parses a CLI config object. Throws ConfigError with every problem listed. */
export function parseConfig(raw: unknown): ConfigFile {
  const result = ConfigFile.safeParse(raw);
  if (!result.success) throw new ConfigError('Invalid Bakeoff configuration', describeIssues(result.error, raw));
  const ids = new Set<string>();
  const dupes = result.data.backends.map((b) => b.id).filter((id) => (ids.has(id) ? true : (ids.add(id), false)));
  if (dupes.length) throw new ConfigError('Invalid Bakeoff configuration', dupes.map((id) => `backend "${id}": duplicate id`));
  return result.data;
}

/** Parses a list of backends (the extension's `bakeoff.backends` setting). */
export function parseBackends(raw: unknown): Backend[] {
  if (Array.isArray(raw) && raw.length === 0) return [];
  return parseConfig({ backends: raw }).backends;
}
