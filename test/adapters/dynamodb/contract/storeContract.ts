import { afterAll, beforeAll, describe } from 'vitest';
import { createDynamoStore } from '../../../../lambdas/adapters/dynamodb';
import type { DynamoBackend } from '../../../helpers/dynamo';
import { apiKeysContract } from './apiKeysContract';
import { connectionsContract } from './connectionsContract';
import type { NewStore } from './context';
import { eventsContract } from './eventsContract';
import { jobsContract } from './jobsContract';
import { logsContract } from './logsContract';
import { schedulesContract } from './schedulesContract';
import { serversContract } from './serversContract';
import { slotsContract } from './slotsContract';
import { variablesContract } from './variablesContract';
import { waitingContract } from './waitingContract';

/**
 * The behaviours every DynamoDB engine must show through createDynamoStore. Each test gets a
 * store over a table of its own, so global listings (listActive, held slots) start empty.
 */
export function describeStoreContract(engine: string, start: () => Promise<DynamoBackend>) {
  describe(`DynamoDB store on ${engine}`, () => {
    let backend: DynamoBackend | undefined;
    beforeAll(async () => {
      backend = await start();
    });
    afterAll(async () => {
      await backend?.stop();
    });

    const newStore: NewStore = async (o = {}) => {
      if (!backend) throw new Error('backend did not start');
      return createDynamoStore({ tableName: await backend.newTable(), client: backend.client, ...o });
    };

    jobsContract(newStore);
    waitingContract(newStore);
    logsContract(newStore);
    connectionsContract(newStore);
    slotsContract(newStore);
    eventsContract(newStore);
    apiKeysContract(() => newStore());
    variablesContract(() => newStore());
    schedulesContract(() => newStore());
    serversContract(() => newStore());
  });
}
