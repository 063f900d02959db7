export { FormatError, type FormatErrorCode } from './format-error.js';
export {
  FORMAT_VERSION,
  HEADER_BYTES,
  peekHeader,
  type TensorDtype,
  type TensorHeader,
  type TensorKind,
} from './tensor-header.js';
export { decodeModel, decodeUpdate, encodeModel, encodeUpdate, type DecodeOptions } from './tensor-file.js';
export { HOST_IS_LITTLE_ENDIAN } from './host-byte-order.js';
