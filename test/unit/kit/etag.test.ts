import { assertIfMatch, etagOf, parseIfMatch, type IfMatch } from '../../../functions/kit/etag';
import { type ApiError, BadRequest, PreconditionFailed } from '../../../functions/kit/errors';

function thrown(act: () => unknown): ApiError {
  try {
    act();
  } catch (error) {
    return error as ApiError;
  }
  throw new Error('expected a throw');
}

describe('etagOf', () => {
  it.each<[number | string, string]>([
    [1, '"1"'],
    [42, '"42"'],
    ['7', '"7"'],
  ])('quotes version %p as %s', (version, expected) => {
    // Prepare: the version

    // Act
    const etag = etagOf(version);

    // Assess
    expect(etag).toBe(expected);
  });

  it('gives an ETag that parseIfMatch reads back', () => {
    // Prepare
    const etag = etagOf(12);

    // Act
    const parsed = parseIfMatch(etag);

    // Assess
    expect(parsed).toEqual({ any: false, versions: ['12'] });
  });
});

describe('parseIfMatch', () => {
  it.each<[string | undefined, IfMatch | undefined]>([
    [undefined, undefined],
    ['*', { any: true }],
    [' * ', { any: true }],
    ['"3"', { any: false, versions: ['3'] }],
    ['W/"3"', { any: false, versions: [] }],
    ['"1", "2"', { any: false, versions: ['1', '2'] }],
    ['"1",W/"2" ,  "3"', { any: false, versions: ['1', '3'] }],
    ['""', { any: false, versions: [''] }],
  ])('reads %p', (header, expected) => {
    // Prepare: the header value

    // Act
    const parsed = parseIfMatch(header);

    // Assess
    expect(parsed).toEqual(expected);
  });

  it.each(['3', '"3', '3"', "'3'", '', '"1",', '"1" "2"', 'w/"3"', '*, "1"', 'W/ "3"', '"a"b"'])(
    'refuses %p with 400 InvalidParameterValue',
    (header) => {
      // Prepare: a malformed header value

      // Act
      const error = thrown(() => parseIfMatch(header));

      // Assess
      expect(error).toBeInstanceOf(BadRequest);
      expect(error.status).toBe(400);
      expect(error.code).toBe('InvalidParameterValue');
    },
  );
});

describe('assertIfMatch', () => {
  it.each<[string, IfMatch | undefined, number | string | undefined]>([
    ['no If-Match on an existing resource', undefined, 3],
    ['no If-Match on a missing resource', undefined, undefined],
    ['* on an existing resource', { any: true }, 3],
    ['the current version (number)', { any: false, versions: ['3'] }, 3],
    ['the current version (string)', { any: false, versions: ['3'] }, '3'],
    ['a list that includes the current version', { any: false, versions: ['1', '3'] }, 3],
  ])('passes with %s', (_label, ifMatch, version) => {
    // Prepare: the parsed header and the stored version

    // Act
    const act = () => assertIfMatch(ifMatch, version);

    // Assess
    expect(act).not.toThrow();
  });

  it.each<[string, IfMatch, number | undefined, string]>([
    ['an older version', { any: false, versions: ['2'] }, 3, 'The resource has changed since the ETag given in If-Match.'],
    ['a list without the current version', { any: false, versions: ['1', '2'] }, 3, 'The resource has changed since the ETag given in If-Match.'],
    ['* on a missing resource', { any: true }, undefined, 'The resource does not exist.'],
    ['a version on a missing resource', { any: false, versions: ['1'] }, undefined, 'The resource does not exist.'],
  ])('throws 412 PreconditionFailed with %s', (_label, ifMatch, version, detail) => {
    // Prepare: the parsed header and the stored version

    // Act
    const error = thrown(() => assertIfMatch(ifMatch, version));

    // Assess
    expect(error).toBeInstanceOf(PreconditionFailed);
    expect(error.status).toBe(412);
    expect(error.code).toBe('PreconditionFailed');
    expect(error.message).toBe(detail);
  });
});
