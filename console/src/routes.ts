import { type ComponentType, createElement, lazy, useState } from 'react';

export interface ConsoleRoute {
  path: string;
  page: ComponentType;
  /** Fetches the page's chunk; once it has come, the page renders without suspending. */
  preload(): Promise<void>;
}

/**
 * A route whose page is its own chunk, so the first load carries only the shell and the page opened.
 * A page already loaded renders directly, not through `lazy`: suspending would show the fallback,
 * and React 19 holds a fallback's replacement back for 300 ms (its Suspense throttle), which on the
 * first load cost more than the page's whole download.
 */
const route = <K extends string>(path: string, load: () => Promise<Record<K, ComponentType>>, name: K): ConsoleRoute => {
  let loaded: ComponentType | undefined;
  const preload = async () => {
    loaded ??= (await load())[name];
  };
  const Lazy = lazy(async () => {
    await preload();
    return { default: loaded! };
  });
  const page = (props: object) => {
    // Chosen once per mount: switching from Lazy to the loaded page later would remount it.
    const [Component] = useState<ComponentType>(() => loaded ?? Lazy);
    return createElement(Component, props);
  };
  return { path, page, preload };
};

export const routes: ConsoleRoute[] = [
  route('/jobs', () => import('./pages/Jobs'), 'JobsPage'),
  route('/jobs/:id', () => import('./pages/Job'), 'JobPage'),
  route('/events', () => import('./pages/Events'), 'EventsPage'),
  route('/events/new', () => import('./pages/EventEditor'), 'EventEditorPage'),
  route('/events/:id', () => import('./pages/EventEditor'), 'EventEditorPage'),
  route('/schedules', () => import('./pages/Schedules'), 'SchedulesPage'),
  route('/workflows', () => import('./pages/Workflows'), 'WorkflowsPage'),
  route('/workflows/new', () => import('./pages/WorkflowEditor'), 'WorkflowEditorPage'),
  route('/workflows/:id', () => import('./pages/WorkflowEditor'), 'WorkflowEditorPage'),
  route('/workflow-runs/:id', () => import('./pages/WorkflowRun'), 'WorkflowRunPage'),
  route('/servers', () => import('./pages/Servers'), 'ServersPage'),
  route('/variables', () => import('./pages/Variables'), 'VariablesPage'),
  route('/keys', () => import('./pages/Keys'), 'KeysPage'),
  route('/stats', () => import('./pages/Stats'), 'StatsPage'),
];

/** The navigation, in order. */
export const nav: { href: string; label: string }[] = [
  { href: '/jobs', label: 'Jobs' },
  { href: '/events', label: 'Events' },
  { href: '/schedules', label: 'Schedules' },
  { href: '/workflows', label: 'Workflows' },
  { href: '/servers', label: 'Servers' },
  { href: '/variables', label: 'Variables' },
  { href: '/keys', label: 'API keys' },
  { href: '/stats', label: 'Stats' },
];

const matches = (pattern: string, path: string): boolean => {
  const want = pattern.split('/');
  const got = path.split('/');
  return want.length === got.length && want.every((part, i) => part.startsWith(':') || part === got[i]);
};

/** Fetches the chunk of the page a hash path (`/jobs/ID`) opens; `/` opens the jobs list. */
export const preloadPage = async (path: string): Promise<void> => {
  const target = path === '/' ? '/jobs' : path;
  // `/events/new` before `/events/:id`: the first match wins, as in the router's Switch.
  await routes.find((r) => matches(r.path, target))?.preload();
};
