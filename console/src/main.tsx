import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Console } from './Console';
import './styles.css';

const queries = new QueryClient({
  defaultOptions: {
    // An API error (4xx) will not change on retry; a network blip might.
    queries: { retry: (count, error) => count < 2 && !('status' in error && Number(error.status) >= 400), refetchOnWindowFocus: true },
  },
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queries}>
      <Console />
    </QueryClientProvider>
  </StrictMode>,
);
