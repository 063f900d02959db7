/**
 * What `#tfjs-platform` is in Node (every condition but `browser` in the
 * package's `imports` map): the `@tensorflow/tfjs` umbrella, for tfjs's
 * gradients (the autodiff path: tfjs-node, or `fused: false`), its chained
 * ops and the cpu backend, as before the browser bundle moved to
 * `@tensorflow/tfjs-core`. tfjs-core ships its gradient registrations only as
 * ES modules with extensionless relative imports, which Node cannot load;
 * the umbrella's Node build has them inline (and tfjs-node loads it anyway).
 * Bundlers get `tfjs-platform.browser.ts` instead.
 */
import '@tensorflow/tfjs';
