import { createMemoryStore } from '../../helpers/memory/createMemoryStore';
import { describeStoreContract } from './storeContract';

// The fake the core tests run on must behave like the DynamoDB adapter; this holds it to the same contract.
describeStoreContract('memory store', createMemoryStore);
