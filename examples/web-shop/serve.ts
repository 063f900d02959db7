/**
 * The demo shop with a real aggregation server, in one command:
 *
 *   npx tsx examples/web-shop/serve.ts            # http://127.0.0.1:8080
 *   PORT=3000 npx tsx examples/web-shop/serve.ts
 */
import { startDemo } from './server/start-demo.js';
import { closeOnSignals } from './server/close-on-signals.js';

const port = process.env['PORT'] !== undefined ? Number(process.env['PORT']) : 8080;
const demo = await startDemo({ port });
const kib = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;
console.log(`client bundle: ${kib(demo.assets.client.bytes)} (${kib(demo.assets.client.gzipBytes)} gzipped); page script: ${kib(demo.assets.appBytes)}`);
console.log(`FedRec web shop: ${demo.url}  (aggregation server behind it: ${demo.fedrec.address!.url})`);
console.log('Ctrl-C to stop.');

closeOnSignals(demo);
