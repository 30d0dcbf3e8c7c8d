// Progress on stderr: a redrawn bar on a terminal, a line every few seconds otherwise (CI logs stay short).
import type { CliIo } from './cli-command.js';

import type { ProgressEvent, ProgressListener } from '../data/progress-event.js';

export type { ProgressEvent, ProgressListener };

const BAR_WIDTH = 28;
const PLAIN_INTERVAL_MS = 2000;
const TTY_INTERVAL_MS = 80;

function formatCount(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}

function formatSeconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms / 1000)}s`;
}

/** A listener that renders progress of successive stages; call `finish()` to close the last line. */
export function createProgressReporter(io: Pick<CliIo, 'stderr' | 'env'>): ProgressListener & { finish(): void } {
  const isTty = Boolean(io.stderr.isTTY) && !io.env['CI'];
  const isQuiet = io.env['RINGFENCE_QUIET'] === '1';
  let stage: string | null = null;
  let stageStart = 0;
  let lastDraw = 0;
  let lastEvent: ProgressEvent | null = null;
  let lineOpen = false;

  const render = (event: ProgressEvent, elapsedMs: number) => {
    const rate = elapsedMs > 0 ? (event.done / elapsedMs) * 1000 : 0;
    const unit = event.unit ? ` ${event.unit}` : '';
    const detail = event.detail ? `  ${event.detail}` : '';
    if (event.total && event.total > 0) {
      const fraction = Math.min(1, event.done / event.total);
      const filled = Math.round(fraction * BAR_WIDTH);
      const bar = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`;
      return `${event.stage.padEnd(14)} ${bar} ${formatCount(event.done)}/${formatCount(event.total)}${unit} ${formatSeconds(elapsedMs)} (${formatCount(rate)}${unit}/s)${detail}`;
    }
    return `${event.stage.padEnd(14)} ${formatCount(event.done)}${unit} ${formatSeconds(elapsedMs)} (${formatCount(rate)}${unit}/s)${detail}`;
  };

  let lastDrawnEvent: ProgressEvent | null = null;
  const closeStage = () => {
    if (stage === null || !lastEvent || (!isTty && lastDrawnEvent === lastEvent)) return;
    const line = render(lastEvent, Date.now() - stageStart);
    if (isTty) io.stderr.write(`\r\x1b[2K${line}\n`);
    else if (lineOpen || Date.now() - stageStart > 1000) io.stderr.write(`${line}\n`);
    lineOpen = false;
  };

  const listener = (event: ProgressEvent) => {
    if (isQuiet) return;
    const now = Date.now();
    if (event.stage !== stage) {
      closeStage();
      stage = event.stage;
      stageStart = now;
      lastDraw = 0;
    }
    lastEvent = event;
    const interval = isTty ? TTY_INTERVAL_MS : PLAIN_INTERVAL_MS;
    if (now - lastDraw < interval) return;
    // plain output: skip the very first draw so sub-second stages stay silent
    if (!isTty && lastDraw === 0) {
      lastDraw = now;
      return;
    }
    lastDraw = now;
    const line = render(event, now - stageStart);
    lastDrawnEvent = event;
    if (isTty) io.stderr.write(`\r\x1b[2K${line}`);
    else io.stderr.write(`${line}\n`);
    lineOpen = true;
  };
  return Object.assign(listener, {
    finish() {
      if (!isQuiet) closeStage();
      stage = null;
      lastEvent = null;
    },
  });
}
