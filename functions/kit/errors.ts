/**
 * The typed error hierarchy. Anything thrown as an ApiError is the client's doing and is rendered
 * as problem+json with its status and code; anything else is ours and becomes an opaque 500.
 */
export interface FieldError {
  path: string;
  message: string;
}

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function statusTitle(status: number): string {
  return titles[status] ?? 'Error';
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
    readonly errors?: FieldError[],
    readonly headers?: Record<string, string>,
  ) {
    // A client error carries no stack trace: it is answered and logged by its code, never by where it
    // was made, and repositories build some in advance (what a lost condition means), seven per VPC
    // create, where capturing a trace each time cost more than the rest of the create's own work.
    const limit = Error.stackTraceLimit;
    if (status < 500) Error.stackTraceLimit = 0;
    try {
      super(detail);
    } finally {
      Error.stackTraceLimit = limit;
    }
    this.name = code;
  }

  get title(): string {
    return statusTitle(this.status);
  }
}

export class BadRequest extends ApiError {
  constructor(code: string, detail: string, errors?: FieldError[]) {
    super(400, code, detail, errors);
  }
}

export class ValidationFailed extends BadRequest {
  constructor(errors: FieldError[], detail = 'The request is not valid.') {
    super('ValidationError', detail, errors);
  }
}

export class Unauthorized extends ApiError {
  constructor(detail = 'A valid bearer token is required.') {
    super(401, 'Unauthorized', detail, undefined, { 'WWW-Authenticate': 'Bearer' });
  }
}

export class Forbidden extends ApiError {
  constructor(detail: string, code = 'Forbidden') {
    super(403, code, detail);
  }
}

export class NotFound extends ApiError {
  constructor(code: string, detail: string) {
    super(404, code, detail);
  }
}

export class Conflict extends ApiError {
  constructor(code: string, detail: string) {
    super(409, code, detail);
  }
}

export class PreconditionFailed extends ApiError {
  constructor(detail = 'The resource has changed since the ETag given in If-Match.') {
    super(412, 'PreconditionFailed', detail);
  }
}

export class PayloadTooLarge extends ApiError {
  constructor(limitBytes: number) {
    super(413, 'PayloadTooLarge', `The request body is larger than ${limitBytes} bytes.`);
  }
}

export class UnsupportedMediaType extends ApiError {
  constructor() {
    super(415, 'UnsupportedMediaType', 'Send the body as application/json.');
  }
}

export class IdempotencyKeyReused extends ApiError {
  constructor() {
    super(422, 'IdempotencyKeyReused', 'This Idempotency-Key was already used with a different request.');
  }
}

export class TooManyRequests extends ApiError {
  constructor(code: 'QuotaExceeded' | 'RateLimited', detail: string) {
    super(429, code, detail);
  }
}

export class ServiceUnavailable extends ApiError {
  constructor(detail = 'The service is temporarily unavailable; retry later.') {
    super(503, 'ServiceUnavailable', detail, undefined, { 'Retry-After': '1' });
  }
}
