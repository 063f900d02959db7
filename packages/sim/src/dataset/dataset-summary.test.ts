import { describe, it, expect } from 'vitest';
import { EventLogBuilder } from './event-log-builder.js';
import { datasetSummary } from './dataset-summary.js';

describe('datasetSummary', () => {
  it('counts events and distinct shopper–item pairs', () => {
    const builder = new EventLogBuilder();
    builder.add('a', 'x', 'view', 1);
    builder.add('a', 'x', 'cart', 2);
    builder.add('a', 'x', 'purchase', 3);
    builder.add('a', 'y', 'view', 4);
    builder.add('b', 'x', 'view', 5);
    builder.add('b', 'z', 'view', 6);
    expect(datasetSummary(builder.build('s'))).toEqual({ shoppers: 2, items: 3, events: 6, interactions: 4, density: 4 / 6 });
  });
});
