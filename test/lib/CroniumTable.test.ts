import { RemovalPolicy } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { describe, expect, it } from 'vitest';
import { CroniumTable, InvalidPropsError } from '../../lib';
import { resourcesOfType, testStack, thrownBy } from './fixtures';

describe('CroniumTable', () => {
  it('retains the table and protects it from deletion by default', () => {
    // Arrange
    const stack = testStack();

    // Act
    new CroniumTable(stack, 'Table');

    // Assert
    const template = Template.fromStack(stack);
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain' });
    template.hasResourceProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: true });
  });

  it('lets a DESTROY removal policy delete the table, without deletion protection', () => {
    // Arrange
    const stack = testStack();

    // Act
    new CroniumTable(stack, 'Table', { removalPolicy: RemovalPolicy.DESTROY });

    // Assert
    const template = Template.fromStack(stack);
    const [[, table]] = resourcesOfType(template, 'AWS::DynamoDB::Table') as [[string, Record<string, unknown>]];
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
    expect(table.DeletionProtectionEnabled).toBe(false);
  });

  it('turns deletion protection off when asked, even when retained', () => {
    // Arrange
    const stack = testStack();

    // Act
    new CroniumTable(stack, 'Table', { deletionProtection: false });

    // Assert
    const [[, table]] = resourcesOfType(Template.fromStack(stack), 'AWS::DynamoDB::Table') as [[string, Record<string, unknown>]];
    expect(table.DeletionProtectionEnabled).toBe(false);
  });

  it('encrypts with a customer managed key when given one', () => {
    // Arrange
    const stack = testStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });

    // Act
    new CroniumTable(stack, 'Table', { encryptionKey: key });

    // Assert
    Template.fromStack(stack).hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: {
        SSEEnabled: true,
        SSEType: 'KMS',
        KMSMasterKeyId: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] },
      },
    });
  });

  it('turns point-in-time recovery off when asked', () => {
    // Arrange
    const stack = testStack();

    // Act
    new CroniumTable(stack, 'Table', { pointInTimeRecovery: false });

    // Assert
    Template.fromStack(stack).hasResourceProperties('AWS::DynamoDB::Table', {
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false },
    });
  });

  it('rejects DESTROY with deletion protection on', () => {
    // Arrange
    const stack = testStack();

    // Act
    const error = thrownBy(() => new CroniumTable(stack, 'Table', { removalPolicy: RemovalPolicy.DESTROY, deletionProtection: true }));

    // Assert
    expect(error).toBeInstanceOf(InvalidPropsError);
    expect((error as InvalidPropsError).conflicts).toEqual([expect.stringContaining('deletionProtection')]);
  });

  it('rejects the SNAPSHOT removal policy DynamoDB does not support', () => {
    // Arrange
    const stack = testStack();

    // Act
    const error = thrownBy(() => new CroniumTable(stack, 'Table', { removalPolicy: RemovalPolicy.SNAPSHOT }));

    // Assert
    expect((error as InvalidPropsError).conflicts).toEqual([expect.stringContaining('SNAPSHOT')]);
  });

  it('grants read-only access to the table and its indexes', () => {
    // Arrange
    const stack = testStack();
    const table = new CroniumTable(stack, 'Table');
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

    // Act
    table.grantRead(role);

    // Assert
    const [[, policy]] = resourcesOfType(Template.fromStack(stack), 'AWS::IAM::Policy') as [[string, Record<string, unknown>]];
    const actions = (policy.PolicyDocument as { Statement: { Action: string[] }[] }).Statement.flatMap((s) => s.Action);
    expect(actions).toContain('dynamodb:Query');
    expect(actions.filter((a) => /Put|Update|Delete|Write/.test(a))).toEqual([]);
  });
});
