import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '@fontsource-variable/inter';
import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import '../styles/theme.css';
import './ide.css';
import { IdePage } from './IdePage.js';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <IdePage />
  </StrictMode>,
);
