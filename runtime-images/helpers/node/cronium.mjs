// ESM entry of the Cronium runtime helpers: `import cronium from 'cronium'` and
// `import { input, output } from 'cronium'`. The implementation is cronium.js (CommonJS).
import cronium from './cronium.js';

export const { input, output, getVariable, setVariable, context, condition, CroniumError, VARIABLE_KEY, MAX_OUTPUT_BYTES, MAX_OUT_BYTES } =
  cronium;

export default cronium;
