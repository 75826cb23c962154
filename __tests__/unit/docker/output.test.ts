import { describe, expect, it, test } from '@jest/globals'
import { classifyFailure, parseRetryAfter, withoutNames } from '../../../src/docker/failures.js'
import {
  buildCache,
  commandFailed,
  errorSummary,
  loginFailure,
  pushedDigest,
  shortCommand,
  shownDockerHost
} from '../../../src/docker/output.js'
import { shownArg } from '../../../src/runner/log.js'
import { DockerError, EngineUnreachable } from '../../../src/domain/errors.js'
import * as built from '../../__fixtures__/build-output.js'

const DIGEST = 'sha256:1e226b227e53c467365f7805864fa6e432d96d9071f6949fc152f62a858bc812'
const OTHER = 'sha256:' + '0123456789abcdef'.repeat(4)

const PUSH_OUTPUT = [
  'The push refers to repository [localhost:5000/e/app]',
  'd0191d577827: Preparing',
  'ceb247090378: Layer already exists',
  `v1: digest: ${DIGEST} size: 735`,
  ''
].join('\n')

const LEGACY_BUILDER = [
  'DEPRECATED: The legacy builder is deprecated and will be removed in a future release.',
  '            Install the buildx component to build images with BuildKit:',
  '            https://docs.docker.com/go/buildx/',
  ''
].join('\n')

const UNENCRYPTED = [
  "WARNING! Your credentials are stored unencrypted in '/tmp/ship-image-x/docker-config/config.json'.",
  'Configure a credential helper to remove this warning. See',
  'https://docs.docker.com/go/credential-store/',
  ''
].join('\n')

describe('pushedDigest', () => {
  it('picks the digest from real docker push output', () => {
    expect(pushedDigest(PUSH_OUTPUT)).toBe(DIGEST)
  })

  it('picks the last digest when there are several', () => {
    const output = `${PUSH_OUTPUT}The push refers to repository [localhost:5000/e/app]\nv2: digest: ${OTHER} size: 736\n`
    expect(pushedDigest(output)).toBe(OTHER)
  })

  it('handles Windows line endings', () => {
    expect(pushedDigest(PUSH_OUTPUT.replace(/\n/g, '\r\n'))).toBe(DIGEST)
  })

  test.each([
    ['empty output', ''],
    ['no digest line', 'The push refers to repository [localhost:5000/e/app]\nd0191d577827: Preparing\n'],
    ['a short digest', 'v1: digest: sha256:1e226b22 size: 735'],
    ['an uppercase digest', `v1: digest: ${DIGEST.toUpperCase().replace('SHA256', 'sha256')} size: 735`],
    ['another algorithm', `v1: digest: sha512:${'a'.repeat(64)} size: 735`],
    ['a digest without the "digest: " label', `v1: ${DIGEST} size: 735`]
  ])('is undefined for %s', (_label, output) => {
    expect(pushedDigest(output)).toBeUndefined()
  })
})

describe('errorSummary', () => {
  test.each<[string, string, string, string]>([
    [
      'a one-line error',
      'Error response from daemon: pull access denied\n',
      '',
      'Error response from daemon: pull access denied'
    ],
    ['blank lines and trailing spaces', '\n  first  \n\n\nsecond   \n\n', '', '  first | second'],
    ['more than four lines, keeping the last four', 'l1\nl2\nl3\nl4\nl5\nl6\n', '', 'l3 | l4 | l5 | l6'],
    ['exactly four lines', 'a\nb\nc\nd', '', 'a | b | c | d'],
    [
      'the legacy-builder deprecation notice',
      `${LEGACY_BUILDER}unable to prepare context: path "/nope" not found\n`,
      '',
      'unable to prepare context: path "/nope" not found'
    ],
    [
      'the unencrypted-credentials warning',
      `${UNENCRYPTED}Error response from daemon: Get "https://localhost:5000/v2/": unauthorized\n`,
      '',
      'Error response from daemon: Get "https://localhost:5000/v2/": unauthorized'
    ],
    [
      'noise between meaningful lines, not counted among the four',
      `a\nb\n${LEGACY_BUILDER}c\n${UNENCRYPTED}d\ne\n`,
      '',
      'b | c | d | e'
    ],
    ['stdout when stderr is empty', '', 'out1\nout2\n', 'out1 | out2'],
    ['stdout when stderr is only white space', ' \n\t\n', 'from stdout\n', 'from stdout'],
    ['stderr, not stdout, when stderr has text', 'from stderr\n', 'from stdout\n', 'from stderr'],
    ['stderr that is only noise', LEGACY_BUILDER, 'stdout is not used\n', 'no error output'],
    ['nothing at all', '', '', 'no error output'],
    ['Windows line endings', 'first\r\nsecond\r\n', '', 'first | second']
  ])('%s', (_label, stderr, stdout, expected) => {
    expect(errorSummary(stderr, stdout)).toBe(expected)
  })

  it('defaults stdout to empty', () => {
    expect(errorSummary('')).toBe('no error output')
    expect(errorSummary('boom')).toBe('boom')
  })

  it('keeps a line that only mentions deprecation', () => {
    expect(errorSummary('DEPRECATED: something else\n')).toBe('DEPRECATED: something else')
  })
})

