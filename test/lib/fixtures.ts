import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { afterAll } from 'vitest';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import type { IConstruct } from 'constructs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { PROJECT_ROOT } from '../../lib';

/** The feature flags of cdk.json, so tests synthesize what `cdk synth` does. */
export const cdkContext = (): Record<string, unknown> =>
  (JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;

/**
 * One cloud assembly directory per test file (vitest runs each file in its own process): CDK caches
 * bundled assets per output directory, so the apps of one file bundle each handler only once.
 */
const OUTDIR = mkdtempSync(path.join(tmpdir(), 'cronium-cdk-test-'));
afterAll(() => rmSync(OUTDIR, { recursive: true, force: true }));

/**
 * An app with cdk.json's context, synthesizing into this file's shared directory. Handlers are not
 * bundled (CDK's own switch, as `cdk synth --exclusively` uses it: a placeholder asset instead of
 * esbuild's output), since templates do not depend on the bundle and bundling nine handlers takes
 * most of a minute on a busy machine; `bundle: true` bundles for the tests that read the bundle.
 */
export const testApp = (o: { bundle?: boolean } = {}): App =>
  new App({ context: { ...cdkContext(), [cxapi.BUNDLING_STACKS]: o.bundle ? ['**'] : [] }, outdir: OUTDIR });

/** An environment-agnostic stack in a {@link testApp}. */
export const testStack = (o: { bundle?: boolean } = {}): Stack => new Stack(testApp(o), 'Test');

/** A function that needs no bundling, for constructs that only wire one. */
export const inlineFunction = (scope: Stack, id: string): lambda.Function =>
  new lambda.Function(scope, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('export const handler = async () => ({});'),
  });

/** Every resource of one type, as `[logicalId, Properties]`. */
export const resourcesOfType = (
  template: { toJSON(): Record<string, unknown> },
  type: string,
): Array<[string, Record<string, unknown>]> => {
  const resources = (template.toJSON() as { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> }).Resources;
  return Object.entries(resources)
    .filter(([, r]) => r.Type === type)
    .map(([id, r]) => [id, r.Properties ?? {}]);
};

export { thrownBy } from '../helpers/thrownBy';

/** The rule ids acknowledged on `scope` itself (not its children), e.g. `…AwsSolutions-L1`. */
export const acknowledgedRules = (scope: IConstruct): string[] =>
  scope.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY).flatMap((m) => Object.keys(m.data as object));
