import { describe, expect, it } from 'vitest';
import { parseStoreChange } from './store-change.js';

describe('parseStoreChange', () => {
  it('accepts the four kinds with their fields, and only those fields', () => {
    expect(parseStoreChange({ kind: 'consent', generation: 2, consent: 'local', extra: 'dropped' })).toEqual({ kind: 'consent', generation: 2, consent: 'local', noticeVersion: null });
    expect(parseStoreChange({ kind: 'consent', generation: 2, consent: 'contribute', noticeVersion: '0123456789abcdef' })).toEqual({
      kind: 'consent',
      generation: 2,
      consent: 'contribute',
      noticeVersion: '0123456789abcdef',
    });
    expect(parseStoreChange({ kind: 'forgotten', generation: 3 })).toEqual({ kind: 'forgotten', generation: 3 });
    expect(parseStoreChange({ kind: 'history', generation: 0, events: 12 })).toEqual({ kind: 'history', generation: 0, events: 12 });
    expect(parseStoreChange({ kind: 'privacy', generation: 1 })).toEqual({ kind: 'privacy', generation: 1 });
  });

  it('drops anything else another script could post', () => {
    for (const junk of [null, 'forgotten', [], { kind: 'forgotten' }, { kind: 'forgotten', generation: -1 }, { kind: 'forgotten', generation: 1.5 }, { kind: 'consent', generation: 1, consent: 'everything' }, { kind: 'history', generation: 1 }, { kind: 'reset', generation: 1 }]) {
      expect(parseStoreChange(junk)).toBeNull();
    }
  });
});
