/**
 * Runs tasks one at a time in call order. The shopper client puts every
 * change to its state through one queue, so that e.g. a `track()` issued
 * just before `forget()` cannot write its event after the history was wiped.
 */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T> | T): Promise<T> {
    const result = this.#tail.then(task, task);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
