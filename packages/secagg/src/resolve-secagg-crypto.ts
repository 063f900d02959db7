/**
 * The platform probe: which `SecAggCrypto` implementation this platform runs.
 * Kept apart from the interface (secagg-crypto.ts) because it imports all
 * three implementations, and they import the interface.
 */
import type { SecAggCrypto } from './secagg-crypto.js';
import { nodeSecAggCrypto } from './node-secagg-crypto.js';
import { nobleSecAggCrypto } from './noble-secagg-crypto.js';
import { webCryptoSecAggCrypto } from './web-crypto-secagg-crypto.js';

let resolved: Promise<SecAggCrypto> | undefined;

/**
 * The fastest implementation this platform supports, probed once against
 * fixed test vectors (a platform that "supports" a primitive must also get it
 * right): node:crypto, else WebCrypto (X25519 and AES-CTR separately, since
 * some browsers have only the latter), else noble.
 */
export function resolveSecAggCrypto(): Promise<SecAggCrypto> {
  resolved ??= probe();
  return resolved;
}

// RFC 7748 §6.1: Alice's secret key and public key.
const ALICE_SECRET = '77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a';
const ALICE_PUBLIC = '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a';
const fromHex = (hex: string): Uint8Array => Uint8Array.from(hex.match(/../g)!, (h) => parseInt(h, 16));
const toHex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

async function passesX25519(candidate: SecAggCrypto): Promise<boolean> {
  try {
    return toHex(await candidate.publicKey(fromHex(ALICE_SECRET))) === ALICE_PUBLIC;
  } catch {
    return false;
  }
}

async function passesAes(candidate: SecAggCrypto): Promise<boolean> {
  try {
    const seed = fromHex(ALICE_SECRET);
    const [words, reference] = await Promise.all([candidate.expandMask(seed, 40), nobleSecAggCrypto.expandMask(seed, 40)]);
    return words.every((w, i) => w === reference[i]);
  } catch {
    return false;
  }
}

async function probe(): Promise<SecAggCrypto> {
  const node = nodeSecAggCrypto();
  if (node !== undefined && (await passesX25519(node)) && (await passesAes(node))) return node;
  const subtle = globalThis.crypto?.subtle;
  if (subtle === undefined) return nobleSecAggCrypto;
  const web = webCryptoSecAggCrypto(subtle);
  const [x25519Native, aesNative] = await Promise.all([passesX25519(web), passesAes(web)]);
  if (x25519Native && aesNative) return web;
  const keys = x25519Native ? web : nobleSecAggCrypto;
  return {
    name: `${keys.name}-x25519+${(aesNative ? web : nobleSecAggCrypto).name}-aes`,
    generateKeyPair: keys.generateKeyPair,
    publicKey: keys.publicKey,
    agree: keys.agree,
    expandMask: (aesNative ? web : nobleSecAggCrypto).expandMask,
  };
}
