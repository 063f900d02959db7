import { describe, it, expect } from 'vitest';
import { pkcs8X25519, x25519PublicFromSpki, x25519SecretFromPkcs8 } from './secagg-crypto-checks.js';

const fromHex = (h: string): Uint8Array => Uint8Array.from(h.match(/../g)!, (pair) => parseInt(pair, 16));
// RFC 7748 §6.1: Alice's keys.
const ALICE_SECRET = fromHex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
const ALICE_PUBLIC = fromHex('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a');
const PKCS8_PREFIX = '302e020100300506032b656e04220420';
const SPKI_PREFIX = '302a300506032b656e032100';
const concat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]));

describe('X25519 DER framing (RFC 8410)', () => {
  it('wraps and unwraps a raw key, returning a copy', () => {
    const der = pkcs8X25519(ALICE_SECRET);
    expect(der).toEqual(concat(fromHex(PKCS8_PREFIX), ALICE_SECRET));
    const secret = x25519SecretFromPkcs8(der);
    expect(secret).toEqual(ALICE_SECRET);
    der[20] = der[20]! ^ 1;
    expect(secret).toEqual(ALICE_SECRET);
    expect(x25519PublicFromSpki(concat(fromHex(SPKI_PREFIX), ALICE_PUBLIC))).toEqual(ALICE_PUBLIC);
  });

  it('refuses anything but the exact prefix and length, rather than reading 32 bytes from the end', () => {
    const ed25519Spki = concat(fromHex('302a300506032b6570032100'), ALICE_PUBLIC); // OID 1.3.101.112
    const spki = concat(fromHex(SPKI_PREFIX), ALICE_PUBLIC);
    const pkcs8 = pkcs8X25519(ALICE_SECRET);
    // PKCS#8 v2 (RFC 8410 §7 with the public key attached) ends with the public key, not the secret.
    const pkcs8V2 = concat(fromHex('3051020101300506032b656e04220420'), ALICE_SECRET, fromHex('812100'), ALICE_PUBLIC);
    expect(() => x25519PublicFromSpki(ed25519Spki)).toThrow(RangeError);
    expect(() => x25519PublicFromSpki(spki.subarray(0, 43))).toThrow(RangeError);
    expect(() => x25519PublicFromSpki(concat(spki, Uint8Array.of(0)))).toThrow(RangeError);
    expect(() => x25519PublicFromSpki(pkcs8)).toThrow(RangeError);
    expect(() => x25519SecretFromPkcs8(pkcs8V2)).toThrow(RangeError);
    expect(() => x25519SecretFromPkcs8(spki)).toThrow(RangeError);
    expect(() => x25519SecretFromPkcs8('key' as unknown as Uint8Array)).toThrow(TypeError);
  });

  it('never puts key bytes into the error message', () => {
    const wrong = concat(fromHex('302a300506032b6570032100'), ALICE_PUBLIC);
    expect(() => x25519PublicFromSpki(wrong)).toThrow(/^expected an X25519 SubjectPublicKeyInfo: 44 DER bytes for OID 1\.3\.101\.110$/);
  });
});
