/**
 * Number formatting and the per-column metric cells (value, source badge, hover formula).
 * Pure; no DOM.
 */
import { connectionLabel, describePhases, formatCount, formatMs, formatRate, formatUsd, raisedStreamFlags, streamFlagLabels, streamFlagNotes, unknownMark } from '../core/format';
import { costBadgeOf as summaryCostBadge } from '../core/summary';
import type { CostView, MetricsView, TrialFinal } from '../shared/protocol';

export { formatCount, formatMs, formatRate, formatRatio, formatUsd } from '../core/format';

const dash = unknownMark;

export type MetricId = 'ttft' | 'total' | 'tps' | 'input' | 'output' | 'cost';

/** How a number was obtained, shown as the metric's badge; the last two mark the stream's shape. */
export type MetricBadge = 'measured' | 'reported' | 'estimated' | 'free' | 'unknown' | 'not-sent' | 'partial' | 'buffered' | 'first-byte-empty';

/** A second badge on a metric: something about the stream that qualifies the number. */
export interface MetricFlag {
  kind: Extract<MetricBadge, 'buffered' | 'first-byte-empty'>;
  text: string;
  title: string;
}

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
  /** Badges after the main one (stream honesty flags), if any. */
  flags?: MetricFlag[];
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

/** Six cells without values, all with the same badge and a title per metric. */
function emptyCells(badgeKind: MetricBadge, badge: string, title: (label: string) => string): MetricCell[] {
  return metricOrder.map((id) => ({
    id,
    label: metricLabels[id],
    value: null,
    display: dash,
    source: 'unknown',
    badgeKind,
    badge,
    title: title(metricLabels[id]),
  }));
}

/** Empty cells for a trial that has not ended yet. */
export function pendingMetricCells(): MetricCell[] {
  return emptyCells('unknown', '', (label) => `${label}: available when the stream ends`);
}

function tokenNote(metrics: MetricsView): string {
  return metrics.tokenSource === 'reported'
    ? 'Token counts reported by the server (usage).'
    : 'Token counts estimated with a tokenizer (the server sent no usage).';
}

/**
 * The cost badge (one rule, `costBadgeOf` in core/summary.ts): `unknown` without a price, `free`
 * for own hardware, `estimated` when the token counts were estimated or the price is per
 * GPU-hour (it depends on measured throughput); else `reported`.
 */
export function costBadgeOf(final: TrialFinal): MetricBadge {
  return summaryCostBadge(final.cost, final.metrics.tokenSource);
}

/** The six cells of a trial whose request was never sent: nothing measured, nothing estimated. */
function notSentCells(): MetricCell[] {
  return emptyCells('not-sent', 'not sent', (label) => `${label}: not measured — the request was never sent.`);
}

/**
 * The six metric cells of a finished trial. A trial cancelled mid-stream keeps what it
 * measured, badged *partial*.
 */
export function metricCells(final: TrialFinal): MetricCell[] {
  if (final.status === 'not_sent') return notSentCells();
  const cells = measuredCells(final);
  if (final.status !== 'cancelled') return cells;
  return cells.map((cell) =>
    cell.value === null ? cell : { ...cell, badgeKind: 'partial', badge: 'partial', title: `${cell.title} Partial: the trial was cancelled before it ended.` },
  );
}

const flagKinds = { buffered: 'buffered', firstByteWithoutContent: 'first-byte-empty' } as const;

/** The stream flags raised for a trial, as badges; `only` keeps those that concern the metric. */
function flagBadges(final: TrialFinal, only?: ReadonlyArray<keyof typeof flagKinds>): MetricFlag[] {
  return raisedStreamFlags(final.streamFlags)
    .filter((flag) => !only || only.includes(flag))
    .map((flag) => ({ kind: flagKinds[flag], text: streamFlagLabels[flag], title: `${streamFlagLabels[flag]}: ${streamFlagNotes[flag]}.` }));
}

/** The hover lines of the timing breakdown (core phases, formatted in core/format.ts). */
function timingNote(final: TrialFinal): string {
  const phases = describePhases(final.phases);
  if (!phases) return '';
  const connection = connectionLabel(final.connection, final.phases?.connectionReused);
  return `\nWhere the time went: ${phases}.\n${connection.charAt(0).toUpperCase()}${connection.slice(1)}.`;
}

function withFlags(cell: MetricCell, flags: MetricFlag[]): MetricCell {
  if (!flags.length) return cell;
  return { ...cell, flags, title: `${cell.title}\n${flags.map((f) => f.title).join('\n')}` };
}

function measuredCells(final: TrialFinal): MetricCell[] {
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
        : `Time to first token = first content chunk − request sent = ${formatMs(metrics.ttftMs)}. Measured here; includes network, queueing and prompt processing.${timingNote(final)}`,
  };

  const total: MetricCell = {
    id: 'total',
    label: metricLabels.total,
    value: metrics.totalMs,
    display: formatMs(metrics.totalMs),
    source: metrics.totalMs === null ? 'unknown' : 'measured',
    badgeKind: metrics.totalMs === null ? 'unknown' : 'measured',
    badge: metrics.totalMs === null ? 'unknown' : 'measured',
    title:
      metrics.totalMs === null
        ? `Total time: not measured — the answer stream never began${final.wallMs !== null ? ` (the request failed after ${formatMs(final.wallMs)})` : ''}.`
        : `Total time = end of stream − request sent = ${formatMs(metrics.totalMs)}. Measured here${final.retries ? `; 429 waits excluded (wall time ${formatMs(final.wallMs)})` : ''}.`,
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

  return [withFlags(ttft, flagBadges(final)), total, withFlags(tps, flagBadges(final, ['buffered'])), input, output, costCell];
}

/**
 * The TTFT cell of a trial still streaming, filled the moment the host reports the first
 * token (the figure is the core's measurement, the final result carries the same).
 */
export function liveTtftCell(ttftMs: number): MetricCell {
  return {
    id: 'ttft',
    label: metricLabels.ttft,
    value: ttftMs,
    display: formatMs(ttftMs),
    source: 'measured',
    badgeKind: 'measured',
    badge: 'measured',
    title: `Time to first token = first content chunk − request sent = ${formatMs(ttftMs)}. Measured here, while the answer streams.`,
  };
}

/** Accessible name of a metric cell: label, value, badges and the hover's formula. */
export function metricAriaLabel(cell: MetricCell): string {
  if (cell.badge === '') return cell.title;
  if (cell.display === dash) return `${cell.label}: ${cell.badgeKind === 'not-sent' ? 'not sent' : 'unknown'}. ${cell.title}`;
  const badges = [cell.badge, ...(cell.flags ?? []).map((f) => f.text)].join(', ');
  return `${cell.label}: ${cell.display.replace(/^≈/, 'about ')} (${badges}). ${cell.title}`;
}
