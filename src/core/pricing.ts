/**
 * Cost of one answer = f(token usage, a price with a named source). Nothing here invents a
 * number: without a sourced price, or without token counts, the cost is `unknown` (null).
 *
 * The catalogue is the data bundled in `@pydantic/genai-prices`. That library can fetch newer
 * data only after `updatePrices()` is called; this module never calls it, so no network request
 * is ever made. It is loaded on first use (priceCatalogue.ts, bundled apart).
 */
import { createRequire } from 'node:module';
import type { PriceCalculation, TieredPrices, Usage } from '@pydantic/genai-prices';
import type { Backend } from './config';
import { formatCount, formatUnitPriceUsd, formatUsd } from './format';
import type { Cost, Metrics, TerminalStatus } from './types';

/** Version of the bundled `@pydantic/genai-prices` catalogue (kept in step with package.json by a test). */
export const catalogueVersion = '0.1.8';
/** Publication date of that catalogue version on npm, used as the `asOf` of catalogue prices. */
export const catalogueDate = '2026-09-23';

/** A price read from a provider's own `GET /models` listing, in US dollars per million tokens. */
export interface ModelsEndpointPrice {
  inputPerMTok: number;
  outputPerMTok: number;
  /** When the listing was read, ISO. */
  asOf: string;
}

/** Everything needed to price one answer. Token counts are null when unknown. */
export interface CostInput {
  backend: Backend;
  /** All prompt tokens, cached ones included (OpenAI `prompt_tokens`). */
  inputTokens: number | null;
  /** All completion tokens, reasoning ones included (OpenAI `completion_tokens`). */
  outputTokens: number | null;
  /** The part of `inputTokens` served from the prompt cache. */
  cachedInputTokens: number | null;
  /** The part of `outputTokens` spent on reasoning. */
  reasoningTokens: number | null;
  /** Measured decode speed; needed for `gpuHour` pricing. */
  tokensPerSecond: number | null;
  /** Price for this model from the provider's `/models` listing, when it was fetched. */
  modelsEndpointPrice?: ModelsEndpointPrice | null;
}

function fmtPerM(price: number): string {
  return `${formatUnitPriceUsd(price)}/M`;
}

function clampPart(part: number | null, whole: number): number {
  if (part === null || !Number.isFinite(part) || part <= 0) return 0;
  return Math.min(part, whole);
}

function unknown(detail: string): Cost {
  return { costUsd: null, costSource: 'unknown', detail };
}

function isValidCount(n: number | null): n is number {
  return n !== null && Number.isFinite(n) && n >= 0;
}

/** Prices one answer. Never throws; problems are reported as an `unknown` cost with the reason. */
export function computeCost(input: CostInput): Cost {
  const pricing = input.backend.pricing;
  switch (pricing.type) {
    case 'free':
      return { costUsd: 0, costSource: 'free', detail: 'free: own hardware (electricity and hardware not counted)' };
    case 'unknown':
      return unknown('unknown: no sourced price for this backend (set `pricing` in its configuration)');
    case 'gpuHour':
      return gpuHourCost(input, pricing);
    case 'catalog':
      return catalogCost(input, pricing);
    case 'modelsEndpoint': {
      const price = input.modelsEndpointPrice;
      if (!price) return unknown("unknown: the provider's /models listing gave no price for this model");
      return tokenCost(input, {
        inputPerMTok: price.inputPerMTok,
        outputPerMTok: price.outputPerMTok,
        source: "provider's /models listing",
        costSource: 'modelsEndpoint',
        asOf: price.asOf,
      });
    }
    case 'perToken':
      return tokenCost(input, {
        inputPerMTok: pricing.inputPerMTok,
        outputPerMTok: pricing.outputPerMTok,
        cachedInputPerMTok: pricing.cachedInputPerMTok,
        reasoningPerMTok: pricing.reasoningPerMTok,
        source: pricing.source ? `your prices, ${pricing.source}` : 'your prices',
        costSource: 'override',
        asOf: pricing.asOf,
      });
  }
}

