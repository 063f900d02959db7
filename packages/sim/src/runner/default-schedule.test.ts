import { describe, it, expect } from 'vitest';
import { defaultSchedule, noiseAwareSchedule } from './default-schedule.js';

describe('defaultSchedule', () => {
  it('takes 3% of the shoppers (at least 100) for ~10 participations each, 30 to 150 rounds', () => {
    expect(defaultSchedule(943)).toEqual({ samplingRate: 100 / 943, rounds: 95 });
    expect(defaultSchedule(22_363)).toEqual({ samplingRate: 671 / 22_363, rounds: 150 });
    expect(defaultSchedule(400)).toEqual({ samplingRate: 0.25, rounds: 40 });
    expect(defaultSchedule(50)).toEqual({ samplingRate: 1, rounds: 30 });
  });
});

describe('noiseAwareSchedule', () => {
  it('takes 4× the cohort in a quarter of the rounds', () => {
    expect(noiseAwareSchedule({ samplingRate: 0.03, rounds: 150 })).toEqual({ samplingRate: 0.12, rounds: 38 });
    expect(noiseAwareSchedule(defaultSchedule(943))).toEqual({ samplingRate: 400 / 943, rounds: 24 });
  });

  it('never samples more than everyone, nor runs fewer than 10 rounds', () => {
    expect(noiseAwareSchedule({ samplingRate: 0.25, rounds: 40 })).toEqual({ samplingRate: 1, rounds: 10 });
    expect(noiseAwareSchedule({ samplingRate: 1, rounds: 30 })).toEqual({ samplingRate: 1, rounds: 10 });
  });
});
