/** The instance sagas' complete state (see ./lifecycle.ts). */
import { lifecycleHandler } from './lifecycle';

export const handler = lifecycleHandler('complete');
