/**
 * Waits for `promise` to settle (resolve or reject) for at most `ms`
 * milliseconds. Resolves true if it settled in time, false otherwise; never
 * rejects, and leaves no timer behind.
 *
 * @example
 * if (!(await settlesWithin(coordinator.stop(), 5_000))) logger.error('the checkpoint is late');
 */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  if (ms <= 0) return false;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true, () => true), late]);
  } finally {
    clearTimeout(timer);
  }
}