// Real output, recorded with __tests__/e2e/fault-proxy.ts in front of the plain
// registry (localhost:5000) or the TLS + htpasswd one (localhost:5443), engine
// 20.10.24, client /usr/local/bin/docker 28.2.2 ("28") and /usr/bin/docker
// 20.10.24 ("20.10"). Unless noted, both clients printed exactly the same text
// (push, pull and login messages come from the engine). Each fixture is stderr
// (plus stdout where it matters), as the action's errorSummary sees it.

/** Transient faults, as docker printed them. */
const TRANSIENT_FIXTURES: [string, string, RegExp][] = [
  // 503 (JSON error body UNAVAILABLE, or an HTML body: same text) on PUT /v2/<name>/manifests/<tag>; docker push, 28 and 20.10
  [
    'push, manifest PUT 503',
    'The push refers to repository [localhost:40729/exp/p26576375]\nceb247090378: Preparing\nceb247090378: Pushed\nreceived unexpected HTTP status: 503 Service Unavailable\n',
    /^the registry answered 503 Service Unavailable$/
  ],
  // 500 / 502 / 504 with an HTML body on the manifest PUT; docker push, 28
  [
    'push, manifest PUT 500',
    'received unexpected HTTP status: 500 Internal Server Error\n',
    /^the registry answered 500 Internal Server Error$/
  ],
  [
    'push, manifest PUT 502',
    'received unexpected HTTP status: 502 Bad Gateway\n',
    /^the registry answered 502 Bad Gateway$/
  ],
  [
    'push, manifest PUT 504',
    'received unexpected HTTP status: 504 Gateway Timeout\n',
    /^the registry answered 504 Gateway Timeout$/
  ],
  // 500 on every POST /blobs/uploads/: the engine retried the layer 5 times (5+10+15+20 s), then; docker push, 28
  [
    'push, blob upload 500 after the engine gave up',
    'The push refers to repository [localhost:40665/exp/p2941121797]\nceb247090378: Preparing\nceb247090378: Retrying in 5 seconds\nceb247090378: Retrying in 1 second\nceb247090378: Retrying in 20 seconds\nceb247090378: Retrying in 1 second\nreceived unexpected HTTP status: 500 Internal Server Error\n',
    /^the registry answered 500 Internal Server Error$/
  ],
  // 429 with the registry's default JSON body {"errors":[{"code":"TOOMANYREQUESTS","message":"too many requests"}]}
  // and Retry-After: 7 (the header is not printed); docker push, 28 and 20.10
  ['push, manifest PUT 429', 'toomanyrequests\n', /^the registry answered 429 Too Many Requests$/],
  // 429 with Docker Hub's rate-limit message in the JSON body; docker push, 28
  [
    'push, 429 with a message',
    'toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit\n',
    /^the registry answered 429 Too Many Requests$/
  ],
  // 429 with a plain-text body; docker push, 28 and 20.10
  [
    'push, 429 without a JSON body',
    'error parsing HTTP 429 response body: invalid character \'T\' looking for beginning of value: "Too Many Requests\\n"\n',
    /^the registry answered 429 Too Many Requests$/
  ],
  // 429 on HEAD+GET manifests; docker pull, 28
  [
    'pull, manifest 429',
    'Error response from daemon: toomanyrequests\n',
    /^the registry answered 429 Too Many Requests$/
  ],
  // 503 on GET manifests (by digest, after the HEAD); docker pull, 28 and 20.10
  [
    'pull, manifest GET 503',
    'Error response from daemon: received unexpected HTTP status: 503 Service Unavailable\n',
    /^the registry answered 503 Service Unavailable$/
  ],
  // 500 on every GET of the layer blob: the engine retried for 75 s, then (no "Error response from daemon:"); docker pull, 28
  [
    'pull, blob GET 500 after the engine gave up',
    'received unexpected HTTP status: 500 Internal Server Error\n',
    /^the registry answered 500 Internal Server Error$/
  ],
  // every GET of the layer blob cut after 100000 bytes: resumed with Range 5 times, then; docker pull, 28
  [
    'pull, blob GET truncated',
    'v1: Pulling from exp/pullsrc\n43acf0f166f0: Already exists\n4d1841e10929: Pulling fs layer\n4d1841e10929: Retrying in 1 second\nunexpected EOF\n',
    /unexpected EOF/
  ],
  // GET of the manifest by digest cut after 10 bytes (kind 'truncate'); docker pull, 28 and 20.10
  [
    'pull, manifest truncated',
    'Error response from daemon: unexpected EOF\n',
    /^the connection ended early \(unexpected EOF\)$/
  ],
  // Concurrent pushes of images sharing a layer to one repository:tag (holes.test.ts): the registry's
  // filesystem store writes a link file in place, so a reader in between finds it empty ("invalid
  // checksum digest format" in the registry's log) and answers 500, or a manifest PUT finds a layer
  // missing. Recorded against the plain registry directly, engine 20.10 (client 28) and 26.
  [
    'push, manifest PUT while another push writes a layer link (20.10)',
    'errors:\ndigest invalid\nmanifest blob unknown: blob unknown to registry\n',
    /^the registry did not have a layer the manifest names \(manifest blob unknown\)$/
  ],
  [
    'push, manifest HEAD 500 (26)',
    'unexpected status from HEAD request to http://localhost:5000/v2/rrace-buildx-21000/manifests/shared: 500 Internal Server Error\n',
    /^the registry answered 500 Internal Server Error$/
  ],
  [
    'push, blob HEAD 500 (26)',
    'unexpected status from HEAD request to http://localhost:5000/v2/rrace-buildx-21000/blobs/sha256:351b9aed0aeac99cb3a604de6fb3f18cfa2a864c53683171cd7b10d553584b12: 500 Internal Server Error\n',
    /^the registry answered 500 Internal Server Error$/
  ],
  // 503 and 429 on GET /v2/; docker login, 28 and 20.10
  [
    'login, 503',
    'Error response from daemon: login attempt to http://localhost:34203/v2/ failed with status: 503 Service Unavailable\n',
    /^the registry answered 503 Service Unavailable$/
  ],
  [
    'login, 429',
    'Error response from daemon: login attempt to http://localhost:33785/v2/ failed with status: 429 Too Many Requests\n',
    /^the registry answered 429 Too Many Requests$/
  ],
  // TCP RST (socket.resetAndDestroy) on the manifest PUT; docker push, 28 and 20.10
  [
    'push, manifest PUT reset',
    'Put "http://localhost:42445/v2/exp/p927912080/manifests/v1": read tcp 127.0.0.1:42784->127.0.0.1:42445: read: connection reset by peer\n',
    /^the connection was reset$/
  ],
  // TCP RST on the config blob's PATCH (the engine does not retry the config blob); docker push, 28
  [
    'push, config blob PATCH reset',
    'Patch "http://localhost:36963/v2/exp/p983424875/blobs/uploads/0a855d4e-c415-4660-9e77-5a66f678418e?_state=vxVNwyseE70wYQEJzMhKYfvoMSVNqzYLdCLXDD8wr1d7Ik5hbWUiOiJleHAvcDk4MzQyNDg3NSIsIlVVSUQiOiIwYTg1NWQ0ZS1jNDE1LTQ2NjAtOWU3Ny01YTY2ZjY3ODQxOGUiLCJPZmZzZXQiOjAsIlN0YXJ0ZWRBdCI6IjIwMjYtMTItMDFUMDY6MDM6NTIuMjk3NjIzNjVaIn0%3D": read tcp 127.0.0.1:51524->127.0.0.1:36963: read: connection reset by peer\n',
    /^the connection was reset$/
  ],
  // TCP RST on every PATCH of an 8 MB layer: the engine retried each layer 5 times, then; docker push, 28
  [
    'push, layer PATCH reset after the engine gave up',
    'write tcp 127.0.0.1:57484->127.0.0.1:33319: use of closed network connection\n',
    /closed during the transfer/
  ],
  // TCP RST on GET /v2/; docker push (no "Error response from daemon:") and docker login, 28 and 20.10
  [
    'push, ping reset',
    'Get "http://localhost:46849/v2/": read tcp 127.0.0.1:52912->127.0.0.1:46849: read: connection reset by peer\n',
    /^the connection was reset$/
  ],
  [
    'login, ping reset',
    'Error response from daemon: Get "http://localhost:35293/v2/": read tcp 127.0.0.1:37818->127.0.0.1:35293: read: connection reset by peer\n',
    /^the connection was reset$/
  ],
  // Connection closed without an answer (FIN, socket.destroy) on the manifest PUT and on GET /v2/; docker push, 28 and 20.10
  ['push, manifest PUT closed', 'Put "http://localhost:35005/v2/exp/p485814155/manifests/v1": EOF\n', /EOF/],
  [
    'push, ping closed',
    'The push refers to repository [localhost:41937/exp/p3169815752]\nGet "http://localhost:41937/v2/": EOF\n',
    /EOF/
  ],
  // Proxy stopped; docker push, pull and login, 28 and 20.10
  [
    'push, connection refused',
    'The push refers to repository [localhost:39871/exp/c11240]\nGet "http://localhost:39871/v2/": dial tcp 127.0.0.1:39871: connect: connection refused\n',
    /^connection refused$/
  ],
  [
    'pull, connection refused',
    'Error response from daemon: Get "http://localhost:39871/v2/": dial tcp 127.0.0.1:39871: connect: connection refused\n',
    /^connection refused$/
  ],
  // legacy builder, FROM through the proxy: 503 on HEAD+GET manifests, and a reset on the HEAD; docker build, 28
  [
    'build, FROM manifest 503',
    `${LEGACY_BUILDER}\nreceived unexpected HTTP status: 503 Service Unavailable\n`,
    /503 Service Unavailable/
  ],
  [
    'build, FROM manifest reset',
    `${LEGACY_BUILDER}\nHead "http://localhost:42733/v2/exp/pullsrc/manifests/v1": read tcp 127.0.0.1:47916->127.0.0.1:42733: read: connection reset by peer\n`,
    /^the connection was reset$/
  ]
]

