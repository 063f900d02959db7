import { pino, type LevelWithSilent, type Logger } from 'pino';

/**
 * The server's structured logger (JSON lines on stdout). Quiet under test
 * runners (NODE_ENV=test, which vitest sets) unless a level is given, so test
 * output shows failures, not round chatter.
 */
export function createLogger(level?: LevelWithSilent): Logger {
  return pino({ name: 'fedrec-server', level: level ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info') });
}
