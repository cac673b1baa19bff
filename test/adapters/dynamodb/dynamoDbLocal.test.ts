import { startDynamoDbLocal } from '../../helpers/dynamo';
import { describeStoreContract } from './contract/storeContract';

describeStoreContract('DynamoDB Local', startDynamoDbLocal);
