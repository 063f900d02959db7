import { describe, expect, it } from 'vitest';
import { packBinaryFields, unpackBinaryFields } from './binary-fields.js';
import { secAggClientMessageSchema } from './messages.js';
import { MessageKind } from './message-kind.js';
import { PROTOCOL_VERSION } from './protocol-version.js';

describe('binary fields in one attachment', () => {
  const message = {
    roundId: 3,
    stage: 1,
    sender: 2,
    shares: [
      { receiver: 1, ciphertext: Uint8Array.from([1, 2, 3]) },
      { receiver: 4, ciphertext: Uint8Array.from([4, 5]) },
    ],
    key: new Uint8Array(0),
  };

  it('unpack(pack(x)) equals x, with one blob holding every byte', () => {
    const { json, blob } = packBinaryFields(message);
    expect(blob).toEqual(Uint8Array.from([1, 2, 3, 4, 5]));
    expect(JSON.parse(JSON.stringify(json))).toEqual(json); // plain JSON besides the blob
    expect(unpackBinaryFields(json, blob)).toEqual(message);
  });

  it('copies bytes out, so the result does not alias the blob', () => {
    const { json, blob } = packBinaryFields(message);
    const out = unpackBinaryFields(json, blob) as typeof message;
    blob.fill(0);
    expect(out.shares[0]!.ciphertext).toEqual(Uint8Array.from([1, 2, 3]));
  });

  it('refuses placeholders outside the blob, malformed placeholders and deep nesting, naming the path', () => {
    expect(() => unpackBinaryFields({ a: { $bytes: [2, 4] } }, new Uint8Array(5))).toThrow(/message\.a/);
    expect(() => unpackBinaryFields({ a: { $bytes: [-1, 1] } }, new Uint8Array(5))).toThrow(RangeError);
    expect(() => unpackBinaryFields({ a: { $bytes: [0, 1], more: 1 } }, new Uint8Array(5))).toThrow(/placeholder/);
    expect(() => unpackBinaryFields({ a: { $bytes: '0,1' } }, new Uint8Array(5))).toThrow(/placeholder/);
    let deep: unknown = 1;
    for (let i = 0; i < 10; i++) deep = { deep };
    expect(() => unpackBinaryFields(deep, new Uint8Array(0))).toThrow(/nested/);
  });

  it('the client envelope is strict and keeps the message a plain record', () => {
    const envelope = { v: PROTOCOL_VERSION, kind: MessageKind.secAggClient, roundId: 3, message: packBinaryFields(message).json };
    expect(secAggClientMessageSchema.safeParse(envelope).success).toBe(true);
    expect(secAggClientMessageSchema.safeParse({ ...envelope, extra: 1 }).success).toBe(false);
    expect(secAggClientMessageSchema.safeParse({ ...envelope, message: [1] }).success).toBe(false);
  });
});
