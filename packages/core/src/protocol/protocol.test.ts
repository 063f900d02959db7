import { describe, expect, it } from 'vitest';
import { MessageKind, ProtocolEvent, RoundOutcome } from './message-kind.js';
import { toBytes } from './binary-payload.js';
import { parseHandshakeAuth, parseMessage } from './parse-message.js';
import { PROTOCOL_VERSION } from './protocol-version.js';
import { RejectReason, isRejectReasonCode, rejectReasonForFormatError, rejectReasonName } from './reject-reason.js';

describe('wire constants are pinned', () => {
  // These numbers are the protocol: changing one silently breaks every deployed peer.
  it('protocol version', () => expect(PROTOCOL_VERSION).toBe(1));

  it('message kinds', () => {
    expect(MessageKind).toEqual({ ready: 1, welcome: 2, roundStart: 3, update: 4, updateAccepted: 5, rejected: 6, roundClosed: 7, secAggServer: 8, secAggClient: 9, decline: 10 });
  });

  it('rejection reasons', () => {
    expect(RejectReason).toEqual({
      MALFORMED: 1,
      WRONG_SHAPE: 2,
      NON_FINITE: 3,
      TOO_LARGE: 4,
      STALE_ROUND: 5,
      DUPLICATE: 6,
      NOT_IN_COHORT: 7,
      BAD_TOKEN: 8,
      UNSUPPORTED_VERSION: 9,
      TOO_MANY_STRIKES: 10,
      INTERNAL: 11,
      SECAGG_REFUSED: 12,
      WRONG_AGGREGATION: 13,
      NORM_TOO_LARGE: 14,
      SLOW_CONSUMER: 15,
    });
  });

  it('round outcomes and event names', () => {
    expect(RoundOutcome).toEqual({ applied: 1, abandoned: 2 });
    expect(Object.values(ProtocolEvent).every((name) => name.startsWith('fedrec:'))).toBe(true);
    expect(new Set(Object.values(ProtocolEvent)).size).toBe(Object.keys(MessageKind).length);
  });

  it('reason names map both ways, and unknown codes are recognised as unknown', () => {
    expect(rejectReasonName(5)).toBe('STALE_ROUND');
    expect(rejectReasonName(999)).toBeUndefined();
    expect(isRejectReasonCode(11)).toBe(true);
    expect(isRejectReasonCode(0)).toBe(false);
    expect(isRejectReasonCode('1')).toBe(false);
  });

  it('format errors map to reasons', () => {
    expect(rejectReasonForFormatError('SHAPE_MISMATCH')).toBe('WRONG_SHAPE');
    expect(rejectReasonForFormatError('NON_FINITE')).toBe('NON_FINITE');
    expect(rejectReasonForFormatError('TOO_LARGE')).toBe('TOO_LARGE');
    expect(rejectReasonForFormatError('UNSUPPORTED_FORMAT_VERSION')).toBe('UNSUPPORTED_VERSION');
    expect(rejectReasonForFormatError('CHECKSUM_MISMATCH')).toBe('MALFORMED');
  });
});

describe('parseMessage', () => {
  const update = { v: 1, kind: MessageKind.update, roundId: 3 };

  it('accepts valid metadata', () => {
    expect(parseMessage('update', update)).toEqual({ ok: true, value: update });
    expect(parseMessage('update', { ...update, exampleCount: 4 })).toMatchObject({ ok: true });
    expect(parseMessage('ready', { v: 1, kind: MessageKind.ready, eligible: false })).toMatchObject({ ok: true });
  });

  it('checks the version before anything else', () => {
    expect(parseMessage('update', { v: 2, kind: 99, junk: true })).toMatchObject({ ok: false, reason: 'UNSUPPORTED_VERSION' });
  });

  it('refuses the wrong kind, missing or extra fields, and non-objects', () => {
    for (const raw of [
      { ...update, kind: MessageKind.ready },
      { v: 1, kind: MessageKind.update },
      { ...update, roundId: -1 },
      { ...update, roundId: 1.5 },
      { ...update, exampleCount: 0 },
      { ...update, userId: 'extra' },
      null,
      'update',
      [update],
      undefined,
    ]) {
      expect(parseMessage('update', raw)).toMatchObject({ ok: false, reason: 'MALFORMED' });
    }
  });

  it('never echoes the offending value in its message', () => {
    const result = parseMessage('update', { ...update, roundId: 'secret-payload-value' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).not.toContain('secret-payload-value');
  });

  it('server-to-client messages tolerate added fields', () => {
    const closed = { v: 1, kind: MessageKind.roundClosed, roundId: 1, outcome: 1, modelVersion: 2, accepted: 3, futureField: 'x' };
    expect(parseMessage('roundClosed', closed)).toMatchObject({ ok: true });
  });

  it('a decline carries a round and one of the known reasons, nothing else', () => {
    const decline = { v: 1, kind: MessageKind.decline, roundId: 4, reason: 'no-privacy' };
    expect(parseMessage('decline', decline)).toEqual({ ok: true, value: decline });
    for (const raw of [{ ...decline, reason: 'tired' }, { ...decline, reason: undefined }, { ...decline, history: [1, 2] }, { ...decline, kind: MessageKind.update }]) {
      expect(parseMessage('decline', raw)).toMatchObject({ ok: false, reason: 'MALFORMED' });
    }
  });

  it('validates the handshake', () => {
    expect(parseHandshakeAuth({ token: 't', protocolVersion: 1 })).toMatchObject({ ok: true });
    expect(parseHandshakeAuth({ token: 't', protocolVersion: 7 })).toMatchObject({ ok: false, reason: 'UNSUPPORTED_VERSION' });
    expect(parseHandshakeAuth({ token: '', protocolVersion: 1 })).toMatchObject({ ok: false, reason: 'MALFORMED' });
    expect(parseHandshakeAuth(undefined)).toMatchObject({ ok: false, reason: 'MALFORMED' });
  });
});

describe('toBytes', () => {
  it('takes Uint8Arrays, ArrayBuffers and other views without copying', () => {
    const bytes = new Uint8Array([1, 2, 3, 4]);
    expect(toBytes(bytes)).toBe(bytes);
    expect(Array.from(toBytes(bytes.buffer)!)).toEqual([1, 2, 3, 4]);
    const view = new DataView(bytes.buffer, 1, 2);
    expect(Array.from(toBytes(view)!)).toEqual([2, 3]);
  });

  it('refuses anything that is not binary, such as JSON number arrays', () => {
    for (const raw of [[1, 2, 3], '0102', 12, null, undefined, { 0: 1, length: 1 }]) expect(toBytes(raw)).toBeUndefined();
  });
});