/** Transient faults not produced here (no such fault on loopback), in the form Go and docker print them. */
const TRANSIENT_LITERATURE: [string, string, RegExp][] = [
  // the manifest PUT of the concurrent pushes above when only a half-written layer record was found
  ['push, manifest PUT, digest invalid alone', 'errors:\ndigest invalid\n', /^the registry could not verify a digest/],
  [
    'TLS handshake timeout',
    'Error response from daemon: Get "https://registry-1.docker.io/v2/": net/http: TLS handshake timeout',
    /^TLS handshake timeout$/
  ],
  [
    'i/o timeout',
    'Error response from daemon: Get "https://ghcr.io/v2/": dial tcp 140.82.112.33:443: i/o timeout',
    /i\/o timeout/
  ],
  [
    'request canceled',
    'Error response from daemon: Get "https://registry-1.docker.io/v2/": net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)',
    /timed out|cancelled/
  ],
  [
    'context deadline exceeded',
    'Error response from daemon: Get "https://quay.io/v2/": context deadline exceeded',
    /^the request timed out$/
  ],
  ['broken pipe', 'write tcp 10.1.0.4:51234->52.1.2.3:443: write: broken pipe', /broken pipe/],
  [
    'DNS SERVFAIL',
    'Error response from daemon: Get "https://ghcr.io/v2/": dial tcp: lookup ghcr.io on 127.0.0.53:53: server misbehaving',
    /DNS/
  ],
  ['DNS EAI_AGAIN', 'dial tcp: lookup ghcr.io: Temporary failure in name resolution', /DNS/],
  [
    'BuildKit 502',
    'ERROR: failed to solve: ghcr.io/o/base:1: failed to resolve source metadata for ghcr.io/o/base:1: unexpected status code [manifests 1]: 502 Bad Gateway',
    /^the registry answered 502 Bad Gateway$/
  ],
  [
    'nginx wording',
    'received unexpected HTTP status: 503 Service Temporarily Unavailable',
    /^the registry answered 503 Service Temporarily Unavailable$/
  ],
  // engine 26's push prints the status text alone: the code is put back in front
  ['bare Service Unavailable', 'Service Unavailable', /^the registry answered 503 Service Unavailable$/],
  ['bare Gateway Time-out', 'failed to do request: Gateway Time-out', /^the registry answered 504 Gateway Time-out$/]
]

