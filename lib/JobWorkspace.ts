import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { JobObjects } from '../lambdas/adapters/s3';
import { acknowledgeNag } from './acknowledgeNag';
import { throwIfConflicts } from './InvalidPropsError';

/** Props of {@link JobWorkspace}. */
export interface JobWorkspaceProps {
  /**
   * How long a job's objects (`in.tar` with its env, `out.tar`) are kept.
   * @default Duration.days(7)
   */
  readonly expiration?: Duration;
  /**
   * The job VPC's S3 gateway endpoint (`JobVpc.s3Endpoint`). When given, its policy admits the tasks'
   * presigned GET of `in.tar` and PUT of `out.tar`, and the bucket refuses both from anywhere else, so
   * a presigned URL read from a RunTask request (DescribeTasks, CloudTrail) is no use outside the VPC.
   * @default none: the URLs work from wherever the task reaches S3 (the INTERNET job network)
   */
  readonly endpoint?: ec2.GatewayVpcEndpoint;
  /**
   * Removal policy of the bucket and its key.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** `jobs/*\/in.tar` and `jobs/*\/out.tar` of a bucket. */
const objectsOf = (bucket: s3.IBucket, name: string): string => bucket.arnForObjects(`${JobObjects.prefix}*/${name}`);

/**
 * The S3 bucket each container job's workspace travels through (lambdas/adapters/s3): the dispatcher
 * stores `in/` and the job's env (secrets included) as one object and signs a GET for it and a PUT for
 * `out/`; the task's entrypoint uses those URLs; the completion function reads `out/` back.
 *
 * The bucket is encrypted with its own customer-managed key (rotated; S3 Bucket Keys on, so one data
 * key serves many objects), TLS only, all public access blocked, ACLs off, and every object expires
 * after {@link JobWorkspaceProps.expiration}. A presigned URL carries the rights of its signer, so the
 * job tasks need no S3 permission (they have no task role at all); {@link grantStage} gives the signer
 * exactly what the two URLs and the put need.
 */
export class JobWorkspace extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: JobWorkspaceProps = {}) {
    super(scope, id);
    const expiration = props.expiration ?? Duration.days(7);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const days = expiration.toDays({ integral: false });
    throwIfConflicts(
      'JobWorkspace',
      Number.isInteger(days) && days >= 1
        ? []
        : [`expiration must be a whole number of days, at least 1, got ${expiration.toHumanString()}`],
    );

    this.key = new kms.Key(this, 'Key', {
      description: 'Cronium job workspaces (in/ with the job env, out/)',
      enableKeyRotation: true,
      removalPolicy,
    });
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: false,
      lifecycleRules: [{ id: 'expire-job-workspaces', expiration, abortIncompleteMultipartUploadAfter: Duration.days(1) }],
      removalPolicy,
    });
    acknowledgeNag(
      this.bucket,
      'AwsSolutions-S1',
      'Objects live at most the expiration period and are reached only through short-lived presigned URLs ' +
        'and the control-plane functions; CloudTrail data events, not a second bucket, are the place to audit them.',
    );

    if (props.endpoint) this.restrictTaskAccessTo(props.endpoint);
  }

  /** `CRONIUM_WORKSPACE_BUCKET`, which the AWS composition root reads. */
  get environment(): Record<string, string> {
    return { CRONIUM_WORKSPACE_BUCKET: this.bucket.bucketName };
  }

  /**
   * Lets `grantee` stage workspaces and sign the tasks' URLs: PutObject of `in.tar` (and, through a
   * presigned URL, of `out.tar`), GetObject of `in.tar`, and the key's GenerateDataKey and Decrypt.
   */
  grantStage(grantee: iam.IGrantable & Construct): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [objectsOf(this.bucket, JobObjects.input), objectsOf(this.bucket, JobObjects.output)],
      }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [objectsOf(this.bucket, JobObjects.input)] }),
    );
    this.key.grant(grantee, 'kms:GenerateDataKey', 'kms:Decrypt');
    acknowledgeNag(
      grantee,
      'AwsSolutions-IAM5',
      'Object keys hold the job id, known only at run time: the grant covers the in.tar and out.tar objects ' +
        'of the job folders of this one bucket.',
      [
        `Resource::<${this.bucketLogicalId}.Arn>/${JobObjects.prefix}*/${JobObjects.input}`,
        `Resource::<${this.bucketLogicalId}.Arn>/${JobObjects.prefix}*/${JobObjects.output}`,
      ],
    );
  }

  /** Lets `grantee` read what tasks uploaded: GetObject of `out.tar` and the key's Decrypt. */
  grantReadOutputs(grantee: iam.IGrantable & Construct): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [objectsOf(this.bucket, JobObjects.output)] }),
    );
    this.key.grant(grantee, 'kms:Decrypt');
    acknowledgeNag(
      grantee,
      'AwsSolutions-IAM5',
      'Object keys hold the job id, known only at run time: the grant covers the out.tar objects of the job ' +
        'folders of this one bucket.',
      [`Resource::<${this.bucketLogicalId}.Arn>/${JobObjects.prefix}*/${JobObjects.output}`],
    );
  }

  private get bucketLogicalId(): string {
    return this.bucket.stack.getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket);
  }

  private restrictTaskAccessTo(endpoint: ec2.GatewayVpcEndpoint): void {
    const taskRequests: Array<[string, string]> = [
      ['s3:GetObject', objectsOf(this.bucket, JobObjects.input)],
      ['s3:PutObject', objectsOf(this.bucket, JobObjects.output)],
    ];
    for (const [action, resource] of taskRequests) {
      endpoint.addToPolicy(
        new iam.PolicyStatement({
          principals: [new iam.AnyPrincipal()],
          actions: [action],
          resources: [resource],
          conditions: { StringEquals: { 'aws:PrincipalAccount': Aws.ACCOUNT_ID } },
        }),
      );
      this.bucket.addToResourcePolicy(
        new iam.PolicyStatement({
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: [action],
          resources: [resource],
          conditions: { StringNotEquals: { 'aws:SourceVpce': endpoint.vpcEndpointId } },
        }),
      );
    }
  }
}
