'use strict';
/**
 * Cronium runtime helpers for Node.js scripts.
 *
 * `require('cronium')` and `import cronium from 'cronium'` work in every Cronium job: the
 * package sits in a `node_modules/` above the script. The helpers read and write JSON files in
 * the job's workspace (its path is in CRONIUM_WORKSPACE): `in/` is written by the runner before
 * the script starts (read only), `out/` is read back after it ends. No network and no token are
 * needed, so they work the same in a container and over SSH. Node 18+ built-ins only.
 *
 *   const cronium = require('cronium');
 *   const data = cronium.input();                     // the run's input (null when none)
 *   const seen = cronium.getVariable('seen') ?? 0;
 *   cronium.setVariable('seen', seen + 1);
 *   cronium.output({ ok: true });
 *   cronium.condition(true);
 *
 * Every function is synchronous; every error is a CroniumError whose message names the
 * function. Documentation: docs/helpers/node.md.
 */

const fs = require('node:fs');
const path = require('node:path');

/** Keys a script may set (the same rule the control plane applies). */
const VARIABLE_KEY = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;
/** Most bytes `out/output.json` may hold. */
const MAX_OUTPUT_BYTES = 256 * 1024;
/** Most bytes `out/` may hold in all. */
const MAX_OUT_BYTES = 1024 * 1024;

const OUT_FILES = ['output.json', 'condition.json', 'variables.json'];

/** A helper could not do what it was asked; the message says which one and why. */
class CroniumError extends Error {
  constructor(message) {
    super(message);
    this.name = 'CroniumError';
  }
}

const workspace = () => {
  const dir = process.env.CRONIUM_WORKSPACE;
  if (!dir) throw new CroniumError('cronium: CRONIUM_WORKSPACE is not set (is this script running under Cronium?)');
  return dir;
};

