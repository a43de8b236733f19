/** The instance sagas' mark-failed state (see ./lifecycle.ts). */
import { lifecycleHandler } from './lifecycle';

export const handler = lifecycleHandler('markFailed');
