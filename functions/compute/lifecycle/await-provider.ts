/** The instance sagas' await-provider state (see ./lifecycle.ts). */
import { lifecycleHandler } from './lifecycle';

export const handler = lifecycleHandler('awaitProvider');
