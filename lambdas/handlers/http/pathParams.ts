import { z } from 'zod';
import { ValidationError, VARIABLE_KEY } from '../../core';

/**
 * Shape of every resource id (jobs, events, servers): what the id generator makes (26-character
 * ULIDs) with room to spare, and far below DynamoDB's key size limits.
 */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

const ID_RULE = 'must be 1 to 128 letters, digits, _ or -';

/** A resource id wherever a caller names one (path parameters, WebSocket messages). */
export const idSchema = z.string({ error: 'is required and must be a string' }).regex(ID_PATTERN, ID_RULE);

interface ParamRule {
  pattern: RegExp;
  message: string;
}

/** Rules by parameter name; a parameter without one gets `fallback`. */
const rules: Record<string, ParamRule> = {
  id: { pattern: ID_PATTERN, message: ID_RULE },
  key: { pattern: VARIABLE_KEY, message: 'must start with a letter or underscore and hold letters, digits, _ . - (at most 128)' },
};

// Bounded and free of control characters, so no parameter can reach a store key unchecked.
const fallback: ParamRule = { pattern: /^[^\p{Cc}]{1,256}$/u, message: 'must be 1 to 256 characters without control characters' };

/**
 * Checks decoded path parameters at the edge, before any store sees them.
 * @throws ValidationError naming the first parameter that breaks its rule.
 */
export const checkPathParams = (params: Readonly<Record<string, string>>): void => {
  for (const [name, value] of Object.entries(params)) {
    const rule = rules[name] ?? fallback;
    if (!rule.pattern.test(value)) throw new ValidationError(name, rule.message);
  }
};
