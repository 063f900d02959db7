import { describe, it, expect } from 'vitest';
import { RDP_ORDER_PRESETS, isRdpOrderPresetName, resolveRdpOrders, validateRdpOrders } from './rdp-orders.js';

describe('RDP order presets', () => {
  it('opacus: 1.1 … 10.9 by 0.1, then 12 … 63', () => {
    const orders = RDP_ORDER_PRESETS.opacus;
    expect(orders).toHaveLength(99 + 52);
    expect(orders.slice(0, 3)).toEqual([1.1, 1.2, 1.3]);
    expect(orders[98]).toBe(10.9);
    expect(orders[99]).toBe(12);
    expect(orders.at(-1)).toBe(63);
  });

  it('tf: quarter and half steps, 5 … 63, then 128, 256, 512', () => {
    const orders = RDP_ORDER_PRESETS.tf;
    expect(orders.slice(0, 11)).toEqual([1.25, 1.5, 1.75, 2, 2.25, 2.5, 3, 3.5, 4, 4.5, 5]);
    expect(orders.slice(-4)).toEqual([63, 128, 256, 512]);
    expect(orders).toHaveLength(10 + 59 + 3);
  });

  it('dp-accounting: 1.1 … 10.9, 11 … 63, then powers of two to 1024', () => {
    const orders = RDP_ORDER_PRESETS['dp-accounting'];
    expect(orders).toHaveLength(99 + 53 + 4);
    expect(orders[99]).toBe(11);
    expect(orders.slice(-5)).toEqual([63, 128, 256, 512, 1024]);
  });

  it('are frozen and strictly increasing', () => {
    for (const orders of Object.values(RDP_ORDER_PRESETS)) {
      expect(Object.isFrozen(orders)).toBe(true);
      for (let k = 1; k < orders.length; k++) expect(orders[k] as number).toBeGreaterThan(orders[k - 1] as number);
    }
    expect(Object.isFrozen(RDP_ORDER_PRESETS)).toBe(true);
  });
});

describe('resolveRdpOrders', () => {
  it('defaults to dp-accounting and resolves names', () => {
    expect(resolveRdpOrders()).toBe(RDP_ORDER_PRESETS['dp-accounting']);
    expect(resolveRdpOrders('tf')).toBe(RDP_ORDER_PRESETS.tf);
    expect(isRdpOrderPresetName('opacus')).toBe(true);
    expect(isRdpOrderPresetName('toString')).toBe(false);
  });

  it('accepts a custom list and rejects bad ones', () => {
    expect(resolveRdpOrders([2, 1.5, 32])).toEqual([2, 1.5, 32]);
    expect(() => resolveRdpOrders('moments' as 'tf')).toThrow(
      new RangeError('expected an order preset (opacus, tf, dp-accounting, integer), got "moments"'),
    );
    expect(() => validateRdpOrders([])).toThrow(RangeError);
    expect(() => validateRdpOrders([2, 1])).toThrow(new RangeError('expected orders[1] to be finite and > 1, got 1'));
    expect(() => validateRdpOrders([2, Infinity])).toThrow(RangeError);
    expect(() => validateRdpOrders([2, NaN])).toThrow(RangeError);
    expect(() => validateRdpOrders([2, '3'])).toThrow(new TypeError('expected orders[1] to be a number, got string'));
  });
});
