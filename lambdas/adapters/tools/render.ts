import Mustache from 'mustache';
import type { JsonTemplate } from '../../core';

// Templates come from tenants: no cache that grows with every distinct template.
Mustache.templateCache = undefined;

/** JSON strings are not HTML: values go in as they are. */
const verbatim = (value: unknown) => String(value);

/**
 * Renders a Mustache template with `data`: logic-less (sections, inverted sections, dotted names),
 * no HTML escaping, no partials. `data` is JSON (a job's fields), so no function in it can run.
 */
export const renderText = (template: string, data: Record<string, unknown>): string =>
  Mustache.render(template, data, {}, { escape: verbatim });

/** Renders every string of a JSON template; keys and other values stay as they are. */
export const renderJson = (template: JsonTemplate, data: Record<string, unknown>): unknown => {
  if (typeof template === 'string') return renderText(template, data);
  if (Array.isArray(template)) return template.map((t) => renderJson(t, data));
  if (template !== null && typeof template === 'object') {
    return Object.fromEntries(Object.entries(template).map(([k, v]) => [k, renderJson(v, data)]));
  }
  return template;
};
