export { createToolActions } from './createToolActions';
export type { ToolActionsOptions, ToolNetwork } from './createToolActions';
export { createToolLauncher, isToolRef, TOOL_REF_PREFIX } from './createToolLauncher';
export type { ToolLauncher, ToolLauncherOptions } from './createToolLauncher';
export { SignatureHeaders, signWebhook } from './signature';
export { ToolConfigError, ToolDeliveryError } from './errors';
export type { SmtpSettings } from './sendEmail';
