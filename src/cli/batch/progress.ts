import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number, decisions: Record<string, number>): void;
  stop(): void;
}

const decisionsText = (decisions: Record<string, number>) =>
  Object.entries(decisions)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || '-';

/**
 * A progress bar on a terminal (done / total, rate, ETA, decisions so far); elsewhere a plain line every
 * `everyMs`, so a log or CI keeps a readable trace.
 */
export function createProgress(
  total: number,
  stream: NodeJS.WriteStream = process.stderr,
  everyMs = 5_000,
): Progress {
  const started = Date.now();
  const rate = (done: number) => {
    const s = (Date.now() - started) / 1000;
    return s > 0 ? done / s : 0;
  };
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: '{bar} {value}/{total} rows | {rowsPerSecond} rows/s | ETA {eta_formatted} | {decisions}',
        etaBuffer: 50,
        hideCursor: true,
        clearOnComplete: false,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { rowsPerSecond: '0.0', decisions: '-' });
    return {
      update: (done, decisions) =>
        bar.update(done, { rowsPerSecond: rate(done).toFixed(1), decisions: decisionsText(decisions) }),
      stop: () => bar.stop(),
    };
  }
  let last = started;
  let latest = { done: 0, decisions: {} as Record<string, number> };
  const line = () =>
    stream.write(
      `progress: ${latest.done}/${total} rows, ${rate(latest.done).toFixed(1)} rows/s, decisions: ${decisionsText(latest.decisions)}\n`,
    );
  return {
    update: (done, decisions) => {
      latest = { done, decisions };
      if (Date.now() - last >= everyMs) {
        last = Date.now();
        line();
      }
    },
    stop: () => line(),
  };
}
