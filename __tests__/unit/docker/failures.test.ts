// docker/failures.ts: which failures are transient (worth a retry) and which are not, on
// real docker output and on the forms registries print elsewhere (__fixtures__/docker-output.ts).
import { describe, expect, it, test } from '@jest/globals'
import { classifyFailure, parseRetryAfter, withoutNames } from '../../../src/docker/failures.js'
import {
  fixture,
  LEGACY_BUILDER,
  PERMANENT_FIXTURES,
  PERMANENT_LITERATURE,
  TRANSIENT_FIXTURES,
  TRANSIENT_LITERATURE
} from '../../__fixtures__/docker-output.js'

describe('classifyFailure', () => {
  test.each(TRANSIENT_FIXTURES)('real docker output, transient: %s', (_name, output, reason) => {
    const c = classifyFailure(output)
    expect(c.transient).toBe(true)
    expect(c.reason).toMatch(reason)
  })

  test.each(TRANSIENT_LITERATURE)('transient: %s', (_name, output, reason) => {
    const c = classifyFailure(output)
    expect(c.transient).toBe(true)
    expect(c.reason).toMatch(reason)
  })

  test.each(PERMANENT_FIXTURES)('real docker output, permanent: %s', (_name, output, reason) => {
    const c = classifyFailure(output)
    expect(c.transient).toBe(false)
    expect(c.reason).toMatch(reason)
  })

  test.each(PERMANENT_LITERATURE)('permanent: %s', (_name, output, reason) => {
    const c = classifyFailure(output)
    expect(c.transient).toBe(false)
    expect(c.reason).toMatch(reason)
  })

  it('lets a permanent fault win over a transient one in the same output', () => {
    // A RUN step that could not download: the build failed, retrying the build is not ours to decide.
    const output = `${LEGACY_BUILDER}\ncurl: (7) Failed to connect to example.org port 443: Connection refused\nThe command '/bin/sh -c curl -f https://example.org' returned a non-zero code: 7\n`
    expect(classifyFailure(output)).toEqual({ transient: false, reason: 'the Dockerfile or one of its steps failed' })
    expect(classifyFailure('toomanyrequests\nunauthorized: authentication required\n').transient).toBe(false)
  })

  it('does not retry output it does not recognise, or no output at all', () => {
    expect(classifyFailure('')).toEqual({ transient: false, reason: expect.stringContaining('no transient') })
    expect(classifyFailure('something else went wrong\n').transient).toBe(false)
    // 501 and 505 are not faults of the moment.
    expect(classifyFailure('received unexpected HTTP status: 501 Not Implemented').transient).toBe(false)
  })

  it("ignores the engine's own progress lines and sizes", () => {
    // "Retrying in 5 seconds" is the engine retrying a layer: no hint, no fault by itself.
    expect(classifyFailure('ceb247090378: Retrying in 5 seconds\n').transient).toBe(false)
    const c = classifyFailure(
      'ceb247090378: Retrying in 5 seconds\nreceived unexpected HTTP status: 503 Service Unavailable\n'
    )
    expect(c).toEqual({ transient: true, reason: 'the registry answered 503 Service Unavailable' })
    // A digest line's size is not a status code.
    expect(
      classifyFailure(
        'v1: digest: sha256:768e2ffa8e37f5e52cdc0552747733eb58e455390a9ebb28ea431fc1de4410e1 size: 401\nEOF\n'
      ).transient
    ).toBe(false)
  })

  it('ignores leading noise and Windows line endings', () => {
    expect(classifyFailure('Put "http://localhost:35005/v2/e/p/manifests/v1": EOF\r\n').transient).toBe(true)
  })

  it('carries a Retry-After hint of a transient fault', () => {
    expect(classifyFailure('toomanyrequests: too many requests, Retry-After: 5').retryAfterMs).toBe(5000)
    expect(
      classifyFailure('received unexpected HTTP status: 503 Service Unavailable (retry after 2s)').retryAfterMs
    ).toBe(2000)
    expect(classifyFailure('received unexpected HTTP status: 503 Service Unavailable')).not.toHaveProperty(
      'retryAfterMs'
    )
    // …and none for a permanent one.
    expect(classifyFailure('unauthorized: retry after 5s')).not.toHaveProperty('retryAfterMs')
  })
})