/** Permanent faults, as docker printed them. */
const PERMANENT_FIXTURES: [string, string, RegExp][] = [
  // wrong password, through the proxy to the TLS registry and to it directly; docker login, 28 and 20.10
  [
    'login, wrong password (proxy)',
    'Error response from daemon: login attempt to http://localhost:40015/v2/ failed with status: 401 Unauthorized\n',
    /401 Unauthorized/
  ],
  [
    'login, wrong password (direct)',
    'Error response from daemon: login attempt to https://localhost:5443/v2/ failed with status: 401 Unauthorized\n',
    /401 Unauthorized/
  ],
  // 403 with a DENIED JSON body on GET /v2/; docker login, 28 and 20.10
  [
    'login, 403',
    'Error response from daemon: login attempt to http://localhost:45691/v2/ failed with status: 403 Forbidden\n',
    /403 Forbidden/
  ],
  // push to the TLS registry (through the proxy) without logging in; docker push, 28
  [
    'push, no credentials',
    'The push refers to repository [localhost:38523/exp/a4783]\nceb247090378: Preparing\nno basic auth credentials\n',
    /no credentials/
  ],
  // docker pull of a tag, a repository and a digest the registry does not have; 28 and 20.10
  [
    'pull, no such tag',
    'Error response from daemon: manifest for localhost:34673/exp/pullsrc:nope not found: manifest unknown: manifest unknown\n',
    /manifest unknown/
  ],
  [
    'pull, no such repository',
    'Error response from daemon: manifest for localhost:32979/exp/nonexistent:v1 not found: manifest unknown: manifest unknown\n',
    /manifest unknown/
  ],
  // local reference errors; 28 (first) and 20.10 (second) differ
  ['push, uppercase (28)', 'invalid reference format: repository name (Exp/Upper) must be lowercase\n', /lowercase/],
  ['push, uppercase (20.10)', 'invalid reference format: repository name must be lowercase\n', /lowercase/],
  [
    'tag, bad reference',
    'Error parsing reference: "localhost:5000/exp/bad::tag" is not a valid repository/tag: invalid reference format\n',
    /not valid/
  ],
  [
    'push, no local image',
    'The push refers to repository [localhost:5000/exp/doesnotexist-xyz]\nAn image does not exist locally with the tag: localhost:5000/exp/doesnotexist-xyz\n',
    /does not exist locally/
  ],
  ['save, no local image', 'Error response from daemon: reference does not exist\n', /does not exist locally/],
  // NXDOMAIN; docker pull, 28 and 20.10
  [
    'pull, no such host',
    'Error response from daemon: Get "https://nosuchhost.invalid/v2/": dial tcp: lookup nosuchhost.invalid on 10.255.255.53:53: no such host\n',
    /no such host/
  ],
  // legacy builder; docker build, 28
  [
    'build, RUN failed',
    `${LEGACY_BUILDER}\nThe command '/bin/sh -c false' returned a non-zero code: 1\n`,
    /Dockerfile/
  ],
  [
    'build, parse error',
    `${LEGACY_BUILDER}\nError response from daemon: dockerfile parse error line 2: unknown instruction: RUNN\n`,
    /Dockerfile/
  ]
]

