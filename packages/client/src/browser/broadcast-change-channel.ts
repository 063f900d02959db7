import type { ChangeChannel } from '../coordination/store-change.js';
import { parseStoreChange } from '../coordination/store-change.js';

/**
 * The change channel over BroadcastChannel: each endpoint is its own
 * channel object, so a message reaches every other endpoint of the origin
 * (other tabs, and other clients in this tab) but not its sender. Malformed
 * messages are dropped. Undefined where BroadcastChannel is missing.
 */
export function broadcastChangeChannel(name: string): ChangeChannel | undefined {
  if (typeof globalThis.BroadcastChannel !== 'function') return undefined;
  return {
    open(listener) {
      const channel = new BroadcastChannel(name);
      channel.onmessage = (message: MessageEvent<unknown>) => {
        const change = parseStoreChange(message.data);
        if (change !== null) listener(change);
      };
      return {
        post: (change) => channel.postMessage(change),
        close: () => channel.close(),
      };
    },
  };
}
