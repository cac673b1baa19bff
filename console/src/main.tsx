import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Console } from './Console';
import { preloadPage } from './routes';
import './styles.css';

const queries = new QueryClient({
  defaultOptions: {
    // An API error (4xx) will not change on retry; a network blip might.
    queries: { retry: (count, error) => count < 2 && !('status' in error && Number(error.status) >= 400), refetchOnWindowFocus: true },
  },
});

const render = () =>
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <QueryClientProvider client={queries}>
        <Console />
      </QueryClientProvider>
    </StrictMode>,
  );

// The page the URL opens is fetched before the first render, so it renders at once (routes.ts).
const path = `/${location.hash.replace(/^#?\/?/, '').split('?')[0] ?? ''}`;
void preloadPage(path)
  .catch(() => undefined) // the router loads it again and shows what went wrong
  .then(() => render());
