/**
 * Number formatting and the per-column metric cells (value, source badge, hover formula).
 * Pure; no DOM.
 */
import type { CostView, MetricsView, TrialFinal } from '../shared/protocol';

const dash = '—';

/** `412 ms`, `1.24 s`, `73.5 s`, `2m 05s`. */
export function formatMs(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return dash;
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${(ms / 1_000).toFixed(2)} s`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1_000);
  return `${minutes}m ${String(seconds).padStart(2, '0')}s`;
}

const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumSignificantDigits: 3 });

/** `$0.000423`, `$0.0123`, `$1.23`; `$0` for free. */
export function formatUsd(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return dash;
  if (value === 0) return '$0';
  return usd.format(value);
}

/** `1,234` tokens. */
export function formatCount(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return dash;
  return Math.round(value).toLocaleString('en-US');
}

/** `182.9` tokens per second. */
export function formatRate(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return dash;
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

/** `2.40×`; `—` when unknown. */
export function formatRatio(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return dash;
  return `${value >= 100 ? value.toFixed(0) : value.toFixed(2)}×`;
}

export type MetricId = 'ttft' | 'total' | 'tps' | 'input' | 'output' | 'cost';

/** How a number was obtained, shown as the metric's badge. */
export type MetricBadge = 'measured' | 'reported' | 'estimated' | 'unknown';

/** Where a number comes from (the `data-source` attribute of a metric; for cost, the price source). */
export type MetricSource =
  | 'measured'
  | 'reported'
  | 'estimated'
  | 'unknown'
  | CostView['costSource'];

/** Everything needed to render one metric cell. */
export interface MetricCell {
  id: MetricId;
  label: string;
  /** Raw number (ms / tokens / tokens per s / USD) or null when unknown. */
  value: number | null;
  /** Formatted value, `≈` prefixed for estimates. */
  display: string;
  source: MetricSource;
  /** How the value was obtained; the badge's style. */
  badgeKind: MetricBadge;
  /** Badge text: `badgeKind`, or empty while the trial runs. */
  badge: string;
  /** Hover text: the formula with the numbers, and for cost the price source and date. */
  title: string;
}

export const metricOrder: readonly MetricId[] = ['ttft', 'total', 'tps', 'input', 'output', 'cost'];

const metricLabels: Record<MetricId, string> = {
  ttft: 'TTFT',
  total: 'Total',
  tps: 'Tok/s',
  input: 'In',
  output: 'Out',
  cost: 'Cost',
};

const costSourceNames: Record<CostView['costSource'], string> = {
  catalog: 'genai-prices catalogue',
  modelsEndpoint: "the provider's /models listing",
  override: 'your per-token prices (settings)',
  gpuHour: 'GPU rental price per hour × busy time',
  free: 'own hardware (no marginal cost)',
  unknown: 'no price known',
};

/** Empty cells for a trial that has not ended yet. */
export function pendingMetricCells(): MetricCell[] {
  return metricOrder.map((id) => ({
    id,
    label: metricLabels[id],
    value: null,
    display: dash,
    source: 'unknown',
    badgeKind: 'unknown',
    badge: '',
    title: `${metricLabels[id]}: available when the stream ends`,
  }));
}

function tokenNote(metrics: MetricsView): string {
  return metrics.tokenSource === 'reported'
    ? 'Token counts reported by the server (usage).'
    : 'Token counts estimated with a tokenizer (the server sent no usage).';
}

/**
 * The cost badge: `unknown` without a price; `estimated` when the token counts were estimated or
 * the price is per GPU-hour (it depends on measured throughput); else `reported`.
 */
export function costBadgeOf(final: TrialFinal): MetricBadge {
  if (final.cost.costUsd === null) return 'unknown';
  if (final.metrics.tokenSource === 'estimated' || final.cost.costSource === 'gpuHour') return 'estimated';
  return 'reported';
}

/** The six metric cells of a finished trial. */
export function metricCells(final: TrialFinal): MetricCell[] {
  const { metrics, cost } = final;
  const estimated = metrics.tokenSource === 'estimated';
  const approx = (text: string, value: number | null): string => (estimated && value !== null ? `≈${text}` : text);
  const tokenSource = (value: number | null): MetricSource => (value === null || metrics.tokenSource === null ? 'unknown' : metrics.tokenSource);
  const tokenBadge = (value: number | null): MetricBadge => (value === null || metrics.tokenSource === null ? 'unknown' : metrics.tokenSource);

  const ttft: MetricCell = {
    id: 'ttft',
    label: metricLabels.ttft,
    value: metrics.ttftMs,
    display: formatMs(metrics.ttftMs),
    source: metrics.ttftMs === null ? 'unknown' : 'measured',
    badgeKind: metrics.ttftMs === null ? 'unknown' : 'measured',
    badge: metrics.ttftMs === null ? 'unknown' : 'measured',
    title:
      metrics.ttftMs === null
        ? 'Time to first token: no content arrived.'
        : `Time to first token = first content chunk − request sent = ${formatMs(metrics.ttftMs)}. Measured here; includes network, queueing and prompt processing.`,
  };

  const total: MetricCell = {
    id: 'total',
    label: metricLabels.total,
    value: metrics.totalMs,
    display: formatMs(metrics.totalMs),
    source: 'measured',
    badgeKind: 'measured',
    badge: 'measured',
    title: `Total time = end of stream − request sent = ${formatMs(metrics.totalMs)}. Measured here.`,
  };

  const generationMs = metrics.ttftMs === null || metrics.totalMs === null ? null : metrics.totalMs - metrics.ttftMs;
  const tps: MetricCell = {
    id: 'tps',
    label: metricLabels.tps,
    value: metrics.tokensPerSecond,
    display: approx(formatRate(metrics.tokensPerSecond), metrics.tokensPerSecond),
    source: tokenSource(metrics.tokensPerSecond),
    badgeKind: tokenBadge(metrics.tokensPerSecond),
    badge: tokenBadge(metrics.tokensPerSecond),
    title:
      metrics.tokensPerSecond === null
        ? 'Tokens per second = output tokens ÷ (end − first token); unknown with fewer than 2 output tokens.'
        : `Tokens per second = output tokens ÷ (end − first token) = ${formatCount(metrics.outputTokens)} ÷ ${formatMs(generationMs)} = ${formatRate(metrics.tokensPerSecond)} tok/s. ${tokenNote(metrics)}`,
  };

  const cached = metrics.cachedInputTokens ? ` (${formatCount(metrics.cachedInputTokens)} cached)` : '';
  const input: MetricCell = {
    id: 'input',
    label: metricLabels.input,
    value: metrics.inputTokens,
    display: approx(formatCount(metrics.inputTokens), metrics.inputTokens),
    source: tokenSource(metrics.inputTokens),
    badgeKind: tokenBadge(metrics.inputTokens),
    badge: tokenBadge(metrics.inputTokens),
    title:
      metrics.inputTokens === null
        ? 'Input tokens: unknown.'
        : `Input (prompt) tokens: ${formatCount(metrics.inputTokens)}${cached}. ${tokenNote(metrics)}`,
  };

  const reasoning = metrics.reasoningTokens ? ` (incl. ${formatCount(metrics.reasoningTokens)} reasoning)` : '';
  const output: MetricCell = {
    id: 'output',
    label: metricLabels.output,
    value: metrics.outputTokens,
    display: approx(formatCount(metrics.outputTokens), metrics.outputTokens),
    source: tokenSource(metrics.outputTokens),
    badgeKind: tokenBadge(metrics.outputTokens),
    badge: tokenBadge(metrics.outputTokens),
    title:
      metrics.outputTokens === null
        ? 'Output tokens: unknown.'
        : `Output tokens: ${formatCount(metrics.outputTokens)}${reasoning}. ${tokenNote(metrics)}`,
  };

  const known = cost.costUsd !== null;
  const costSource: MetricSource = known ? cost.costSource : 'unknown';
  const costBadge = costBadgeOf(final);
  const asOf = cost.asOf ? `, prices as of ${cost.asOf}` : '';
  const why =
    cost.costSource === 'free'
      ? 'Own hardware: no cost per token.'
      : cost.costSource === 'gpuHour'
        ? 'Estimated: GPU-hour pricing depends on the throughput measured here.'
        : costBadge === 'reported'
          ? 'Reported: computed from the token counts the server reported.'
          : 'Estimated: computed from estimated token counts.';
  const costCell: MetricCell = {
    id: 'cost',
    label: metricLabels.cost,
    value: cost.costUsd,
    display: costBadge === 'estimated' && cost.costUsd !== 0 ? `≈${formatUsd(cost.costUsd)}` : formatUsd(cost.costUsd),
    source: costSource,
    badgeKind: costBadge,
    badge: costBadge,
    title: known
      ? `Cost = ${cost.detail || formatUsd(cost.costUsd)}. Price source: ${costSourceNames[cost.costSource]}${asOf}. ${why}`
      : `Cost unknown (never guessed): ${cost.detail || 'no price configured for this backend'}${asOf}. Set a price in the backend's "pricing" setting.`,
  };

  return [ttft, total, tps, input, output, costCell];
}

/** Accessible name of a metric cell: label, value, badge and the hover's formula. */
export function metricAriaLabel(cell: MetricCell): string {
  if (cell.badge === '') return cell.title;
  if (cell.display === dash) return `${cell.label}: unknown. ${cell.title}`;
  return `${cell.label}: ${cell.display.replace(/^≈/, 'about ')} (${cell.badge}). ${cell.title}`;
}