const readJson = (fn, rel, { required = true, missing = null } = {}) => {
  const dir = workspace();
  let text;
  try {
    text = fs.readFileSync(path.join(dir, rel), 'utf8');
  } catch (err) {
    if (err && err.code === 'ENOENT') {
      if (!required) return missing;
      throw new CroniumError(`cronium.${fn}: ${rel} does not exist in the workspace (${dir})`);
    }
    throw new CroniumError(`cronium.${fn}: cannot read ${rel}: ${err && err.message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CroniumError(`cronium.${fn}: ${rel} is not valid JSON: ${err.message}`);
  }
};

const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);

const readObject = (fn, rel) => {
  const value = readJson(fn, rel, { required: false, missing: {} });
  if (!isObject(value)) throw new CroniumError(`cronium.${fn}: ${rel} does not hold a JSON object`);
  return value;
};

/** Compact JSON text of `value`, or a CroniumError that says why it has none. */
const toJson = (fn, value) => {
  let text;
  let kind;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    const message = err && err.message ? err.message : String(err);
    if (/BigInt/i.test(message)) kind = 'BigInt';
    else if (/circular/i.test(message)) kind = 'circular reference';
    else if (err instanceof RangeError) kind = 'nested too deeply';
    else kind = message;
  }
  if (text === undefined && kind === undefined) kind = typeof value; // undefined, a function, a symbol
  if (kind !== undefined) throw new CroniumError(`cronium.${fn}: value is not JSON-serialisable: ${kind}`);
  return text;
};

const size = (file) => {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
};

let counter = 0;

/** Writes `text` and a newline to `out/<name>` atomically (temporary file, then rename). */
const write = (fn, name, text) => {
  const out = path.join(workspace(), 'out');
  const data = Buffer.from(`${text}\n`, 'utf8');
  if (name === 'output.json' && data.length > MAX_OUTPUT_BYTES) {
    throw new CroniumError(`cronium.${fn}: the output is ${data.length} bytes as JSON; the limit is ${MAX_OUTPUT_BYTES} (256 KiB)`);
  }
  const total = OUT_FILES.filter((f) => f !== name).reduce((sum, f) => sum + size(path.join(out, f)), data.length);
  if (total > MAX_OUT_BYTES) {
    throw new CroniumError(`cronium.${fn}: out/ would hold ${total} bytes; the limit is ${MAX_OUT_BYTES} (1 MiB)`);
  }
  let isDir = false;
  try {
    isDir = fs.statSync(out).isDirectory();
  } catch {
    // reported below
  }
  if (!isDir) throw new CroniumError(`cronium.${fn}: the workspace has no out/ directory (${out})`);
  const tmp = path.join(out, `.${name}.${process.pid}.${Date.now()}.${counter++}.tmp`);
  try {
    fs.writeFileSync(tmp, data, { flag: 'wx' });
    fs.renameSync(tmp, path.join(out, name));
  } catch (err) {
    try {
      fs.unlinkSync(tmp);
    } catch {
      // it was never created, or is gone already
    }
    throw new CroniumError(`cronium.${fn}: cannot write out/${name}: ${err && err.message}`);
  }
};

const checkKey = (fn, key) => {
  if (typeof key !== 'string' || !VARIABLE_KEY.test(key)) {
    throw new CroniumError(`cronium.${fn}: invalid variable key ${show(key)}: it must match ^[A-Za-z_][A-Za-z0-9_.-]{0,127}$`);
  }
};

const has = (o, k) => Object.prototype.hasOwnProperty.call(o, k);

/** `value` for an error message, whatever it is. */
const show = (value) => {
  try {
    return typeof value === 'string' ? JSON.stringify(value) : String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
};

/** The run's input: the parsed JSON of `in/input.json` (null when the run has none). */
function input() {
  return readJson('input', 'in/input.json');
}

/**
 * What the script may know about its run (`in/context.json`): jobId, tenant, eventId,
 * eventName, attempt, workflowRunId, workflowStep, scheduledAt.
 */
function context() {
  const value = readJson('context', 'in/context.json');
  if (!isObject(value)) throw new CroniumError('cronium.context: in/context.json does not hold a JSON object');
  return value;
}

/** Sets the run's output (any JSON-serialisable value) in `out/output.json`. */
function output(value) {
  write('output', 'output.json', toJson('output', value));
}

/**
 * A variable's value: what this run set (`out/variables.json`) or else what it started with
 * (`in/variables.json`); null when it is set in neither.
 */
function getVariable(key) {
  checkKey('getVariable', key);
  const own = readObject('getVariable', 'out/variables.json');
  if (has(own, key)) return own[key];
  const start = readObject('getVariable', 'in/variables.json');
  return has(start, key) ? start[key] : null;
}

/**
 * Sets a variable (any JSON-serialisable value): merged into `out/variables.json`, which the
 * control plane stores when the run ends.
 */
function setVariable(key, value) {
  checkKey('setVariable', key);
  const json = toJson('setVariable', value);
  const merged = readObject('setVariable', 'out/variables.json');
  // The value as it will be stored (toJSON applied); defined, not assigned, so that even a
  // key such as "__proto__" becomes an ordinary entry.
  Object.defineProperty(merged, key, { value: JSON.parse(json), enumerable: true, writable: true, configurable: true });
  write('setVariable', 'variables.json', toJson('setVariable', merged));
}

/** Sets the run's condition (true or false), which workflow edges can branch on. */
function condition(value) {
  if (typeof value !== 'boolean') {
    throw new CroniumError(`cronium.condition: expected true or false, got ${typeof value}: ${show(value)}`);
  }
  write('condition', 'condition.json', value ? 'true' : 'false');
}

module.exports = {
  input,
  output,
  getVariable,
  setVariable,
  context,
  condition,
  CroniumError,
  VARIABLE_KEY,
  MAX_OUTPUT_BYTES,
  MAX_OUT_BYTES,
};
