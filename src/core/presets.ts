/**
 * Ready-made backends: closed APIs, decentralized inference networks and local servers, all
 * OpenAI-compatible. Prices are never invented here: a preset uses the maintained catalogue, the
 * provider's own `/models` listing, `free` for own hardware, or `unknown`.
 */
import { markdownCell } from './format';
import { Backend, type BackendInput, type BackendKind, type Pricing, parseBackends } from './config';

/** A ready-made backend definition. */
export interface Preset {
  /** Used as the backend id when added as-is. */
  id: string;
  label: string;
  kind: BackendKind;
  baseUrl: string;
  defaultModel: string;
  /** Environment variable the CLI reads the API key from. */
  apiKeyEnv: string;
  pricing: Pricing;
  /** Short, honest note on what the operator claims and what to expect. */
  trustNote: string;
  docsUrl: string;
  streamUsage?: 'auto' | 'never';
  extraBody?: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** Every preset, in display order: closed, decentralized, local. */
export const presets: readonly Preset[] = Object.freeze([
  {
    id: 'openai',
    label: 'OpenAI',
    kind: 'closed',
    baseUrl: 'https://api.openai.com/v1',
    defaultModel: 'gpt-4o-mini',
    apiKeyEnv: 'OPENAI_API_KEY',
    pricing: { type: 'catalog', providerId: 'openai' },
    trustNote: 'Centralized, closed model; a single operator sees every prompt.',
    docsUrl: 'https://platform.openai.com/docs/api-reference/chat',
  },
  {
    id: 'gemini',
    label: 'Google Gemini',
    kind: 'closed',
    baseUrl: 'https://generativelanguage.googleapis.com/v1beta/openai/',
    defaultModel: 'gemini-2.5-flash',
    apiKeyEnv: 'GEMINI_API_KEY',
    pricing: { type: 'catalog', providerId: 'google' },
    trustNote: "Centralized, closed model served through Google's OpenAI-compatibility layer.",
    docsUrl: 'https://ai.google.dev/gemini-api/docs/openai',
  },
  {
    id: 'meta-llama',
    label: 'Meta Llama API',
    kind: 'closed',
    baseUrl: 'https://api.llama.com/compat/v1/',
    defaultModel: 'Llama-4-Maverick-17B-128E-Instruct-FP8',
    apiKeyEnv: 'LLAMA_API_KEY',
    pricing: { type: 'unknown' },
    trustNote: "Open-weight models hosted centrally by Meta; the price catalogue has no entry for this API.",
    docsUrl: 'https://llama.developer.meta.com/docs/features/compatibility',
  },
  {
    id: 'anthropic',
    label: 'Anthropic',
    kind: 'closed',
    baseUrl: 'https://api.anthropic.com/v1/',
    defaultModel: 'claude-sonnet-4-5',
    apiKeyEnv: 'ANTHROPIC_API_KEY',
    pricing: { type: 'catalog', providerId: 'anthropic' },
    trustNote: "Centralized, closed model via Anthropic's OpenAI SDK compatibility endpoint.",
    docsUrl: 'https://docs.anthropic.com/en/api/openai-sdk',
  },
  {
    id: 'chutes',
    label: 'Chutes (Bittensor SN64)',
    kind: 'decentralized',
    baseUrl: 'https://llm.chutes.ai/v1',
    defaultModel: 'deepseek-ai/DeepSeek-V3-0324',
    apiKeyEnv: 'CHUTES_API_KEY',
    pricing: { type: 'modelsEndpoint' },
    trustNote:
      'Served by Bittensor SN64 miners. -TEE model ids claim confidential compute; unauthenticated calls are rate limited.',
    docsUrl: 'https://chutes.ai/docs',
  },
  {
    id: 'targon',
    label: 'Targon (Bittensor SN4)',
    kind: 'decentralized',
    baseUrl: 'https://api.targon.com/v1',
    defaultModel: 'deepseek-ai/DeepSeek-V3',
    apiKeyEnv: 'TARGON_API_KEY',
    pricing: { type: 'unknown' },
    trustNote:
      'Served by Bittensor SN4 miners; prices come from a miner market and the model catalogue changes often.',
    docsUrl: 'https://docs.targon.com',
  },
  {
    id: 'akashml',
    label: 'AkashML (Akash Network)',
    kind: 'decentralized',
    baseUrl: 'https://api.akashml.com/v1',
    defaultModel: 'meta-llama/Llama-3.3-70B-Instruct',
    apiKeyEnv: 'AKASHML_API_KEY',
    pricing: { type: 'modelsEndpoint' },
    trustNote:
      'Managed inference on Akash Network GPUs. Quote the Inference-Id response header in support requests; 402 = out of credits, 429 = rate limited, 504/529 = no healthy backend for the model.',
    docsUrl: 'https://playground.akashml.com/docs/getting-started/introduction',
  },
  {
    id: 'ionet',
    label: 'io.net IO Intelligence',
    kind: 'decentralized',
    baseUrl: 'https://api.intelligence.io.solutions/api/v1',
    defaultModel: 'meta-llama/Llama-3.3-70B-Instruct',
    apiKeyEnv: 'IOINTELLIGENCE_API_KEY',
    pricing: { type: 'unknown' },
    trustNote: "Inference on io.net's decentralized GPU network, fronted by io.net's own API.",
    docsUrl: 'https://io.net/docs/guides/intelligence/io-intelligence',
  },
  {
    id: 'atoma',
    label: 'Atoma (Sui)',
    kind: 'decentralized',
    baseUrl: 'https://api.atoma.network/v1',
    defaultModel: 'meta-llama/Llama-3.3-70B-Instruct',
    apiKeyEnv: 'ATOMA_API_KEY',
    pricing: { type: 'unknown' },
    trustNote: 'Nodes coordinated on Sui; paid from prepaid credits; confidential (TEE) compute is optional, not the default.',
    docsUrl: 'https://docs.atoma.network',
  },
  {
    id: 'lilypad',
    label: 'Lilypad Anura (testnet)',
    kind: 'decentralized',
    baseUrl: 'https://anura-testnet.lilypad.tech/api/v1',
    defaultModel: 'llama3.1:8b',
    apiKeyEnv: 'ANURA_API_KEY',
    pricing: { type: 'unknown' },
    trustNote: 'Testnet: jobs run on Lilypad network nodes; Ollama-style model ids; rate limit 20 requests/s.',
    docsUrl: 'https://docs.lilypad.tech/lilypad/developer-resources/inference-api',
  },
  {
    id: 'hyperbolic',
    label: 'Hyperbolic',
    kind: 'decentralized',
    baseUrl: 'https://api.hyperbolic.xyz/v1',
    defaultModel: 'meta-llama/Llama-3.3-70B-Instruct',
    apiKeyEnv: 'HYPERBOLIC_API_KEY',
    pricing: { type: 'unknown' },
    trustNote: 'GPU marketplace with per-token serverless inference; an empty balance returns HTTP 402.',
    docsUrl: 'https://docs.hyperbolic.xyz',
  },
  {
    id: 'ollama',
    label: 'Ollama (local)',
    kind: 'local',
    baseUrl: 'http://localhost:11434/v1',
    defaultModel: 'llama3.1:8b',
    apiKeyEnv: 'OLLAMA_API_KEY',
    pricing: { type: 'free' },
    trustNote: 'Runs on this machine; nothing leaves it. No API key needed.',
    docsUrl: 'https://github.com/ollama/ollama/blob/main/docs/openai.md',
  },
  {
    id: 'llamacpp',
    label: 'llama.cpp server (local)',
    kind: 'local',
    baseUrl: 'http://localhost:8080/v1',
    defaultModel: 'default',
    apiKeyEnv: 'LLAMACPP_API_KEY',
    pricing: { type: 'free' },
    trustNote: 'Runs on this machine; llama-server serves whichever model it was started with. Key only if started with --api-key.',
    docsUrl: 'https://github.com/ggml-org/llama.cpp/tree/master/tools/server',
  },
  {
    id: 'vllm',
    label: 'vLLM (local)',
    kind: 'local',
    baseUrl: 'http://localhost:8000/v1',
    defaultModel: 'Qwen/Qwen2.5-1.5B-Instruct',
    apiKeyEnv: 'VLLM_API_KEY',
    pricing: { type: 'free' },
    trustNote: 'Runs on your own GPU; the model id must match the one vLLM was started with. Key only if started with --api-key.',
    docsUrl: 'https://docs.vllm.ai/en/latest/serving/openai_compatible_server.html',
  },
  {
    id: 'lmstudio',
    label: 'LM Studio (local)',
    kind: 'local',
    baseUrl: 'http://localhost:1234/v1',
    defaultModel: 'qwen2.5-7b-instruct',
    apiKeyEnv: 'LMSTUDIO_API_KEY',
    pricing: { type: 'free' },
    trustNote: 'Runs on this machine; use a model id shown by GET /v1/models. No API key needed.',
    docsUrl: 'https://lmstudio.ai/docs/app/api/endpoints/openai',
  },
] satisfies Preset[]);

/** Networks people ask about that cannot be compared, with the reason (for docs and the UI). */
export const notSupported: readonly { name: string; reason: string }[] = Object.freeze([
  {
    name: 'Gensyn',
    reason:
      'Gensyn is a protocol for decentralized machine-learning training and verification; it offers no public inference API to send a prompt to.',
  },
]);

/** The preset with this id, if any. */
export function presetById(id: string): Preset | undefined {
  return presets.find((p) => p.id === id);
}

/**
 * A validated Backend built from a preset; `overrides` replace any field (e.g. `id` to add the
 * same provider twice, or `model`). Throws ConfigError naming the backend and field when the
 * result is invalid.
 */
export function backendFromPreset(preset: Preset, overrides: Partial<BackendInput> = {}): Backend {
  const raw: BackendInput = {
    id: preset.id,
    label: preset.label,
    kind: preset.kind,
    baseUrl: preset.baseUrl,
    model: preset.defaultModel,
    apiKeyEnv: preset.apiKeyEnv,
    pricing: preset.pricing,
    trustNote: preset.trustNote,
    ...(preset.streamUsage ? { streamUsage: preset.streamUsage } : {}),
    ...(preset.extraBody ? { extraBody: { ...preset.extraBody } } : {}),
    ...(preset.headers ? { headers: { ...preset.headers } } : {}),
    ...overrides,
  };
  const [backend] = parseBackends([raw]);
  return Backend.parse(backend);
}

function pricingLabel(pricing: Pricing): string {
  switch (pricing.type) {
    case 'catalog':
      return `catalogue${pricing.providerId ? ` (${pricing.providerId})` : ''}`;
    case 'modelsEndpoint':
      return 'provider /models listing';
    case 'perToken':
      return 'per-token (configured)';
    case 'gpuHour':
      return 'GPU-hour (configured)';
    case 'free':
      return 'free (own hardware)';
    case 'unknown':
      return 'unknown';
  }
}

/** The README table of presets (and unsupported networks), generated from the data above. */
export function presetsMarkdownTable(): string {
  const header = [
    '| Id | Provider | Kind | Base URL | Default model | Key env var | Pricing | Notes |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  const rows = presets.map(
    (p) =>
      `| \`${markdownCell(p.id, true)}\` | [${markdownCell(p.label)}](${p.docsUrl}) | ${p.kind} | \`${markdownCell(p.baseUrl, true)}\` | \`${markdownCell(p.defaultModel, true)}\` | ` +
      `\`${markdownCell(p.apiKeyEnv, true)}\` | ${markdownCell(pricingLabel(p.pricing))} | ${markdownCell(p.trustNote)} |`,
  );
  const unsupported = notSupported.map((n) => `- **${n.name}** is not supported: ${n.reason}`);
  return [...header, ...rows, '', ...unsupported].join('\n') + '\n';
}
