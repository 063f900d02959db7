import type { SimulationChoices } from './simulation-choices.js';

/**
 * A choice that cannot hold on this population (say, a cohort larger than
 * the participants). Names the choice, so that a front end can name its
 * own flag for it (the CLI: `--cohort`).
 */
export class SimulationChoiceError extends RangeError {
  readonly code = 'SIMULATION_CHOICE_OUT_OF_RANGE';

  constructor(
    readonly choice: keyof SimulationChoices,
    message: string,
  ) {
    super(message);
    this.name = 'SimulationChoiceError';
  }
}
