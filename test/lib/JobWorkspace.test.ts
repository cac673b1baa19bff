import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { InvalidPropsError, JobVpc, JobWorkspace, type JobWorkspaceProps } from '../../lib';
import { resourcesOfType, testStack, thrownBy } from './fixtures';

const synth = (props: JobWorkspaceProps = {}, o: { endpoint?: boolean; signer?: boolean; reader?: boolean } = {}) => {
  const stack = testStack();
  const network = o.endpoint ? new JobVpc(stack, 'Network') : undefined;
  const workspace = new JobWorkspace(stack, 'Workspace', { endpoint: network?.s3Endpoint, ...props });
  const signer = o.signer ? new iam.Role(stack, 'Signer', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }) : undefined;
  if (signer) workspace.grantStage(signer);
  const reader = o.reader ? new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }) : undefined;
  if (reader) workspace.grantReadOutputs(reader);
  return { stack, workspace, signer, reader, template: Template.fromStack(stack) };
};

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: Record<string, unknown> };
const statementsOf = (template: Template, type: string): Statement[] =>
  resourcesOfType(template, type).flatMap(([, p]) => (p.PolicyDocument as { Statement: Statement[] }).Statement);

describe('JobWorkspace', () => {
  it('encrypts the bucket with its own rotated customer key, blocks public access and allows TLS only', () => {
    // Arrange / Act
    const { template, stack, workspace } = synth();

    // Assert
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: stack.resolve(workspace.key.keyArn) as unknown },
          },
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
    const tlsOnly = statementsOf(template, 'AWS::S3::BucketPolicy').find((s) =>
      JSON.stringify(s.Condition ?? {}).includes('aws:SecureTransport'),
    );
    expect(tlsOnly).toMatchObject({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
    expect(statementsOf(template, 'AWS::S3::BucketPolicy').filter((s) => s.Effect === 'Allow')).toEqual([]);
  });

  it('expires job objects after 7 days by default and after the expiration it is given', () => {
    // Act
    const byDefault = synth().template;
    const given = synth({ expiration: Duration.days(2) }).template;

    // Assert
    byDefault.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: [Match.objectLike({ ExpirationInDays: 7, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' })],
      },
    });
    given.hasResourceProperties('AWS::S3::Bucket', { LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 2 })] } });
  });

  it('retains the bucket and key by default and destroys them when told', () => {
    // Act
    const retained = synth().template;
    const destroyed = synth({ removalPolicy: RemovalPolicy.DESTROY }).template;

    // Assert
    retained.allResources('AWS::S3::Bucket', { DeletionPolicy: 'Retain' });
    retained.allResources('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
    destroyed.allResources('AWS::S3::Bucket', { DeletionPolicy: 'Delete' });
  });

  it('rejects an expiration that is not a whole number of days', () => {
    // Act
    const error = thrownBy(() => synth({ expiration: Duration.hours(12) }));

    // Assert
    expect(error).toBeInstanceOf(InvalidPropsError);
    expect((error as Error).message).toContain('expiration');
  });

  it('lets the signer put in.tar and out.tar, get in.tar, and use the key for them; nothing else', () => {
    // Arrange / Act
    const { template } = synth({}, { signer: true });

    // Assert
    const statements = statementsOf(template, 'AWS::IAM::Policy');
    const s3Statements = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('s3:')));
    expect(s3Statements.map((s) => [[s.Action].flat(), JSON.stringify(s.Resource).match(/jobs\/\*\/(in|out)\.tar/g)])).toEqual([
      [['s3:PutObject'], ['jobs/*/in.tar', 'jobs/*/out.tar']],
      [['s3:GetObject'], ['jobs/*/in.tar']],
    ]);
    const kmsActions = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('kms:'))).flatMap((s) => [s.Action].flat());
    expect(kmsActions.sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
  });

  it('lets a reader get out.tar and decrypt it; nothing else', () => {
    // Arrange / Act
    const { template } = synth({}, { reader: true });

    // Assert
    const statements = statementsOf(template, 'AWS::IAM::Policy');
    expect(statements.map((s) => [[s.Action].flat(), JSON.stringify(s.Resource).match(/jobs\/\*\/\w+\.tar/)?.[0]])).toEqual([
      [['s3:GetObject'], 'jobs/*/out.tar'],
      [['kms:Decrypt'], undefined],
    ]);
  });

  it('with the job VPC endpoint: the endpoint admits the task requests and the bucket refuses them from elsewhere', () => {
    // Arrange / Act
    const { template } = synth({}, { endpoint: true });

    // Assert
    const denies = statementsOf(template, 'AWS::S3::BucketPolicy').filter((s) => s.Effect === 'Deny' && s.Condition?.StringNotEquals);
    expect(denies.map((s) => [s.Action, JSON.stringify(s.Resource).match(/jobs\/\*\/\w+\.tar/)?.[0]])).toEqual([
      ['s3:GetObject', 'jobs/*/in.tar'],
      ['s3:PutObject', 'jobs/*/out.tar'],
    ]);
    for (const d of denies) expect(JSON.stringify(d.Condition)).toContain('aws:SourceVpce');
    const endpoint = resourcesOfType(template, 'AWS::EC2::VPCEndpoint').find(([id]) => id.includes('S3Endpoint'))![1];
    const admitted = (endpoint.PolicyDocument as { Statement: Statement[] }).Statement.map((s) => [s.Action, JSON.stringify(s.Resource)]);
    expect(admitted).toEqual(
      expect.arrayContaining([
        ['s3:GetObject', expect.stringContaining('jobs/*/in.tar')],
        ['s3:PutObject', expect.stringContaining('jobs/*/out.tar')],
      ]),
    );
  });

  it('has no endpoint restriction without an endpoint', () => {
    // Act
    const { template } = synth();

    // Assert
    expect(JSON.stringify(statementsOf(template, 'AWS::S3::BucketPolicy'))).not.toContain('aws:SourceVpce');
  });

  it('names the bucket in CRONIUM_WORKSPACE_BUCKET', () => {
    // Arrange
    const { stack, workspace } = synth();

    // Act / Assert
    expect(stack.resolve(workspace.environment)).toEqual({ CRONIUM_WORKSPACE_BUCKET: stack.resolve(workspace.bucket.bucketName) });
  });

  it('passes cdk-nag AwsSolutionsChecks for its own resources and both grants', () => {
    // Arrange
    const { stack, workspace, signer, reader } = synth({}, { signer: true, reader: true });

    // Act
    const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(stack);

    // Assert
    const paths = [workspace.node.path, signer!.node.path, reader!.node.path];
    const ours = report.violations.filter((v) => v.violatingResources.some((r) => paths.some((p) => (r.constructPath ?? '').includes(p))));
    expect(ours.map((v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
  });
});