describe('parseRetryAfter', () => {
  test.each([
    ['Retry-After: 5', 5000],
    ['retry-after: 0', 0],
    ['Retry-After:7\n', 7000],
    ['retry after 5s', 5000],
    ['retry after 1.5 seconds', 1500],
    ['retry after 250ms', 250],
    ['please retry in 10 seconds', 10000],
    ['Please try again in 2 minutes.', 120000],
    ['Too many requests, try again in 30 sec', 30000],
    ['{"retry_after": 3}', 3000],
    ['"Retry-After":"4"', 4000]
  ])('%j → %d ms', (text, ms) => {
    expect(parseRetryAfter(text)).toBe(ms)
  })

  it('reads an HTTP date relative to now', () => {
    const now = Date.parse('Wed, 21 Oct 2015 07:27:50 GMT')
    expect(parseRetryAfter('Retry-After: Wed, 21 Oct 2015 07:28:00 GMT', now)).toBe(10000)
    expect(parseRetryAfter('Retry-After: Wed, 21 Oct 2015 07:27:00 GMT', now)).toBe(0)
    expect(parseRetryAfter('Retry-After: Wed, 21 Oct 2015 07:28:00 GMT')).toBeUndefined()
  })

  it('finds nothing in ordinary output', () => {
    expect(parseRetryAfter('ceb247090378: Retrying in 5 seconds')).toBeUndefined()
    expect(parseRetryAfter('received unexpected HTTP status: 503 Service Unavailable')).toBeUndefined()
    expect(parseRetryAfter('retry after a while')).toBeUndefined()
  })
})

describe('withoutNames', () => {
  test.each<[string, string]>([
    ['Get "http://localhost:5000/v2/denied-x/manifests/v1": EOF', 'Get "…": EOF'],
    ['The push refers to repository [localhost:5000/unauthorized-app]', 'The push refers to repository […]'],
    ['failed to solve: ghcr.io/o/manifest-unknown:1: boom', 'failed to solve: … boom'],
    ['open /ws/denied/Dockerfile: no such file', 'open … no such file'],
    ['dial tcp 140.82.112.33:443: i/o timeout', 'dial tcp 140.82.112.33:443: i/o timeout'],
    ['net/http: TLS handshake timeout', 'net/http: TLS handshake timeout'],
    ['denied: requested access to the resource is denied', 'denied: requested access to the resource is denied'],
    ['unexpected status code [manifests 1]: 503', 'unexpected status code […]: 503'],
    ['a "quoted\nacross" line', 'a "quoted\nacross" line']
  ])('%j -> %j', (text, expected) => {
    expect(withoutNames(text)).toBe(expected)
  })
})

describe('classifyFailure: names that read like faults', () => {
  const FORMS: [string, (name: string) => string, RegExp][] = [
    [
      'push, manifest PUT 503',
      (name) =>
        `The push refers to repository [localhost:40729/exp/${name}]\nceb247090378: Preparing\nreceived unexpected HTTP status: 503 Service Unavailable\n`,
      /^the registry answered 503 Service Unavailable$/
    ],
    [
      'push, manifest PUT reset',
      (name) =>
        `Put "http://localhost:42445/v2/exp/${name}/manifests/v1": read tcp 127.0.0.1:42784->127.0.0.1:42445: read: connection reset by peer\n`,
      /^the connection was reset$/
    ],
    [
      'pull, connection refused',
      (name) =>
        `Error response from daemon: Get "http://localhost:39871/v2/exp/${name}/manifests/v1": dial tcp 127.0.0.1:39871: connect: connection refused\n`,
      /^connection refused$/
    ],
    [
      'BuildKit 502',
      (name) =>
        `ERROR: failed to solve: ghcr.io/o/${name}:1: failed to resolve source metadata for ghcr.io/o/${name}:1: unexpected status code [manifests 1]: 502 Bad Gateway`,
      /^the registry answered 502 Bad Gateway$/
    ],
    [
      'login, 503',
      (name) =>
        `Error response from daemon: login attempt to http://${name}.example.com/v2/ failed with status: 503 Service Unavailable\n`,
      /^the registry answered 503 Service Unavailable$/
    ]
  ]
  const NAMES = ['unauthorized-app', 'denied-x', 'manifest-unknown', 'name-unknown', 'unauthorized', 'denied']

  describe.each(FORMS)('%s', (_form, output, reason) => {
    test.each(NAMES)('with a repository called %s stays transient', (name) => {
      const c = classifyFailure(output(name))
      expect(c.transient).toBe(true)
      expect(c.reason).toMatch(reason)
    })
  })

  it('still reads the real refusals around a name', () => {
    expect(classifyFailure(fixture('pull, no such repository'))).toEqual({
      transient: false,
      reason: 'the image or tag does not exist (manifest unknown)'
    })
    expect(
      classifyFailure(
        'Error response from daemon: Head "https://ghcr.io/v2/o/denied-x/manifests/1": unauthorized: authentication required'
      )
    ).toEqual({ transient: false, reason: 'the registry refused the credentials (unauthorized)' })
  })
})
