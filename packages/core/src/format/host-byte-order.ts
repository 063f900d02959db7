/**
 * Whether this host stores multi-byte numbers little-endian, as the wire does
 * (every browser and Node platform in practice). Where it does, typed-array
 * memory already is wire order and conversions are plain byte copies; the
 * DataView paths beside each use keep big-endian hosts correct.
 */
export const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
