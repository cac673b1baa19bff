import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { TableIndexes, TableKeys } from '../lambdas/adapters/dynamodb';
import { acknowledgeNag } from './acknowledgeNag';
import { throwIfConflicts } from './InvalidPropsError';

/** Props of {@link CroniumTable}. */
export interface CroniumTableProps {
  /**
   * What happens to the table when it leaves the stack. SNAPSHOT is not supported by DynamoDB.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Refuse DeleteTable calls until turned off.
   * @default true when the removal policy is RETAIN, false otherwise
   */
  readonly deletionProtection?: boolean;
  /**
   * Customer managed key to encrypt the table with.
   * @default the AWS managed key `aws/dynamodb`
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Continuous backups with point-in-time recovery (35 days).
   * @default true
   */
  readonly pointInTimeRecovery?: boolean;
}

/** The reads the stores make: GetCommand and QueryCommand (lambdas/adapters/dynamodb). */
const TableReadActions = ['dynamodb:GetItem', 'dynamodb:Query'] as const;
/** The writes the stores make: PutCommand, UpdateCommand and DeleteCommand, all single-item. */
const TableWriteActions = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'] as const;

/**
 * The single table every store lives in. Keys, TTL attribute and the four GSIs come from
 * `lambdas/adapters/dynamodb/schema.ts` (exported from the adapter's index), the module the adapter reads too, so they cannot drift.
 */
export class CroniumTable extends Construct {
  public readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: CroniumTableProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const deletionProtection = props.deletionProtection ?? removalPolicy === RemovalPolicy.RETAIN;
    const conflicts: string[] = [];
    if (removalPolicy === RemovalPolicy.SNAPSHOT) conflicts.push('removalPolicy SNAPSHOT is not supported by DynamoDB');
    if (removalPolicy === RemovalPolicy.DESTROY && deletionProtection) {
      conflicts.push('deletionProtection would make the DESTROY removal policy fail: turn one of them off');
    }
    throwIfConflicts('CroniumTable', conflicts);

    const str = (name: string): dynamodb.Attribute => ({ name, type: dynamodb.AttributeType.STRING });
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: str(TableKeys.partitionKey),
      sortKey: str(TableKeys.sortKey),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: TableKeys.ttl,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: props.pointInTimeRecovery ?? true },
      encryption: props.encryptionKey ? dynamodb.TableEncryption.CUSTOMER_MANAGED : dynamodb.TableEncryption.AWS_MANAGED,
      encryptionKey: props.encryptionKey,
      removalPolicy,
      deletionProtection,
    });
    for (const index of Object.values(TableIndexes)) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: str(index.partitionKey),
        sortKey: str(index.sortKey),
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }
  }

  /** Lets `grantee` get single items (GetItem): what the authorizer's key lookup needs. */
  grantGet(grantee: iam.IGrantable & Construct): iam.Grant {
    this.suppressIndexWildcard(grantee);
    return this.table.grant(grantee, ...TableReadActions.filter((a) => a === 'dynamodb:GetItem'));
  }

  /** Lets `grantee` get items and query the table and every index (the stores' reads). */
  grantRead(grantee: iam.IGrantable & Construct): iam.Grant {
    this.suppressIndexWildcard(grantee);
    return this.table.grant(grantee, ...TableReadActions);
  }

  /**
   * Lets `grantee` read and write items and query every index: exactly the calls the stores make
   * (lambdas/adapters/dynamodb), not CDK's grantReadWriteData (no Scan, batch, stream or DescribeTable).
   */
  grantReadWrite(grantee: iam.IGrantable & Construct): iam.Grant {
    this.suppressIndexWildcard(grantee);
    return this.table.grant(grantee, ...TableReadActions, ...TableWriteActions);
  }

  /** The grant covers `<table>/index/*`: name exactly that finding, on the grantee only. */
  private suppressIndexWildcard(grantee: Construct): void {
    const logicalId = Stack.of(this).getLogicalId(this.table.node.defaultChild as dynamodb.CfnTable);
    acknowledgeNag(
      grantee,
      'AwsSolutions-IAM5',
      "Queries go through the table's four GSIs; the index wildcard covers only this table's own indexes.",
      [`Resource::<${logicalId}.Arn>/index/*`],
    );
  }
}
