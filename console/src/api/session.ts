// The API key lives in session storage only: gone when the tab closes, never in a cookie (no CSRF
// surface) and never in a URL, except the WebSocket handshake's `token` parameter the API requires.
const STORAGE_KEY = 'cronium.apiKey';

export const storedKey = (): string | undefined => sessionStorage.getItem(STORAGE_KEY) ?? undefined;
export const storeKey = (key: string): void => sessionStorage.setItem(STORAGE_KEY, key);
export const clearKey = (): void => sessionStorage.removeItem(STORAGE_KEY);
