import { type ComponentType, lazy } from 'react';

// Each page is its own chunk, so the first load carries only the shell and the page opened.
const page = <K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K) =>
  lazy(async () => ({ default: (await load())[name] }));

export interface ConsoleRoute {
  path: string;
  page: ComponentType;
}

export const routes: ConsoleRoute[] = [
  { path: '/jobs', page: page(() => import('./pages/Jobs'), 'JobsPage') },
  { path: '/jobs/:id', page: page(() => import('./pages/Job'), 'JobPage') },
  { path: '/events', page: page(() => import('./pages/Events'), 'EventsPage') },
  { path: '/events/new', page: page(() => import('./pages/EventEditor'), 'EventEditorPage') },
  { path: '/events/:id', page: page(() => import('./pages/EventEditor'), 'EventEditorPage') },
  { path: '/schedules', page: page(() => import('./pages/Schedules'), 'SchedulesPage') },
  { path: '/workflows', page: page(() => import('./pages/Workflows'), 'WorkflowsPage') },
  { path: '/workflows/new', page: page(() => import('./pages/WorkflowEditor'), 'WorkflowEditorPage') },
  { path: '/workflows/:id', page: page(() => import('./pages/WorkflowEditor'), 'WorkflowEditorPage') },
  { path: '/workflow-runs/:id', page: page(() => import('./pages/WorkflowRun'), 'WorkflowRunPage') },
  { path: '/servers', page: page(() => import('./pages/Servers'), 'ServersPage') },
  { path: '/variables', page: page(() => import('./pages/Variables'), 'VariablesPage') },
  { path: '/keys', page: page(() => import('./pages/Keys'), 'KeysPage') },
  { path: '/stats', page: page(() => import('./pages/Stats'), 'StatsPage') },
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
