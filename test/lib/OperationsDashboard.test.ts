import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { MetricCatalog } from '../../lambdas/core';
import { PublicPaths } from '../../lambdas/handlers/rest/healthRoutes';
import { CroniumStack, OperationsDashboard, PublicRestPaths } from '../../lib';
import { resourcesOfType, testApp, testStack } from './fixtures';

/** The dashboard body CloudFormation gets, with its Fn::Join parts put back together. */
const bodyOf = (template: Template): any => {
  const [[, props]] = resourcesOfType(template, 'AWS::CloudWatch::Dashboard') as [[string, any]];
  const body = props.DashboardBody;
  const text = typeof body === 'string' ? body : body['Fn::Join'][1].map((p: unknown) => (typeof p === 'string' ? p : '${ref}')).join('');
  return JSON.parse(text);
};

const expressionsOf = (body: any): string[] =>
  body.widgets.flatMap((w: any) =>
    (w.properties.metrics ?? []).flatMap((m: any[]) => m.filter((x) => typeof x === 'object' && x.expression).map((x) => x.expression)),
  );

describe('OperationsDashboard', () => {
  it('graphs every counter and histogram the EMF adapter writes, in the Cronium namespace', () => {
    const stack = testStack();
    new OperationsDashboard(stack, 'Ops');

    const expressions = expressionsOf(bodyOf(Template.fromStack(stack)));

    const graphed = new Set(expressions.map((e) => /MetricName="([^"]+)"/.exec(e)?.[1]));
    const exported = Object.entries(MetricCatalog)
      .filter(([name, def]) => def.kind !== 'gauge' && !name.startsWith('cronium_ssh'))
      .map(([name]) => name);
    expect([...graphed].sort()).toEqual(exported.sort());
    for (const e of expressions) expect(e).toMatch(/^SEARCH\('\{Cronium\} MetricName="[a-z_]+"', '(Sum|p50|p95)', 300\)$/);
  });

  it('uses the namespace and period it is given', () => {
    const stack = testStack();
    new OperationsDashboard(stack, 'Ops', { namespace: 'Other', period: Duration.minutes(1) });

    const expressions = expressionsOf(bodyOf(Template.fromStack(stack)));

    expect(expressions.every((e) => e.includes('{Other}') && e.endsWith(', 60)'))).toBe(true);
  });

  it('is part of the stack', () => {
    const template = Template.fromStack(new CroniumStack(testApp(), 'Cronium'));

    expect(resourcesOfType(template, 'AWS::CloudWatch::Dashboard')).toHaveLength(1);
  });
});

describe('the public REST paths', () => {
  it('are the same in the CDK stack and in the REST handler', () => {
    expect([...PublicRestPaths]).toEqual([...PublicPaths]);
  });

  it('are GET methods with no authorizer; every other path goes through the authorizer', () => {
    const template = Template.fromStack(new CroniumStack(testApp(), 'Cronium'));
    const methods = resourcesOfType(template, 'AWS::ApiGateway::Method').map(([, p]) => p as any);

    const open = methods.filter((m) => m.AuthorizationType === 'NONE');
    const resources = new Map(resourcesOfType(template, 'AWS::ApiGateway::Resource').map(([id, p]) => [id, (p as any).PathPart]));

    expect(open.map((m) => m.HttpMethod)).toEqual(PublicRestPaths.map(() => 'GET'));
    expect(open.map((m) => `/${resources.get(m.ResourceId.Ref)}`).sort()).toEqual([...PublicRestPaths].sort());
    expect(methods.filter((m) => m.AuthorizationType !== 'NONE').every((m) => m.AuthorizationType === 'CUSTOM')).toBe(true);
  });
});
