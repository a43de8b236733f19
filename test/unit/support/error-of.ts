import { ApiError } from '../../../functions/kit/errors';

/** The status and code of the ApiError `act` throws, or undefined when it throws none. */
export function errorOf(act: () => unknown): { status: number; code: string } | undefined {
  try {
    act();
  } catch (error) {
    if (error instanceof ApiError) return { status: error.status, code: error.code };
    throw error;
  }
  return undefined;
}