function missingTokens(input: CostInput): Cost | null {
  if (!isValidCount(input.inputTokens) || !isValidCount(input.outputTokens)) {
    const which = [
      isValidCount(input.inputTokens) ? null : 'input',
      isValidCount(input.outputTokens) ? null : 'output',
    ].filter(Boolean);
    return unknown(`unknown: ${which.join(' and ')} token count not available`);
  }
  return null;
}

interface TokenPrices {
  inputPerMTok: number;
  outputPerMTok: number;
  cachedInputPerMTok?: number;
  reasoningPerMTok?: number;
  source: string;
  costSource: 'modelsEndpoint' | 'override';
  asOf?: string;
}

/** Flat per-token prices: cached input and reasoning output are subsets, never counted twice. */
function tokenCost(input: CostInput, prices: TokenPrices): Cost {
  const missing = missingTokens(input);
  if (missing) return missing;
  const inputTokens = input.inputTokens as number;
  const outputTokens = input.outputTokens as number;
  const cached = prices.cachedInputPerMTok === undefined ? 0 : clampPart(input.cachedInputTokens, inputTokens);
  const reasoning = prices.reasoningPerMTok === undefined ? 0 : clampPart(input.reasoningTokens, outputTokens);
  const parts: string[] = [];
  let costUsd = 0;
  const add = (tokens: number, perMTok: number, what: string): void => {
    costUsd += (tokens * perMTok) / 1e6;
    parts.push(`${formatCount(tokens)} ${what} × ${fmtPerM(perMTok)}`);
  };
  add(inputTokens - cached, prices.inputPerMTok, 'in');
  if (cached > 0) add(cached, prices.cachedInputPerMTok as number, 'cached in');
  add(outputTokens - reasoning, prices.outputPerMTok, 'out');
  if (reasoning > 0) add(reasoning, prices.reasoningPerMTok as number, 'reasoning');
  const asOf = prices.asOf ? `, as of ${prices.asOf}` : '';
  const cost: Cost = {
    costUsd,
    costSource: prices.costSource,
    detail: `${parts.join(' + ')} = ${formatUsd(costUsd)} (${prices.source}${asOf})`,
  };
  if (prices.asOf) cost.asOf = prices.asOf;
  return cost;
}

function gpuHourCost(input: CostInput, pricing: Extract<Backend['pricing'], { type: 'gpuHour' }>): Cost {
  if (!isValidCount(input.outputTokens)) return unknown('unknown: output token count not available');
  const tps = input.tokensPerSecond;
  if (tps === null || !Number.isFinite(tps) || tps <= 0) {
    return unknown('unknown: GPU-hour pricing needs a measured tokens/s, which this run did not yield');
  }
  const busySeconds = input.outputTokens / tps;
  const costUsd = (pricing.usdPerHour / 3600) * busySeconds;
  const source = [pricing.source, pricing.asOf ? `as of ${pricing.asOf}` : undefined].filter(Boolean).join(', ');
  const cost: Cost = {
    costUsd,
    costSource: 'gpuHour',
    detail:
      `${formatUnitPriceUsd(pricing.usdPerHour)}/h ÷ 3600 × (${formatCount(input.outputTokens)} out ÷ ${tps.toFixed(1)} tok/s = ` +
      `${busySeconds.toFixed(2)} s) = ${formatUsd(costUsd)}` +
      (source ? ` (${source})` : ''),
  };
  if (pricing.asOf) cost.asOf = pricing.asOf;
  return cost;
}

type CatalogPricing = Extract<Backend['pricing'], { type: 'catalog' }>;

let catalogue: typeof import('./priceCatalogue') | undefined;

/** The catalogue's lookup, loaded on first use. */
function calcPrice(...args: Parameters<typeof import('./priceCatalogue').calcPrice>): PriceCalculation | null {
  // Not a literal `require`: esbuild must leave the catalogue out of the bundles that use this module.
  catalogue ??= createRequire(__filename)('./priceCatalogue') as typeof import('./priceCatalogue');
  return catalogue.calcPrice(...args);
}

