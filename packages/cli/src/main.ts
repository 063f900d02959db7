export { main, buildProgram } from './program.js';
export { UsageError } from './usage-error.js';
