import { join } from 'node:path';
import { startDemo, type DemoOptions, type RunningDemo } from '../web-shop/server/start-demo.js';
import { REACT_ASSET_DIR, REACT_SHOP_ROOT, buildReactShop } from './build.js';

/**
 * The React page on the demo shop's server: the same aggregation server,
 * catalogue, client bundle and wasm files, with the React page at `/react/`.
 *
 * @example
 * const shop = await startReactShop({ port: 0 });
 * console.log(`open ${shop.url}/react/`);
 */
export async function startReactShop(options: Omit<DemoOptions, 'extraRoutes'> = {}): Promise<RunningDemo> {
  await buildReactShop();
  return startDemo({
    ...options,
    extraRoutes: {
      '/react/': join(REACT_SHOP_ROOT, 'public/index.html'),
      '/react/app.js': join(REACT_ASSET_DIR, 'app.js'),
      '/react/app.js.map': join(REACT_ASSET_DIR, 'app.js.map'),
    },
  });
}
