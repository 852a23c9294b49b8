/**
 * Backend and comparison configuration: the zod schemas shared by the CLI config file and the
 * extension's `bakeoff.backends` setting. Parsing errors name the backend and the field.
 */
import { z } from 'zod';

/** Where a backend sits in the landscape Bakeoff compares. */
export const BackendKind = z.enum(['closed', 'decentralized', 'local', 'gateway']);
export type BackendKind = z.infer<typeof BackendKind>;

/**
 * How the cost of one answer is found. Never invented: when nothing is known the cost is
 * `unknown` (null), not zero.
 */
export const Pricing = z.discriminatedUnion('type', [
  /** Look the model up in the maintained `@pydantic/genai-prices` catalogue. */
  z.strictObject({
    type: z.literal('catalog'),
    /** Catalogue provider id (e.g. `openai`, `google`, `anthropic`); guessed from the URL when absent. */
    providerId: z.string().min(1).optional(),
    /** Catalogue model id when it differs from the backend's `model`. */
    modelId: z.string().min(1).optional(),
  }),
  /** Read the price the provider publishes in its own `GET /models` listing (Chutes, AkashML…). */
  z.strictObject({ type: z.literal('modelsEndpoint') }),
  /** The user's own per-token prices, in US dollars per million tokens. */
  z.strictObject({
    type: z.literal('perToken'),
    inputPerMTok: z.number().nonnegative(),
    outputPerMTok: z.number().nonnegative(),
    /** Price of cached input tokens; defaults to `inputPerMTok`. */
    cachedInputPerMTok: z.number().nonnegative().optional(),
    /** Price of reasoning tokens; defaults to `outputPerMTok` (they are billed as output). */
    reasoningPerMTok: z.number().nonnegative().optional(),
    /** Where the numbers come from, shown next to the cost (e.g. a pricing page). */
    source: z.string().optional(),
    /** When the numbers were read, ISO date. */
    asOf: z.string().optional(),
  }),
  /**
   * Rented GPU (Akash, io.net, Nosana…): cost = usdPerHour / 3600 × busy seconds, i.e.
   * outputTokens × usdPerHour / (3600 × measured tokens/s).
   */
  z.strictObject({
    type: z.literal('gpuHour'),
    usdPerHour: z.number().positive(),
    source: z.string().optional(),
    asOf: z.string().optional(),
  }),
  /** Own hardware: zero marginal cost, shown as such. */
  z.strictObject({ type: z.literal('free') }),
  z.strictObject({ type: z.literal('unknown') }),
]);
export type Pricing = z.infer<typeof Pricing>;

const httpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//i.test(u), { message: 'must be an http:// or https:// URL' });

/** One OpenAI-compatible endpoint + model. */
export const Backend = z.strictObject({
  /** Stable id used on the command line, in settings and as the secret-store key. */
  id: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, ".", "_" or "-", at most 64'),
  label: z.string().min(1).optional(),
  kind: BackendKind,
  /** Base URL up to and including the API version, e.g. `https://api.openai.com/v1`. */
  baseUrl: httpUrl,
  model: z.string().min(1),
  /** CLI only: name of the environment variable holding the API key. */
  apiKeyEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name').optional(),
  /** Extra request headers (never `Authorization`: keys come from env/secret store only). */
  headers: z
    .record(z.string(), z.string())
    .refine((h) => !Object.keys(h).some((k) => k.toLowerCase() === 'authorization'), {
      message: 'must not set Authorization; keys come from the environment or the secret store',
    })
    .optional(),
  /** Extra JSON fields merged into the request body (e.g. provider-specific switches). */
  extraBody: z.record(z.string(), z.unknown()).optional(),
  pricing: Pricing.default({ type: 'unknown' }),
  /**
   * Whether to request `stream_options.include_usage`. `auto` asks and falls back (once, and
   * remembers) when the server rejects it with 400/422.
   */
  streamUsage: z.enum(['auto', 'never']).default('auto'),
  /** Short note on what the operator claims (TEE, gateway routing…), shown in the UI. */
  trustNote: z.string().optional(),
});
export type Backend = z.infer<typeof Backend>;
export type BackendInput = z.input<typeof Backend>;

export const ChatMessage = z.strictObject({
  role: z.enum(['system', 'user', 'assistant']),
  content: z.string(),
});
export type ChatMessage = z.infer<typeof ChatMessage>;

/** Request parameters shared by every backend in one comparison (so the comparison is fair). */
export const RequestParams = z.strictObject({
  maxTokens: z.number().int().positive().max(1_000_000).default(512),
  temperature: z.number().min(0).max(2).default(0),
  seed: z.number().int().optional(),
});
export type RequestParams = z.infer<typeof RequestParams>;

/** Limits applied to every stream. All durations in milliseconds, sizes in bytes. */
/** Longest delay a Node timer can hold (about 24.8 days); larger values would fire at once. */
const maxTimerMs = 2_147_483_647;
const durationMs = (fallback: number) => z.number().int().positive().max(maxTimerMs).default(fallback);

export const Timeouts = z.strictObject({
  connectMs: durationMs(10_000),
  firstByteMs: durationMs(60_000),
  idleMs: durationMs(30_000),
  totalMs: durationMs(300_000),
  maxErrorBodyBytes: z.number().int().positive().default(8 * 1024),
  maxStreamBytes: z.number().int().positive().default(4 * 1024 * 1024),
});
export type Timeouts = z.infer<typeof Timeouts>;

/** The CLI config file (JSON or YAML). */
export const ConfigFile = z.strictObject({
  backends: z.array(Backend).min(1, 'needs at least one backend'),
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
