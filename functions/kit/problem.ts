import { ApiError, statusTitle } from './errors';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  code: string;
  requestId: string;
  errors?: { path: string; message: string }[];
}

/** RFC 9457 body for an error; an error that is not an ApiError says nothing about itself. */
export function toProblem(error: unknown, requestId: string, instance?: string): Problem {
  if (error instanceof ApiError) {
    return {
      type: `https://docs.control-plane.dev/errors/${error.code}`,
      title: error.title,
      status: error.status,
      detail: error.message,
      ...(instance ? { instance } : {}),
      code: error.code,
      requestId,
      ...(error.errors ? { errors: error.errors } : {}),
    };
  }
  return {
    type: 'https://docs.control-plane.dev/errors/InternalError',
    title: statusTitle(500),
    status: 500,
    detail: 'An internal error occurred. Quote the requestId if you contact support.',
    ...(instance ? { instance } : {}),
    code: 'InternalError',
    requestId,
  };
}

export function problemResponse(
  error: unknown,
  requestId: string,
  instance?: string,
): { statusCode: number; headers: Record<string, string>; body: string } {
  const problem = toProblem(error, requestId, instance);
  return {
    statusCode: problem.status,
    headers: {
      'Content-Type': PROBLEM_CONTENT_TYPE,
      ...(error instanceof ApiError ? error.headers : {}),
    },
    body: JSON.stringify(problem),
  };
}
