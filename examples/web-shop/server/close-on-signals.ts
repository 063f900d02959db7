/**
 * Ctrl-C or SIGTERM closes what a serve script started, once, and exits 0
 * (1, with the error, if closing fails). Shared by the demo's serve scripts.
 */
export function closeOnSignals(running: { close(): Promise<void> }): void {
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
