import type { PolicyDocument } from 'aws-lambda';

/** The outcome of evaluating an authorizer's policy for one method ARN. */
export type PolicyDecision = 'allow' | 'deny';

const asList = (v: unknown): string[] | undefined =>
  typeof v === 'string' ? [v] : Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined;

/** Compiled patterns: an authorizer answers every request with the same few, so each is compiled once. */
const compiled = new Map<string, RegExp>();
const MAX_COMPILED = 256;

/** IAM wildcards: `*` any run of characters (across `/` too), `?` one character. */
const globMatches = (pattern: string, value: string, ignoreCase: boolean): boolean => {
  const id = `${ignoreCase ? 'i' : 's'}${pattern}`;
  let re = compiled.get(id);
  if (!re) {
    const source = pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replaceAll('*', '.*')
      .replaceAll('?', '.');
    re = new RegExp(`^${source}$`, ignoreCase ? 'is' : 's');
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    compiled.set(id, re);
  }
  return re.test(value);
};

const matchesAny = (patterns: string[], value: string, ignoreCase: boolean): boolean =>
  patterns.some((p) => globMatches(p, value, ignoreCase));

/** Whether the element (Action or NotAction, Resource or NotResource) covers `value`. */
const covers = (statement: Record<string, unknown>, key: string, value: string, ignoreCase: boolean): boolean => {
  const listed = asList(statement[key]);
  if (listed) return matchesAny(listed, value, ignoreCase);
  const excluded = asList(statement[`Not${key}`]);
  return excluded ? !matchesAny(excluded, value, ignoreCase) : false;
};

/**
 * Evaluates an authorizer policy for `execute-api:Invoke` on `methodArn` the way IAM does:
 * an explicit Deny wins, then any Allow, and no matching statement denies. Conditions are not supported
 * (a statement with one never matches).
 */
export const evaluatePolicy = (policy: PolicyDocument, methodArn: string): PolicyDecision => {
  let allowed = false;
  for (const raw of policy.Statement as unknown[]) {
    if (typeof raw !== 'object' || raw === null) continue;
    const statement = raw as Record<string, unknown>;
    if (statement.Condition !== undefined) continue;
    const applies = covers(statement, 'Action', 'execute-api:Invoke', true) && covers(statement, 'Resource', methodArn, false);
    if (!applies) continue;
    if (statement.Effect === 'Deny') return 'deny';
    if (statement.Effect === 'Allow') allowed = true;
  }
  return allowed ? 'allow' : 'deny';
};
