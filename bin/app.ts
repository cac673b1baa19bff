import { App, Tags, Validations } from 'aws-cdk-lib';
import { CpuArchitecture } from 'aws-cdk-lib/aws-ecs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ScriptRuntimes } from '../lambdas/core/model';
import { CroniumStack } from '../lib';

// Environment-agnostic on purpose: synth needs no AWS account, region or credentials, and nothing in
// the stack looks anything up. `cdk deploy` picks the account and region from the AWS profile.
const app = new App();
const context = (key: string): string | undefined => {
  const value: unknown = app.node.tryGetContext(key);
  return typeof value === 'string' && value !== '' ? value : undefined;
};
const jobArchitecture = (value: string | undefined): CpuArchitecture | undefined => {
  if (value === undefined) return undefined;
  if (value === 'x86_64') return CpuArchitecture.X86_64;
  if (value === 'arm64') return CpuArchitecture.ARM64;
  throw new Error(`-c cronium:jobArchitecture must be arm64 or x86_64, got ${JSON.stringify(value)}`);
};
new CroniumStack(app, 'Cronium', {
  description: 'Cronium: serverless job-execution control plane',
  // -c cronium:imageBase=NAME builds every runtime image FROM NAME; -c cronium:imageBase:python=NAME one of them.
  imageBase: context('cronium:imageBase'),
  imageBases: Object.fromEntries(
    ScriptRuntimes.flatMap((rt) => (context(`cronium:imageBase:${rt}`) ? [[rt, context(`cronium:imageBase:${rt}`)]] : [])),
  ),
  // -c cronium:jobArchitecture=x86_64 runs the job tasks (and builds their images) on x86_64 instead of ARM64.
  jobCpuArchitecture: jobArchitecture(context('cronium:jobArchitecture')),
  // -c cronium:webAclArn=ARN puts a WAFv2 web ACL you made in front of the REST API (opt-in: docs/aws.md).
  webAclArn: context('cronium:webAclArn'),
  // -c cronium:ssh=false leaves out the NAT gateway and the ssh runner's VPC placement; ssh targets are then refused.
  ssh: context('cronium:ssh') !== 'false',
  // -c cronium:console=false leaves out the web console (S3, CloudFront, CORS); otherwise console/dist must be built.
  ...(context('cronium:console') === 'false' ? {} : { console: {} }),
});
Tags.of(app).add('project', 'cronium');
// cdk-nag 3 is a policy-validation plugin (v2 was an Aspect): every AwsSolutions finding, error or
// warning, fails synth unless an acknowledgment next to its cause explains it.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