/** Runs the catalogue lookup: provider by id, else by base URL, else by model id alone. */
function lookUp(backend: Backend, pricing: CatalogPricing, usage: Usage): PriceCalculation | null {
  const modelId = pricing.modelId ?? backend.model;
  if (pricing.providerId) return calcPrice(usage, modelId, { providerId: pricing.providerId });
  return calcPrice(usage, modelId, { providerApiUrl: backend.baseUrl }) ?? calcPrice(usage, modelId);
}

function isTiered(price: unknown): price is TieredPrices {
  return typeof price === 'object' && price !== null && 'base' in price && 'tiers' in price;
}

/** The unit price that applied, for display (tiers chosen by total input tokens, as the catalogue does). */
function unitPrice(price: unknown, inputTokens: number): number | undefined {
  if (typeof price === 'number') return price;
  if (!isTiered(price)) return undefined;
  let current = price.base;
  for (const tier of price.tiers) if (inputTokens > tier.start) current = tier.price;
  return current;
}

function catalogCost(input: CostInput, pricing: CatalogPricing): Cost {
  const { backend } = input;
  const modelId = pricing.modelId ?? backend.model;
  const missing = missingTokens(input);
  if (missing) return missing;
  const inputTokens = input.inputTokens as number;
  const outputTokens = input.outputTokens as number;
  const cached = clampPart(input.cachedInputTokens, inputTokens);
  const reasoning = clampPart(input.reasoningTokens, outputTokens);
  const usage: Usage = { input_tokens: inputTokens, output_tokens: outputTokens };
  if (cached > 0) usage.cache_read_tokens = cached;
  if (reasoning > 0) usage.output_reasoning_tokens = reasoning;

  let result: PriceCalculation | null;
  try {
    result = lookUp(backend, pricing, usage);
  } catch (error) {
    return unknown(`unknown: price catalogue could not price this usage (${(error as Error).message})`);
  }
  const where = pricing.providerId ? `provider "${pricing.providerId}"` : 'any provider matching the URL or model';
  if (!result) {
    return unknown(`unknown: model "${modelId}" (${where}) not in the price catalogue v${catalogueVersion}`);
  }

  const prices = result.model_price;
  const inPrice = unitPrice(prices['input_mtok'], inputTokens);
  const cachePrice = unitPrice(prices['cache_read_mtok'], inputTokens);
  const outPrice = unitPrice(prices['output_mtok'], inputTokens);
  const reasoningPrice = unitPrice(prices['output_reasoning_mtok'], inputTokens);
  const requestPrice = unitPrice(prices['requests_kcount'], inputTokens);
  const cachedPriced = cached > 0 && cachePrice !== undefined;
  const reasoningPriced = reasoning > 0 && reasoningPrice !== undefined;
  const parts: string[] = [];
  if (inPrice !== undefined) parts.push(`${formatCount(cachedPriced ? inputTokens - cached : inputTokens)} in × ${fmtPerM(inPrice)}`);
  if (cachedPriced) parts.push(`${formatCount(cached)} cached in × ${fmtPerM(cachePrice)}`);
  if (outPrice !== undefined) parts.push(`${formatCount(reasoningPriced ? outputTokens - reasoning : outputTokens)} out × ${fmtPerM(outPrice)}`);
  if (reasoningPriced) parts.push(`${formatCount(reasoning)} reasoning × ${fmtPerM(reasoningPrice)}`);
  if (requestPrice !== undefined) parts.push(`1 request × ${formatUnitPriceUsd(requestPrice)}/1000`);
  const tiered = Object.values(prices).some(isTiered) ? ', tiered by prompt size' : '';
  return {
    costUsd: result.total_price,
    costSource: 'catalog',
    detail:
      `${parts.join(' + ') || 'catalogue prices'} = ${formatUsd(result.total_price)} ` +
      `(genai-prices: ${result.provider.id} / ${result.model.id}${tiered}; bundled catalogue v${catalogueVersion})`,
    asOf: catalogueDate,
  };
}

