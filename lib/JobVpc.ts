import { Aws } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { throwIfConflicts } from './InvalidPropsError';

/** How much network a job task gets. */
export const JobNetwork = {
  /**
   * Subnets with no route out: the tasks reach only the VPC endpoints Fargate needs to pull the image
   * and ship logs (ECR, S3 for image layers, CloudWatch Logs), and those only on HTTPS.
   */
  ISOLATED: 'isolated',
  /** Private subnets with egress through the NAT gateway, any outbound traffic. */
  INTERNET: 'internet',
} as const;
export type JobNetwork = (typeof JobNetwork)[keyof typeof JobNetwork];

/** Props of {@link JobVpc}. */
export interface JobVpcProps {
  /**
   * VPC to run job tasks in. It needs isolated subnets for `JobNetwork.ISOLATED`, private subnets with
   * egress for `JobNetwork.INTERNET`.
   * @default a new VPC over 2 AZs with CDK's default addressing: public subnets holding the NAT gateway(s),
   * private subnets with egress, isolated subnets for jobs, and flow logs
   */
  readonly vpc?: ec2.IVpc;
  /**
   * NAT gateways of the new VPC (only when `vpc` is not given).
   * @default 1
   */
  readonly natGateways?: number;
  /**
   * Network of the job tasks.
   * @default JobNetwork.ISOLATED
   */
  readonly jobNetwork?: JobNetwork;
  /**
   * Retention of the VPC flow logs.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

/** Every conflict among `props`; JobCluster reports them together with its own. */
export const jobVpcConflicts = (props: JobVpcProps): string[] => {
  const jobNetwork = props.jobNetwork ?? JobNetwork.ISOLATED;
  const natGateways = props.natGateways ?? 1;
  const conflicts: string[] = [];
  if (props.vpc && props.natGateways !== undefined) conflicts.push('natGateways applies only to the VPC created here, not to a given vpc');
  if (!props.vpc && (!Number.isInteger(natGateways) || natGateways < 0 || natGateways > 2)) {
    conflicts.push(`natGateways must be 0, 1 or 2 (one per AZ), got ${natGateways}`);
  }
  if (jobNetwork === JobNetwork.INTERNET && !props.vpc && natGateways === 0) {
    conflicts.push('jobNetwork INTERNET needs at least one NAT gateway');
  }
  if (props.vpc && jobNetwork === JobNetwork.ISOLATED && props.vpc.isolatedSubnets.length === 0) {
    conflicts.push('jobNetwork ISOLATED needs isolated subnets in the given vpc');
  }
  if (props.vpc && jobNetwork === JobNetwork.INTERNET && props.vpc.privateSubnets.length === 0) {
    conflicts.push('jobNetwork INTERNET needs private subnets with egress in the given vpc');
  }
  return conflicts;
};

/**
 * Where job tasks run. By default (`JobNetwork.ISOLATED`: jobs get no network) the tasks sit
 * in subnets with no route out and reach only the VPC endpoints Fargate itself needs, on HTTPS: on
 * platform 1.4 the image pull and the awslogs driver go through the task's own network interface.
 * The NAT gateway serves the private subnets with egress (the SSH runner of a later issue).
 */
export class JobVpc extends Construct {
  public readonly vpc: ec2.IVpc;
  /** Subnets the job tasks run in. */
  public readonly jobSubnets: ec2.SelectedSubnets;
  /** No inbound; outbound HTTPS to the VPC endpoints only (`ISOLATED`) or anything (`INTERNET`). */
  public readonly taskSecurityGroup: ec2.SecurityGroup;
  /** Guards the interface endpoints (`ISOLATED` only); allow other clients here if they need them. */
  public readonly endpointSecurityGroup?: ec2.SecurityGroup;
  /** The S3 gateway endpoint of the job subnets (`ISOLATED` only); JobWorkspace admits the workspace objects on it. */
  public readonly s3Endpoint?: ec2.GatewayVpcEndpoint;

