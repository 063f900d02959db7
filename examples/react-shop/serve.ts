/**
 * The React example on the demo shop's server, in one command:
 *
 *   npm run demo:react                     # http://127.0.0.1:8080/react/
 *   PORT=3000 npm run demo:react
 */
import { startReactShop } from './start-react-shop.js';
import { closeOnSignals } from '../web-shop/server/close-on-signals.js';

const port = process.env['PORT'] !== undefined ? Number(process.env['PORT']) : 8080;
const shop = await startReactShop({ port });
console.log(`FedRec React shop: ${shop.url}/react/  (the plain demo at ${shop.url}/)`);
console.log('Ctrl-C to stop.');

closeOnSignals(shop);
