export { createCronerMatcher } from './createCronerMatcher';
