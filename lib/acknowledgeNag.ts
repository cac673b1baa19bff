import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges a cdk-nag rule on `scope` and everything under it, so the written reason sits next to
 * the code that causes the finding. With `findings`, only those findings of the rule are acknowledged
 * (`AwsSolutions-IAM5[Resource::…]`), never the rule as a whole.
 */
export const acknowledgeNag = (scope: IConstruct, rule: string, reason: string, findings?: readonly string[]): void => {
  const ids = findings ? findings.map((f) => `${rule}[${f}]`) : [rule];
  Validations.of(scope).acknowledge(...ids.map((id) => ({ id, reason })));
};
