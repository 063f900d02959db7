import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../packages/cli/src/bin.ts', import.meta.url));

/**
 * `count` real `fedrec worker --cluster URL` processes (from the sources,
 * under --single-threaded-gc like `fedrec simulate`), started and waited for
 * until each has joined the workers group; `close` stops them with SIGTERM.
 */
export class ClusterWorkers {
  private constructor(private readonly children: readonly ChildProcess[]) {}

  static async start(count: number, url: string, prefix: string, backend: string): Promise<ClusterWorkers> {
    const children = Array.from({ length: count }, () =>
      spawn(process.execPath, ['--single-threaded-gc', '--conditions=source', '--import', 'tsx', BIN, 'worker', '--cluster', url, '--cluster-prefix', prefix, '--backend', backend, '--json'], {
        stdio: ['ignore', 'pipe', 'inherit'],
      }),
    );
    const workers = new ClusterWorkers(children);
    try {
      await Promise.all(children.map((child) => connected(child)));
    } catch (error) {
      await workers.close();
      throw error;
    }
    return workers;
  }

  async close(): Promise<void> {
    await Promise.all(
      this.children.map((child) =>
        child.exitCode !== null || child.signalCode !== null ? undefined : new Promise<void>((resolve) => (child.once('exit', () => resolve()), child.kill('SIGTERM'))),
      ),
    );
  }
}

function connected(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (line.startsWith('{"type":"connected"')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`fedrec worker exited with code ${code} before it connected`)));
  });
}
