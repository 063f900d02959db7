import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Shop } from './shop.js';

const root = document.getElementById('root');
if (root === null) throw new Error('the page has no #root element');
createRoot(root).render(
  <StrictMode>
    <Shop />
  </StrictMode>,
);