/** Permanent faults in the form registries and docker print them elsewhere. */
const PERMANENT_LITERATURE: [string, string, RegExp][] = [
  ['Docker Hub denied', 'denied: requested access to the resource is denied', /denied/],
  [
    'GHCR unauthorized',
    'unauthorized: unauthenticated: User cannot be authenticated with the token provided.',
    /credentials/
  ],
  [
    'authentication required',
    'Error response from daemon: Head "https://ghcr.io/v2/o/x/manifests/1": unauthorized: authentication required',
    /credentials|authentication/
  ],
  ['name unknown', 'name unknown: repository name not known to registry', /name unknown/],
  ['no such image', 'Error response from daemon: No such image: nosuch:latest', /no such image/],
  [
    'x509',
    'Error response from daemon: Get "https://localhost:5443/v2/": x509: certificate signed by unknown authority',
    /certificate/
  ],
  [
    'engine down',
    'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?',
    /engine/
  ],
  [
    'BuildKit step failed',
    'ERROR: failed to solve: process "/bin/sh -c make" did not complete successfully: exit code: 2',
    /Dockerfile/
  ],
  [
    'BuildKit COPY',
    'ERROR: failed to solve: failed to compute cache key: failed to calculate checksum of ref x::y: "/missing": not found',
    /Dockerfile/
  ]
]

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