  constructor(scope: Construct, id: string, props: JobVpcProps = {}) {
    super(scope, id);
    throwIfConflicts('JobVpc', jobVpcConflicts(props));
    const isolated = (props.jobNetwork ?? JobNetwork.ISOLATED) === JobNetwork.ISOLATED;

    this.vpc = props.vpc ?? this.createVpc(props.natGateways ?? 1, props.logRetention ?? logs.RetentionDays.ONE_MONTH);
    this.jobSubnets = this.vpc.selectSubnets({
      subnetType: isolated ? ec2.SubnetType.PRIVATE_ISOLATED : ec2.SubnetType.PRIVATE_WITH_EGRESS,
    });
    this.taskSecurityGroup = new ec2.SecurityGroup(this, 'TaskSecurityGroup', {
      vpc: this.vpc,
      description: `Cronium job tasks: no inbound; outbound ${isolated ? 'HTTPS to the VPC endpoints' : 'any'}`,
      allowAllOutbound: !isolated,
    });
    if (isolated) {
      this.endpointSecurityGroup = this.addEndpoints();
      this.s3Endpoint = this.vpc.node.findChild('S3Endpoint') as ec2.GatewayVpcEndpoint;
    }
  }

  private createVpc(natGateways: number, logRetention: logs.RetentionDays): ec2.Vpc {
    const subnetConfiguration: ec2.SubnetConfiguration[] = [
      ...(natGateways > 0
        ? [
            { name: 'public', subnetType: ec2.SubnetType.PUBLIC },
            { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
          ]
        : []),
      { name: 'jobs', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    ];
    const vpc = new ec2.Vpc(this, 'Vpc', { maxAzs: 2, natGateways, subnetConfiguration });
    vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(new logs.LogGroup(this, 'FlowLogs', { retention: logRetention })),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });
    return vpc;
  }

  /**
   * ECR (API and registry), S3 for the image layers, CloudWatch Logs. Each endpoint admits only the
   * actions Fargate needs, for this account's principals only, so a job cannot use one to reach anyone
   * else's resources.
   */
  private addEndpoints(): ec2.SecurityGroup {
    const isolated = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
    this.taskSecurityGroup.addEgressRule(
      ec2.Peer.anyIpv4(),
      ec2.Port.tcp(443),
      'HTTPS to the VPC endpoints: the job subnets route nowhere else',
    );
    const endpointSg = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description: 'Cronium VPC endpoints: HTTPS from job tasks',
      allowAllOutbound: false,
    });
    endpointSg.addIngressRule(this.taskSecurityGroup, ec2.Port.tcp(443), 'job tasks');

    const s3 = this.vpc.addGatewayEndpoint('S3Endpoint', { service: ec2.GatewayVpcEndpointAwsService.S3, subnets: [isolated] });
    s3.addToPolicy(
      new iam.PolicyStatement({
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:GetObject'],
        resources: [`arn:${Aws.PARTITION}:s3:::prod-${Aws.REGION}-starport-layer-bucket/*`],
      }),
    );
    const pull = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'];
    const interfaceEndpoints: Array<[string, ec2.InterfaceVpcEndpointAwsService, string[]]> = [
      ['EcrApiEndpoint', ec2.InterfaceVpcEndpointAwsService.ECR, ['ecr:GetAuthorizationToken', ...pull]],
      ['EcrDockerEndpoint', ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER, pull],
      ['LogsEndpoint', ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS, ['logs:CreateLogStream', 'logs:PutLogEvents']],
    ];
    for (const [id, service, actions] of interfaceEndpoints) {
      const endpoint = this.vpc.addInterfaceEndpoint(id, { service, subnets: isolated, securityGroups: [endpointSg], open: false });
      endpoint.addToPolicy(
        new iam.PolicyStatement({
          principals: [new iam.AnyPrincipal()],
          actions,
          resources: ['*'],
          conditions: { StringEquals: { 'aws:PrincipalAccount': Aws.ACCOUNT_ID } },
        }),
      );
    }
    return endpointSg;
  }
}
