import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = fileURLToPath(new URL('../../packages/cli/src/bin.ts', import.meta.url));
/** The CLI from its sources; --single-threaded-gc given here, so that it runs in this child rather than relaunching itself. */
export const NODE_FLAGS = ['--single-threaded-gc', '--conditions=source', '--import', 'tsx'];

export interface WorkerEvent {
  readonly type: string;
  readonly [field: string]: unknown;
}

/** A `fedrec worker --json` child process, and the events it has printed. */
export class WorkerProcess {
  readonly events: WorkerEvent[] = [];
  readonly exited: Promise<unknown>;
  stderr = '';
  /** Its consumer name in the workers group, once connected. */
  name = '';

  private constructor(readonly child: ChildProcess) {
    this.exited = once(child, 'exit');
    child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    createInterface({ input: child.stdout! }).on('line', (text) => {
      try {
        this.events.push(JSON.parse(text) as WorkerEvent);
      } catch {
        // not an event line
      }
    });
  }

  /** Starts a worker and waits until it has joined the group. */
  static async start(url: string, prefix: string, extra: readonly string[] = []): Promise<WorkerProcess> {
    const child = spawn(process.execPath, [...NODE_FLAGS, BIN, 'worker', '--cluster', url, '--cluster-prefix', prefix, '--backend', 'cpu', '--json', ...extra], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FORCE_COLOR: '0' },
    });
    const worker = new WorkerProcess(child);
    worker.name = String((await worker.next('connected')).worker);
    return worker;
  }

  /** The first event of this type, already printed or still to come (polled: events are few). */
  async next(type: string, timeoutMs = 60_000): Promise<WorkerEvent> {
    for (const started = Date.now(); Date.now() - started < timeoutMs; await new Promise((r) => setTimeout(r, 10))) {
      const event = this.events.find((e) => e.type === type);
      if (event) return event;
      if (this.child.exitCode !== null || this.child.signalCode !== null) break;
    }
    throw new Error(`worker printed no '${type}' event; stderr: ${this.stderr.slice(-2000)}`);
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGTERM (finish the chunk in hand, leave the group) and wait for the exit code. */
  async stop(): Promise<number | null> {
    if (this.running) {
      this.child.kill('SIGCONT');
      this.child.kill('SIGTERM');
      await this.exited;
    }
    return this.child.exitCode;
  }
}