/** A recorded or literature fixture above, by its label. */
function fixture(label: string): string {
  const found = [...TRANSIENT_FIXTURES, ...TRANSIENT_LITERATURE, ...PERMANENT_FIXTURES, ...PERMANENT_LITERATURE].find(
    ([name]) => name === label
  )
  if (found === undefined) throw new Error(`no fixture '${label}'`)
  return found[1]
}

/** The rules that rewrite docker's text or an argument before it is read or shown: input -> output. */
const REWRITES: [string, (text: string) => string, [string, string][]][] = [
  [
    'withoutNames',
    withoutNames,
    [
      ['Get "http://localhost:5000/v2/denied-x/manifests/v1": EOF', 'Get "…": EOF'],
      ['The push refers to repository [localhost:5000/unauthorized-app]', 'The push refers to repository […]'],
      ['failed to solve: ghcr.io/o/manifest-unknown:1: boom', 'failed to solve: … boom'],
      ['open /ws/denied/Dockerfile: no such file', 'open … no such file'],
      ['dial tcp 140.82.112.33:443: i/o timeout', 'dial tcp 140.82.112.33:443: i/o timeout'],
      ['net/http: TLS handshake timeout', 'net/http: TLS handshake timeout'],
      ['denied: requested access to the resource is denied', 'denied: requested access to the resource is denied'],
      ['unexpected status code [manifests 1]: 503', 'unexpected status code […]: 503'],
      ['a "quoted\nacross" line', 'a "quoted\nacross" line']
    ]
  ],
  [
    'shownArg',
    shownArg,
    [
      ['https://x-access-token:TOKEN@github.com/o/r.git', 'https://***@github.com/o/r.git'],
      ['https://TOKEN@github.com/o/r.git#main:dir', 'https://***@github.com/o/r.git#main:dir'],
      ['HTTP://U:P@host/ctx.tar', 'HTTP://***@host/ctx.tar'],
      ['URL=https://u:pw@x.test/?a=b', 'URL=https://***@x.test/?a=b'],
      ['https://github.com/o/r.git', 'https://github.com/o/r.git'],
      ['git@github.com:o/r.git', 'git@github.com:o/r.git'],
      ['alice@example.com', 'alice@example.com'],
      ['ghcr.io/org/app@sha256:abc', 'ghcr.io/org/app@sha256:abc'],
      ['id=npm_token,env=SHIP_IMAGE_SECRET_1', 'id=npm_token,env=SHIP_IMAGE_SECRET_1'],
      ['--tag', '--tag']
    ]
  ],
  [
    'shownDockerHost',
    shownDockerHost,
    [
      ['tcp://user:pw@docker:2376', 'tcp://docker:2376'],
      ['ssh://me@build-host', 'ssh://build-host'],
      ['tcp://docker:2376', 'tcp://docker:2376'],
      ['unix:///var/run/docker.sock', 'unix:///var/run/docker.sock'],
      ['tcp://docker:2376/path@x', 'tcp://docker:2376/path@x']
    ]
  ]
]

