import cliProgress from 'cli-progress';
import type { RoundReport } from '@fedrec/sim';

export interface RoundProgress {
  update(report: RoundReport, line: string): void;
  stop(): void;
}

/**
 * On a terminal, a progress bar (round, ETA, latest HR@10, ε spent);
 * elsewhere (CI logs, pipes) one line per round.
 */
export function createRoundProgress(rounds: number, log: (line: string) => void, stream: NodeJS.WriteStream = process.stderr): RoundProgress {
  if (!stream.isTTY) return { update: (_report, line) => log(line), stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: 'round {value}/{total} [{bar}] {percentage}% | ETA {eta_formatted} | HR@10 {hr} | ε {epsilon}',
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(rounds, 0, { hr: '-', epsilon: '-' });
  let hr = '-';
  return {
    update: (report) => {
      if (report.evaluation) hr = report.evaluation.hr.toFixed(4);
      bar.update(report.round, { hr, epsilon: Number.isFinite(report.epsilon) ? report.epsilon.toFixed(3) : '∞' });
    },
    stop: () => bar.stop(),
  };
}
