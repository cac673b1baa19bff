import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { InvalidPropsError, JobNetwork, JobVpc, type JobVpcProps } from '../../lib';
import { resourcesOfType, testStack, thrownBy } from './fixtures';

const build = (props: JobVpcProps | ((stack: Stack) => JobVpcProps) = {}) => {
  const stack = testStack();
  const network = new JobVpc(stack, 'Network', typeof props === 'function' ? props(stack) : props);
  return { stack, network, template: Template.fromStack(stack) };
};
const isolatedOnlyVpc = (stack: Stack) =>
  new ec2.Vpc(stack, 'Given', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [{ name: 'jobs', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
const taskGroupOf = (template: Template) =>
  resourcesOfType(template, 'AWS::EC2::SecurityGroup').find(([id]) => id.startsWith('NetworkTaskSecurityGroup'))?.[1];

describe('JobVpc', () => {
  it('runs jobs in isolated subnets of a new 2-AZ VPC with one NAT gateway and flow logs', () => {
    // Arrange / Act
    const { stack, network, template } = build();

    // Assert
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    template.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'ALL' });
    expect(stack.resolve(network.jobSubnets.subnetIds)).toEqual(stack.resolve(network.vpc.isolatedSubnets.map((s) => s.subnetId)));
    expect(network.jobSubnets.subnetIds).toHaveLength(2);
  });

  it('lets job tasks out on HTTPS only, to endpoints that admit only them', () => {
    // Arrange / Act
    const { template } = build();

    // Assert
    expect(taskGroupOf(template)?.SecurityGroupIngress).toBeUndefined();
    expect(taskGroupOf(template)?.SecurityGroupEgress).toEqual([
      expect.objectContaining({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443 }),
    ]);
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: 443,
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NetworkTaskSecurityGroup'), 'GroupId'] },
    });
  });

  it('puts interface endpoints for ECR and logs, and an S3 endpoint limited to ECR layers, in the job subnets', () => {
    // Arrange / Act
    const { template } = build();

    // Assert
    const endpoints = resourcesOfType(template, 'AWS::EC2::VPCEndpoint').map(([, p]) => p);
    const interfaces = endpoints.filter((e) => e.VpcEndpointType === 'Interface');
    expect(interfaces).toHaveLength(3);
    for (const e of interfaces) {
      expect(e.PrivateDnsEnabled).toBe(true);
      expect(JSON.stringify(e.PolicyDocument)).toContain('aws:PrincipalAccount');
    }
    const s3 = endpoints.find((e) => e.VpcEndpointType === 'Gateway');
    expect(JSON.stringify(s3?.PolicyDocument)).toContain('-starport-layer-bucket/*');
    expect(JSON.stringify(s3?.PolicyDocument)).toContain('"s3:GetObject"');
  });

  it('uses a VPC it is given, creating neither VPC, NAT nor flow log', () => {
    // Arrange / Act
    const { template } = build((stack) => ({ vpc: isolatedOnlyVpc(stack) }));

    // Assert
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::FlowLog', 0);
  });

  it('creates the NAT gateways it is asked for', () => {
    // Arrange / Act
    const { template } = build({ natGateways: 2 });

    // Assert
    template.resourceCountIs('AWS::EC2::NatGateway', 2);
  });

  it('creates only isolated subnets when asked for no NAT gateway', () => {
    // Arrange / Act
    const { template, network } = build({ natGateways: 0 });

    // Assert
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::InternetGateway', 0);
    expect(network.vpc.privateSubnets).toHaveLength(0);
  });

  it('gives tasks open egress through the NAT, and no endpoints, on the INTERNET network', () => {
    // Arrange / Act
    const { template, network, stack } = build({ jobNetwork: JobNetwork.INTERNET });

    // Assert
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    expect(taskGroupOf(template)?.SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '0.0.0.0/0', IpProtocol: '-1' })]);
    expect(stack.resolve(network.jobSubnets.subnetIds)).toEqual(stack.resolve(network.vpc.privateSubnets.map((s) => s.subnetId)));
    expect(network.endpointSecurityGroup).toBeUndefined();
  });

  it('keeps flow logs for the retention it is given', () => {
    // Arrange / Act
    const { template } = build({ logRetention: logs.RetentionDays.ONE_WEEK });

    // Assert
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
  });

  it('rejects natGateways next to a given VPC', () => {
    // Arrange
    const stack = testStack();

    // Act
    const error = thrownBy(() => new JobVpc(stack, 'Network', { vpc: isolatedOnlyVpc(stack), natGateways: 1 }));

    // Assert
    expect(error).toBeInstanceOf(InvalidPropsError);
    expect((error as InvalidPropsError).conflicts).toEqual([expect.stringContaining('natGateways')]);
  });

  it('rejects the INTERNET network without a NAT gateway', () => {
    // Arrange
    const stack = testStack();

    // Act
    const error = thrownBy(() => new JobVpc(stack, 'Network', { jobNetwork: JobNetwork.INTERNET, natGateways: 0 }));

    // Assert
    expect((error as InvalidPropsError).conflicts).toEqual([expect.stringContaining('NAT gateway')]);
  });

  it('rejects the INTERNET network in a given VPC without private subnets', () => {
    // Arrange
    const stack = testStack();

    // Act
    const error = thrownBy(() => new JobVpc(stack, 'Network', { vpc: isolatedOnlyVpc(stack), jobNetwork: JobNetwork.INTERNET }));

    // Assert
    expect((error as InvalidPropsError).conflicts).toEqual([expect.stringContaining('private subnets')]);
  });

  it('rejects the ISOLATED network in a given VPC without isolated subnets', () => {
    // Arrange
    const stack = testStack();
    const vpc = new ec2.Vpc(stack, 'Given', {
      maxAzs: 2,
      natGateways: 1,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC },
        { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      ],
    });

    // Act
    const error = thrownBy(() => new JobVpc(stack, 'Network', { vpc }));

    // Assert
    expect((error as InvalidPropsError).conflicts).toEqual([expect.stringContaining('isolated subnets')]);
  });

  it('rejects a NAT gateway count beyond one per AZ', () => {
    // Arrange
    const stack = testStack();

    // Act
    const error = thrownBy(() => new JobVpc(stack, 'Network', { natGateways: 3 }));

    // Assert
    expect((error as InvalidPropsError).conflicts).toEqual([expect.stringContaining('natGateways must be 0, 1 or 2')]);
  });
});
