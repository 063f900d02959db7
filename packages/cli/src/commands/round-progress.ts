import cliProgress from 'cli-progress';
import type { ClusterProgress, RoundReport } from '@fedrec/sim';

export interface RoundProgress {
  update(report: RoundReport, line: string): void;
  /** A cluster run's state within a round: workers connected, chunks in flight. */
  cluster(state: ClusterProgress): void;
  stop(): void;
}

/**
 * On a terminal, a progress bar (round, ETA, latest HR@10, ε spent; in a
 * cluster run also workers connected and chunks in flight); elsewhere (CI
 * logs, pipes) one line per round, and in a cluster run a line for each
 * second a round waits on its workers.
 */
export function createRoundProgress(rounds: number, log: (line: string) => void, stream: NodeJS.WriteStream = process.stderr): RoundProgress {
  if (!stream.isTTY) {
    return {
      update: (_report, line) => log(line),
      cluster: (state) => {
        // The report at a round's end says nothing the round line does not.
        if (state.done < state.chunks) log(`cluster: ${state.workers} worker${state.workers === 1 ? '' : 's'} connected, ${state.done}/${state.chunks} chunks summed, ${state.inFlight} in flight`);
      },
      stop: () => {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: 'round {value}/{total} [{bar}] {percentage}% | ETA {eta_formatted} | HR@10 {hr} | ε {epsilon}{cluster}',
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(rounds, 0, { hr: '-', epsilon: '-', cluster: '' });
  let hr = '-';
  return {
    update: (report) => {
      if (report.evaluation) hr = report.evaluation.hr.toFixed(4);
      bar.update(report.round, { hr, epsilon: Number.isFinite(report.epsilon) ? report.epsilon.toFixed(3) : '∞' });
    },
    cluster: (state) => bar.update({ cluster: ` | ${state.workers} workers, ${state.inFlight} chunks in flight` }),
    stop: () => bar.stop(),
  };
}
