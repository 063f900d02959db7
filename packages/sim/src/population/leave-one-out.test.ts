import { describe, it, expect } from 'vitest';
import { leaveOneOut } from './leave-one-out.js';
import type { ShoppingEvent } from '@fedrec/core';

const e = (item: number, time: number, type: ShoppingEvent['type'] = 'view'): ShoppingEvent => ({ item, time, type });

describe('leaveOneOut', () => {
  it('holds out the latest item and removes all of its events from training', () => {
    const split = leaveOneOut([e(1, 1), e(2, 2), e(3, 3), e(3, 4, 'cart'), e(2, 5, 'purchase')]);
    expect(split?.heldOut).toBe(3);
    expect(split?.train.map((x) => x.item)).toEqual([1, 2, 2]);
  });

  it('needs two distinct items', () => {
    expect(leaveOneOut([e(1, 1), e(1, 2, 'cart')])).toBeUndefined();
    expect(leaveOneOut([])).toBeUndefined();
  });

  it('breaks time ties by recording order', () => {
    expect(leaveOneOut([e(4, 7), e(9, 7)])?.heldOut).toBe(9);
  });
});
