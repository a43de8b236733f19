/** The instance sagas' call-provider state (see ./lifecycle.ts). */
import { lifecycleHandler } from './lifecycle';

export const handler = lifecycleHandler('callProvider');
