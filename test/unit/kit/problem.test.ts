import {
  ApiError,
  BadRequest,
  Conflict,
  Forbidden,
  IdempotencyKeyReused,
  NotFound,
  PayloadTooLarge,
  PreconditionFailed,
  ServiceUnavailable,
  TooManyRequests,
  Unauthorized,
  UnsupportedMediaType,
  ValidationFailed,
  statusTitle,
} from '../../../functions/kit/errors';
import { PROBLEM_CONTENT_TYPE, problemResponse, toProblem } from '../../../functions/kit/problem';

describe('the error hierarchy', () => {
  it.each<[string, ApiError, number, string, string]>([
    ['BadRequest', new BadRequest('InvalidParameterValue', 'bad'), 400, 'InvalidParameterValue', 'Bad Request'],
    ['ValidationFailed', new ValidationFailed([{ path: 'body.a', message: 'Required' }]), 400, 'ValidationError', 'Bad Request'],
    ['Unauthorized', new Unauthorized(), 401, 'Unauthorized', 'Unauthorized'],
    ['Forbidden', new Forbidden('no'), 403, 'Forbidden', 'Forbidden'],
    ['Forbidden with a code', new Forbidden('suspended', 'TenantSuspended'), 403, 'TenantSuspended', 'Forbidden'],
    ['NotFound', new NotFound('VpcNotFound', 'none'), 404, 'VpcNotFound', 'Not Found'],
    ['Conflict', new Conflict('IncorrectInstanceState', 'busy'), 409, 'IncorrectInstanceState', 'Conflict'],
    ['PreconditionFailed', new PreconditionFailed(), 412, 'PreconditionFailed', 'Precondition Failed'],
    ['PayloadTooLarge', new PayloadTooLarge(1024), 413, 'PayloadTooLarge', 'Content Too Large'],
    ['UnsupportedMediaType', new UnsupportedMediaType(), 415, 'UnsupportedMediaType', 'Unsupported Media Type'],
    ['IdempotencyKeyReused', new IdempotencyKeyReused(), 422, 'IdempotencyKeyReused', 'Unprocessable Content'],
    ['TooManyRequests', new TooManyRequests('QuotaExceeded', 'full'), 429, 'QuotaExceeded', 'Too Many Requests'],
    ['ServiceUnavailable', new ServiceUnavailable(), 503, 'ServiceUnavailable', 'Service Unavailable'],
  ])('%s carries status %i, code %s and title %s', (_label, error, status, code, title) => {
    // Prepare: the error, built in the table

    // Act
    const problem = toProblem(error, 'req-1');

    // Assess
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe(code);
    expect(problem.status).toBe(status);
    expect(problem.code).toBe(code);
    expect(problem.title).toBe(title);
    expect(problem.type).toBe(`https://docs.control-plane.dev/errors/${code}`);
  });

  it('ValidationFailed is a BadRequest', () => {
    // Prepare
    const error = new ValidationFailed([]);

    // Act
    const isBadRequest = error instanceof BadRequest;

    // Assess
    expect(isBadRequest).toBe(true);
    expect(error.message).toBe('The request is not valid.');
  });

  it.each([
    [418, 'Error'],
    [404, 'Not Found'],
    [504, 'Gateway Timeout'],
  ])('statusTitle(%i) is %s', (status, title) => {
    // Prepare: the status

    // Act
    const text = statusTitle(status);

    // Assess
    expect(text).toBe(title);
  });
});

describe('toProblem', () => {
  it('renders every field of an ApiError with field errors', () => {
    // Prepare
    const errors = [
      { path: 'body.name', message: 'Required' },
      { path: 'query.limit', message: 'Too big' },
    ];
    const error = new ValidationFailed(errors, 'Fix these.');

    // Act
    const problem = toProblem(error, 'req-42', '/v1/vpcs');

    // Assess
    expect(problem).toEqual({
      type: 'https://docs.control-plane.dev/errors/ValidationError',
      title: 'Bad Request',
      status: 400,
      detail: 'Fix these.',
      instance: '/v1/vpcs',
      code: 'ValidationError',
      requestId: 'req-42',
      errors,
    });
  });

  it('leaves out instance and errors when there are none', () => {
    // Prepare
    const error = new Conflict('DependencyViolation', 'The VPC has subnets.');

    // Act
    const problem = toProblem(error, 'req-1');

    // Assess
    expect(problem).toEqual({
      type: 'https://docs.control-plane.dev/errors/DependencyViolation',
      title: 'Conflict',
      status: 409,
      detail: 'The VPC has subnets.',
      code: 'DependencyViolation',
      requestId: 'req-1',
    });
  });

  it.each<[string, unknown]>([
    ['a plain Error', new Error('db password=hunter2')],
    ['a TypeError', new TypeError('cannot read hunter2 of undefined')],
    ['a thrown string', 'hunter2'],
    ['a thrown object', { secret: 'hunter2' }],
    ['undefined', undefined],
  ])('turns %s into an opaque 500 InternalError', (_label, error) => {
    // Prepare: an error that is not the client's doing

    // Act
    const problem = toProblem(error, 'req-9', '/v1/me');

    // Assess
    expect(problem).toEqual({
      type: 'https://docs.control-plane.dev/errors/InternalError',
      title: 'Internal Server Error',
      status: 500,
      detail: 'An internal error occurred. Quote the requestId if you contact support.',
      instance: '/v1/me',
      code: 'InternalError',
      requestId: 'req-9',
    });
  });
});

describe('problemResponse', () => {
  it.each<[string, ApiError, number, Record<string, string>]>([
    ['Unauthorized adds WWW-Authenticate', new Unauthorized(), 401, { 'WWW-Authenticate': 'Bearer' }],
    ['ServiceUnavailable adds Retry-After', new ServiceUnavailable(), 503, { 'Retry-After': '1' }],
    ['Conflict adds nothing', new Conflict('X', 'y'), 409, {}],
  ])('%s', (_label, error, status, extra) => {
    // Prepare: the error, built in the table

    // Act
    const response = problemResponse(error, 'req-7', '/v1/x');

    // Assess
    expect(response.statusCode).toBe(status);
    expect(response.headers).toEqual({ 'Content-Type': PROBLEM_CONTENT_TYPE, ...extra });
    expect(PROBLEM_CONTENT_TYPE).toBe('application/problem+json');
    expect(JSON.parse(response.body)).toMatchObject({ status, code: error.code, requestId: 'req-7', instance: '/v1/x' });
  });

  it('says nothing about an internal error: no message, no secret, no stack', () => {
    // Prepare
    const error = new Error('connection failed: db password=hunter2');

    // Act
    const response = problemResponse(error, 'req-8');

    // Assess
    expect(response.statusCode).toBe(500);
    expect(response.headers).toEqual({ 'Content-Type': 'application/problem+json' });
    expect(JSON.parse(response.body)).toMatchObject({ status: 500, code: 'InternalError', requestId: 'req-8' });
    expect(response.body).not.toContain('hunter2');
    expect(response.body).not.toContain('password');
    expect(response.body).not.toContain('connection failed');
    expect(response.body).not.toContain('stack');
    expect(response.body).not.toContain('at ');
    expect(response.body).not.toContain('.ts:');
  });

  it('does not send the 5xx headers of an ApiError when the error is not one', () => {
    // Prepare: a plain error that happens to carry a headers property
    const error = Object.assign(new Error('x'), { headers: { 'X-Leak': 'secret' } });

    // Act
    const response = problemResponse(error, 'req-1');

    // Assess
    expect(response.headers).toEqual({ 'Content-Type': 'application/problem+json' });
  });
});
