import type { EnrolResponse } from '@fedrec/core';
import { enrolResponseSchema } from '@fedrec/core';
import { RoundParticipantError } from './round-participant-error.js';

export interface EnrolOptions {
  /** Required when the server's enrolment is `key`. */
  readonly enrolmentKey?: string;
  /** Default: the global `fetch` (browsers, Node ≥ 18). */
  readonly fetch?: typeof fetch;
}

/**
 * Asks the server for a token (`POST /enrol`). The server picks the client id,
 * so a client cannot claim someone else's. Works in browsers and Node.
 *
 * @example
 * const { token } = await enrol('https://shop.example');
 * const client = createRoundParticipant({ url: 'https://shop.example', token, events, privacy });
 */
export async function enrol(baseUrl: string, options: EnrolOptions = {}): Promise<EnrolResponse> {
  const doFetch = options.fetch ?? globalThis.fetch;
  const headers: Record<string, string> = {};
  if (options.enrolmentKey !== undefined) headers.authorization = `Bearer ${options.enrolmentKey}`;
  const response = await doFetch(new URL('/enrol', baseUrl).toString(), { method: 'POST', headers });
  if (!response.ok) {
    throw new RoundParticipantError('TOKEN_UNAVAILABLE', `enrolment failed with HTTP ${response.status}`);
  }
  const parsed = enrolResponseSchema.safeParse(await response.json());
  if (!parsed.success) throw new RoundParticipantError('BAD_SERVER_MESSAGE', 'enrolment response is not valid');
  return parsed.data;
}
