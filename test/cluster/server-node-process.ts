import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const FIXTURE = fileURLToPath(new URL('./fixtures/server-node.ts', import.meta.url));

export interface NodeLine {
  readonly event: string;
  readonly [field: string]: unknown;
}

/** One cluster node (`fixtures/server-node.ts`) in a child process, driven through the JSON lines it prints. */
export class ServerNodeProcess {
  readonly lines: NodeLine[] = [];
  private readonly waiters: { match: (line: NodeLine) => boolean; resolve: (line: NodeLine) => void }[] = [];
  readonly exited: Promise<unknown>;
  stderr = '';
  /** Everything it printed on stdout, log lines included (for failure messages). */
  output = '';
  /** `http://127.0.0.1:<port>`, once listening. */
  url = '';
  /** Its id in the cluster (`server.status().cluster.nodeId`), once listening. */
  nodeId = '';

  private constructor(readonly child: ChildProcess) {
    this.exited = once(child, 'exit');
    child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    createInterface({ input: child.stdout! }).on('line', (text) => {
      this.output += `${text}\n`;
      let line: NodeLine;
      try {
        line = JSON.parse(text) as NodeLine;
      } catch {
        return;
      }
      if (typeof line.event !== 'string') return; // a log line
      this.lines.push(line);
      for (const waiter of [...this.waiters]) {
        if (!waiter.match(line)) continue;
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    });
  }

  /** Starts a node with `config` (createServer's options, as JSON) and waits until it listens. */
  static async start(config: Record<string, unknown>): Promise<ServerNodeProcess> {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', FIXTURE, JSON.stringify(config)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_ENV: 'test' },
    });
    const node = new ServerNodeProcess(child);
    const listening = await node.next((line) => line.event === 'listening', 90_000);
    node.url = String(listening.url);
    node.nodeId = String(listening.nodeId);
    return node;
  }

  /** The first line (already seen or still to come) matching `match`. */
  next(match: (line: NodeLine) => boolean, timeoutMs = 60_000): Promise<NodeLine> {
    const seen = this.lines.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for a node line; stderr: ${this.stderr.slice(-2000)}`)), timeoutMs);
      this.waiters.push({
        match,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
    });
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async kill(signal: NodeJS.Signals): Promise<void> {
    if (!this.running) return;
    this.child.kill(signal);
    await this.exited;
  }
}
