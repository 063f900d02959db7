import { describe, it } from 'vitest';
import { STORE_CONTRACT } from '../test-support/store-contract.js';
import { createMemoryStore } from './memory-store.js';

describe('createMemoryStore: the ShopperStore contract', () => {
  for (const contract of STORE_CONTRACT) {
    it(contract.name, () => contract.run({ persistent: false, open: async (_name, options) => createMemoryStore(options) }));
  }
});
