/**
 * What `@tensorflow/tfjs` resolves to inside the browser bundle: what the
 * umbrella package's own index does (tfjs-core, its gradients and chained
 * ops, the cpu and WebGL backends) minus tfjs-layers, -converter and -data,
 * which FedRec never uses and which would add about a third to the bundle.
 * (wasm registers itself when `selectBrowserBackend` imports it.)
 */
import '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
export * from '@tensorflow/tfjs-core';
