import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import type { ThroughputChildMessage } from './throughput-child.js';

/**
 * `count` processes, each running the 1-thread throughput run
 * (throughput-child.ts) warm, started together on every `measure()`: their
 * summed rate is what `count` threads of this machine deliver for this work
 * when nothing at all is shared between them.
 */
export class IndependentCopies {
  private constructor(private readonly children: readonly ChildProcess[]) {}

  static async start(count: number, argv: readonly string[]): Promise<IndependentCopies> {
    const entry = new URL('./throughput-child.ts', import.meta.url);
    // fork() passes on this process's --conditions=source --import tsx.
    const children = Array.from({ length: count }, () => fork(entry, [...argv], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }));
    const copies = new IndependentCopies(children);
    try {
      await Promise.all(children.map((child) => nextMessage(child)));
    } catch (error) {
      copies.close();
      throw error;
    }
    return copies;
  }

  /** One run in every copy at once; the sum of their updates/s. */
  async measure(): Promise<number> {
    const replies = this.children.map((child) => nextMessage(child));
    for (const child of this.children) child.send('go');
    const rates = await Promise.all(replies);
    return rates.reduce((total, m) => total + (m.type === 'rate' ? m.updatesPerSecond : 0), 0);
  }

  close(): void {
    for (const child of this.children) if (child.connected) child.send('exit');
  }
}

function nextMessage(child: ChildProcess): Promise<ThroughputChildMessage> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`throughput child exited with code ${code} before answering`));
    child.once('exit', onExit);
    child.once('message', (m: ThroughputChildMessage) => {
      child.off('exit', onExit);
      resolve(m);
    });
  });
}
