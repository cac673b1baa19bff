export { createLauncherRouter, NoLauncherError } from './createLauncherRouter';
