import { describe, expect, it } from 'vitest';
import { TypedEmitter } from './typed-emitter.js';

class Emitter extends TypedEmitter<{ tick: number; error: Error }> {
  fire<K extends 'tick' | 'error'>(event: K, payload: K extends 'tick' ? number : Error): void {
    this.emit(event, payload as never);
  }
}

describe('TypedEmitter', () => {
  it('delivers to on() listeners until off(), and to once() listeners once', () => {
    const emitter = new Emitter();
    const seen: number[] = [];
    const listener = (n: number): void => void seen.push(n);
    emitter.on('tick', listener);
    emitter.once('tick', (n) => seen.push(n * 10));
    emitter.fire('tick', 1);
    emitter.fire('tick', 2);
    emitter.off('tick', listener);
    emitter.fire('tick', 3);
    expect(seen).toEqual([1, 10, 2]);
  });

  it('does not throw when an error has no listener', () => {
    expect(() => new Emitter().fire('error', new Error('x'))).not.toThrow();
  });
});
