import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CroniumStack } from '../lib';

// Environment-agnostic on purpose: synth needs no AWS account, region or credentials, and nothing in
// the stack looks anything up. `cdk deploy` picks the account and region from the AWS profile.
const app = new App();
const imageTag: unknown = app.node.tryGetContext('cronium:imageTag');
new CroniumStack(app, 'Cronium', {
  description: 'Cronium: serverless job-execution control plane',
  imageTag: typeof imageTag === 'string' ? imageTag : undefined,
});
Tags.of(app).add('project', 'cronium');
// cdk-nag 3 is a policy-validation plugin (v2 was an Aspect): every AwsSolutions finding, error or
// warning, fails synth unless an acknowledgment next to its cause explains it.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
