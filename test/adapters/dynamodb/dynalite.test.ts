import { startDynalite } from '../../helpers/dynamo';
import { describeStoreContract } from './contract/storeContract';

describeStoreContract('dynalite', startDynalite);