/** One line describing where a backend's prices come from, for UI hovers. */
export function describePricing(backend: Backend): string {
  const pricing = backend.pricing;
  switch (pricing.type) {
    case 'catalog': {
      const modelId = pricing.modelId ?? backend.model;
      let found: PriceCalculation | null = null;
      try {
        found = lookUp(backend, pricing, { input_tokens: 0, output_tokens: 0 });
      } catch {
        found = null;
      }
      if (!found) {
        return `genai-prices catalogue: model "${modelId}" not in the price catalogue (v${catalogueVersion}); cost shown as unknown`;
      }
      return `genai-prices catalogue (${found.provider.id} / ${found.model.id}), data as of ${catalogueDate} (v${catalogueVersion})`;
    }
    case 'modelsEndpoint':
      return "price from the provider's own GET /models listing, read when the comparison runs";
    case 'perToken': {
      const extras = [
        pricing.cachedInputPerMTok !== undefined ? `${fmtPerM(pricing.cachedInputPerMTok)} cached in` : undefined,
        pricing.reasoningPerMTok !== undefined ? `${fmtPerM(pricing.reasoningPerMTok)} reasoning` : undefined,
        pricing.source,
        pricing.asOf ? `as of ${pricing.asOf}` : undefined,
      ].filter(Boolean);
      return `your prices: ${fmtPerM(pricing.inputPerMTok)} in, ${fmtPerM(pricing.outputPerMTok)} out` +
        (extras.length ? ` (${extras.join(', ')})` : '');
    }
    case 'gpuHour': {
      const extras = [pricing.source, pricing.asOf ? `as of ${pricing.asOf}` : undefined].filter(Boolean);
      return `GPU rental: ${formatUnitPriceUsd(pricing.usdPerHour)}/h × output tokens ÷ measured tokens/s` +
        (extras.length ? ` (${extras.join(', ')})` : '');
    }
    case 'free':
      return 'free: own hardware (electricity and hardware not counted)';
    case 'unknown':
      return 'unknown: no sourced price (set `pricing` in the backend configuration)';
  }
}

/** What {@link trialCost} decides from. */
export interface TrialCostInput {
  backend: Backend;
  status: TerminalStatus;
  /** The server sent a usage report. */
  usageReported: boolean;
  /** Some content or reasoning arrived. */
  producedOutput: boolean;
  metrics: Pick<Metrics, 'inputTokens' | 'outputTokens' | 'cachedInputTokens' | 'reasoningTokens' | 'tokensPerSecond'>;
  /** The provider's `/models` price, for `pricing.type === 'modelsEndpoint'` (looked up once per run). */
  modelsEndpointPrice?: ModelsEndpointPrice | null;
}

/** Whether a trial has a cost that prices can state: it was sent, and it ended ok, produced output or reported usage. */
export function isBillable(input: Pick<TrialCostInput, 'status' | 'usageReported' | 'producedOutput'>): boolean {
  if (input.status === 'not_sent') return false;
  return input.status === 'ok' || input.usageReported || input.producedOutput;
}

/**
 * The cost of one trial — the only place a trial's cost is decided. A trial that was not sent
 * costs nothing we can state; a failure that produced nothing and reported no usage has no cost
 * we can state either (pricing the estimated prompt would claim a charge the provider may never
 * make). Everything else is {@link computeCost} of its token counts.
 */
export function trialCost(input: TrialCostInput): Cost {
  if (input.status === 'not_sent') return unknown('Not sent: no request reached the provider.');
  if (!isBillable(input)) return unknown('No output and no usage report: whether the provider bills a failed request is not known.');
  const m = input.metrics;
  return computeCost({
    backend: input.backend,
    inputTokens: m.inputTokens,
    outputTokens: m.outputTokens,
    cachedInputTokens: m.cachedInputTokens,
    reasoningTokens: m.reasoningTokens,
    tokensPerSecond: m.tokensPerSecond,
    modelsEndpointPrice: input.modelsEndpointPrice ?? null,
  });
}
