/**
 * What `#tfjs-platform` is in a bundle (the `browser` condition of the
 * package's `imports` map): nothing. A bundle gets `@tensorflow/tfjs-core`
 * alone; `selectBrowserBackend` (in @fedrec/client/browser) imports the
 * backend it picks, and with WebGL tfjs's gradients too, which only the
 * autodiff path needs (cpu and wasm train in FedRec's fused kernels). A page
 * on wasm so never downloads cpu's or WebGL's kernels nor the gradients.
 * Node gets `tfjs-platform.node.ts`.
 */
export {};