describe.each(REWRITES)('%s', (_name, rewrite, cases) => {
  test.each(cases)('%j -> %j', (text, expected) => {
    expect(rewrite(text)).toBe(expected)
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

describe('shortCommand', () => {
  test.each<[string[], string]>([
    [['push', 'ghcr.io/org/app:v1'], 'push ghcr.io/org/app:v1'],
    [['pull', 'alpine:3.20'], 'pull alpine:3.20'],
    [['login', '--username', 'alice', '--password-stdin', 'ghcr.io'], 'login ghcr.io'],
    [['login', '--username', 'alice', '--password-stdin'], 'login'],
    [['image', 'tag', 'alpine:3.20', 'ghcr.io/org/app:v1'], 'image tag ghcr.io/org/app:v1'],
    [['tag', 'alpine:3.20', 'ghcr.io/org/app:v1'], 'tag ghcr.io/org/app:v1'],
    [['build', '--file', '/ws/Dockerfile', '--tag', 'a:1', '--iidfile', '/t/iid', '/ws'], 'build'],
    [['buildx', 'build', '--load', '--tag', 'a:1', 'https://x-access-token:TOKEN@github.com/o/r.git'], 'buildx build'],
    [['image', 'save', 'a:1', 'b:1'], 'image save'],
    [['image', 'inspect', '--format', '{{.Id}}', 'a:1'], 'image inspect'],
    [['buildx', 'imagetools', 'create', '--tag', 'a:2', 'a:1'], 'buildx imagetools create a:1'],
    [['version'], 'version'],
    [[], '']
  ])('%j -> %j', (args, short) => {
    expect(shortCommand(args)).toBe(short)
  })
})

describe('commandFailed', () => {
  it("puts docker's reason first, then the short command and the exit code", () => {
    const err = commandFailed(
      ['push', 'ghcr.io/org/app:v1'],
      1,
      'received unexpected HTTP status: 503 Service Unavailable',
      undefined
    )
    expect(err).toBeInstanceOf(DockerError)
    expect(err.message).toBe(
      'received unexpected HTTP status: 503 Service Unavailable (docker push ghcr.io/org/app:v1 failed, exit code 1)'
    )
  })

  it('stays short with 200 tags, and shows no token of the context', () => {
    const tags = Array.from({ length: 200 }, (_, i) => ['--tag', `ghcr.io/org/app:v${i}`]).flat()
    const args = ['buildx', 'build', '--load', ...tags, 'https://x-access-token:TOKEN@github.com/o/r.git']
    const err = commandFailed(args, 1, 'ERROR: failed to solve: boom', undefined)
    expect(err.message).toBe('ERROR: failed to solve: boom (docker buildx build failed, exit code 1)')
    expect(err.message.length).toBeLessThan(120)
  })

  test.each<[string | undefined, string]>([
    [undefined, 'the default socket /var/run/docker.sock'],
    ['tcp://user:pw@docker:2376', 'DOCKER_HOST=tcp://docker:2376']
  ])('says the engine is not reachable (DOCKER_HOST %j)', (host, where) => {
    const err = commandFailed(['push', 'a:1'], 1, fixture('engine down'), host)
    expect(err).toBeInstanceOf(EngineUnreachable)
    expect(err.message).toBe(
      `The Docker engine is not reachable at ${where}. Start the engine (on a self-hosted runner: systemctl start docker), or point DOCKER_HOST at a running one.`
    )
  })
})

describe('loginFailure', () => {
  const CREDENTIALS = 'Check the username and password inputs (a token needs permission to push)'
  const noAnswer = (reason: string): string =>
    `The registry did not answer the login (${reason}); check that localhost:5000 is the right host and port, and that it is up`

  test.each<[string, string, string]>([
    ['a 401', fixture('login, wrong password (proxy)'), CREDENTIALS],
    ['a 403', fixture('login, 403'), CREDENTIALS],
    ['unauthorized', fixture('GHCR unauthorized'), CREDENTIALS],
    ['authentication required', fixture('authentication required'), CREDENTIALS],
    ['denied', fixture('Docker Hub denied'), CREDENTIALS],
    ['a refused connection', fixture('pull, connection refused'), noAnswer('connection refused')],
    ['a 503', fixture('login, 503'), noAnswer('the registry answered 503 Service Unavailable')],
    ['a 429', fixture('login, 429'), noAnswer('the registry answered 429 Too Many Requests')],
    ['an i/o timeout', fixture('i/o timeout'), noAnswer('the network timed out (i/o timeout)')],
    [
      'a reset on a host named unauthorized',
      fixture('login, ping reset').replace('localhost', 'unauthorized'),
      noAnswer('the connection was reset')
    ],
    [
      'an untrusted certificate',
      fixture('x509'),
      'The registry TLS certificate is not trusted; check the registry input'
    ],
    [
      'an unknown host',
      fixture('pull, no such host'),
      'The registry host name does not resolve (no such host); check the registry input'
    ],
    [
      'a plain HTTP registry',
      'Error response from daemon: Get "https://localhost:5000/v2/": http: server gave HTTP response to HTTPS client\n',
      'The registry speaks plain HTTP where HTTPS was expected; check the registry input'
    ],
    ['anything else', 'something odd\n', 'Check the username and password inputs, and the registry input']
  ])('%s gives its advice', (_label, stderr, advice) => {
    const message = loginFailure('localhost:5000', 'alice', stderr).message
    expect(message.startsWith('Login to localhost:5000 as alice failed: ')).toBe(true)
    expect(message.endsWith(`. ${advice}.`)).toBe(true)
    expect(message).not.toContain('Error response from daemon')
  })

  it("quotes docker's own reason between the two", () => {
    expect(loginFailure('localhost:5000', 'alice', fixture('login, wrong password (direct)')).message).toBe(
      `Login to localhost:5000 as alice failed: login attempt to https://localhost:5443/v2/ failed with status: 401 Unauthorized. ${CREDENTIALS}.`
    )
  })
})

describe('buildCache: the steps the builder took from its cache', () => {
  test.each<[string, string, { steps: number; cached: number } | undefined]>([
    ['the classic builder, three of four cached', built.CLASSIC_CACHED, { steps: 4, cached: 3 }],
    ["docker 20.10's BuildKit, all cached", built.BUILDKIT_0_8_CACHED, { steps: 4, cached: 4 }],
    ['buildx 0.13, all cached', built.BUILDX_CACHED, { steps: 4, cached: 4 }],
    [
      'BuildKit, a failed build in the second stage (its FROM cached is no step)',
      built.BUILDKIT_0_8_TWO_STAGES,
      { steps: 1, cached: 0 }
    ],
    ['no build output', 'Successfully built abc\n', undefined]
  ])('%s', (_label, output, expected) => {
    expect(buildCache(output)).toEqual(expected)
  })

  it('counts a BuildKit step printed several times once', () => {
    expect(buildCache('#6 [2/3] RUN a\n#6 0.1 x\n#6 [2/3] RUN a\n#6 DONE 0.2s\n#7 [3/3] RUN b\n#7 CACHED\n')).toEqual({
      steps: 2,
      cached: 1
    })
  })
})

describe('undouble in errorSummary', () => {
  it("says docker's doubled 'manifest unknown' once", () => {
    expect(
      errorSummary('Error response from daemon: manifest for x:1 not found: manifest unknown: manifest unknown\n')
    ).toBe('Error response from daemon: manifest for x:1 not found: manifest unknown')
  })
})
