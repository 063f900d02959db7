import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const FIXTURE = fileURLToPath(new URL('./fixtures/server-process.ts', import.meta.url));

export interface ServerLine {
  readonly event: string;
  readonly [field: string]: unknown;
}

/** A server running in a child process (see fixtures/server-process.ts), driven through its stdout lines. */
export class ServerProcess {
  private readonly lines: ServerLine[] = [];
  private readonly waiters: { match: (line: ServerLine) => boolean; resolve: (line: ServerLine) => void }[] = [];
  readonly exited: Promise<unknown>;
  /** What the process wrote to stderr (for failure messages). */
  stderr = '';

  private constructor(readonly child: ChildProcess) {
    this.exited = once(child, 'exit');
    child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    createInterface({ input: child.stdout! }).on('line', (text) => {
      let line: ServerLine;
      try {
        line = JSON.parse(text) as ServerLine;
      } catch {
        return; // not one of our report lines
      }
      this.lines.push(line);
      for (const waiter of [...this.waiters]) {
        if (!waiter.match(line)) continue;
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    });
  }

  /**
   * `config`: fields laid over the fixture's own config (top-level keys replace the fixture's).
   * `node`: extra Node flags (before the script) and environment variables for the child.
   */
  static start(
    modelDir: string,
    port: number,
    tokenSecret: string,
    config: Record<string, unknown> = {},
    node: { readonly flags?: readonly string[]; readonly env?: Readonly<Record<string, string>> } = {},
  ): ServerProcess {
    const flags = ['--conditions=source', '--import', 'tsx', ...(node.flags ?? [])];
    const child = spawn(process.execPath, [...flags, FIXTURE, modelDir, String(port), tokenSecret, JSON.stringify(config)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_ENV: 'test', ...node.env },
    });
    return new ServerProcess(child);
  }

  /** The first line (already seen or still to come) matching `match`. */
  next(match: (line: ServerLine) => boolean, timeoutMs = 30_000): Promise<ServerLine> {
    const seen = this.lines.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for a server line; stderr: ${this.stderr.slice(-2000)}`)), timeoutMs);
      this.waiters.push({
        match,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
    });
  }

  count(match: (line: ServerLine) => boolean): number {
    return this.lines.filter(match).length;
  }

  async kill(signal: NodeJS.Signals): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill(signal);
    await this.exited;
  }
}
