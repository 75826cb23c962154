// docker/output.ts: what the action reads from docker's output (the pushed digest, the
// error summary, the cached steps of a build) and the errors it makes of a failed command,
// on real docker output (__fixtures__/docker-output.ts, __fixtures__/build-output.ts).
import { describe, expect, it, test } from '@jest/globals'
import {
  buildCache,
  commandFailed,
  errorSummary,
  loginFailure,
  pushedDigest,
  pushedManifests,
  shortCommand,
  shownDockerHost,
  undouble
} from '../../../src/docker/output.js'
import { DockerError, EngineUnreachable } from '../../../src/domain/errors.js'
import * as built from '../../__fixtures__/build-output.js'
import { fixture, LEGACY_BUILDER, PUSH_DIGEST, PUSH_OUTPUT, UNENCRYPTED } from '../../__fixtures__/docker-output.js'

const OTHER = 'sha256:' + '0123456789abcdef'.repeat(4)

describe('pushedDigest', () => {
  it('picks the digest from real docker push output', () => {
    expect(pushedDigest(PUSH_OUTPUT)).toBe(PUSH_DIGEST)
  })

  it('picks the last digest when there are several', () => {
    const output = `${PUSH_OUTPUT}The push refers to repository [localhost:5000/e/app]\nv2: digest: ${OTHER} size: 736\n`
    expect(pushedDigest(output)).toBe(OTHER)
  })

  it('handles Windows line endings', () => {
    expect(pushedDigest(PUSH_OUTPUT.replace(/\n/g, '\r\n'))).toBe(PUSH_DIGEST)
  })

  test.each([
    ['empty output', ''],
    ['no digest line', 'The push refers to repository [localhost:5000/e/app]\nd0191d577827: Preparing\n'],
    ['a short digest', 'v1: digest: sha256:1e226b22 size: 735'],
    ['an uppercase digest', `v1: digest: ${PUSH_DIGEST.toUpperCase().replace('SHA256', 'sha256')} size: 735`],
    ['another algorithm', `v1: digest: sha512:${'a'.repeat(64)} size: 735`],
    ['a digest without the "digest: " label', `v1: ${PUSH_DIGEST} size: 735`]
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

describe('shownDockerHost', () => {
  test.each<[string, string]>([
    ['tcp://user:pw@docker:2376', 'tcp://docker:2376'],
    ['ssh://me@build-host', 'ssh://build-host'],
    ['tcp://docker:2376', 'tcp://docker:2376'],
    ['unix:///var/run/docker.sock', 'unix:///var/run/docker.sock'],
    ['tcp://docker:2376/path@x', 'tcp://docker:2376/path@x']
  ])('%j -> %j', (text, expected) => {
    expect(shownDockerHost(text)).toBe(expected)
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

  it('counts a step taken from a registry cache whose CACHED line the fetch of its layers hid', () => {
    // buildx 0.29.1 with a remote BuildKit, --cache-from type=registry, the builder's own cache emptied.
    const output = [
      '#6 [1/3] FROM localhost:5000/ship-image/busybox:test@sha256:' + 'e'.repeat(64),
      '#6 DONE 0.0s',
      '#7 importing cache manifest from registry.ship-image.test:5443/app:buildcache-main',
      '#7 DONE 0.0s',
      '#8 [2/3] RUN echo slow > /marker && sleep 3',
      `#8 sha256:${'9'.repeat(64)} 180B / 180B 0.0s done`,
      `#8 sha256:${'8'.repeat(64)} 1.08MB / 1.08MB 0.0s done`,
      `#8 extracting sha256:${'8'.repeat(64)} 0.1s done`,
      '#8 DONE 0.2s',
      '#9 [3/3] COPY hello.txt /hello.txt',
      '#9 DONE 0.1s',
      '#10 exporting to image',
      `#10 exporting manifest sha256:${'4'.repeat(64)} 0.0s done`,
      '#10 DONE 0.3s',
      ''
    ].join('\n')
    expect(buildCache(output)).toEqual({ steps: 2, cached: 1 })
  })

  it('counts a BuildKit step printed several times once', () => {
    expect(buildCache('#6 [2/3] RUN a\n#6 0.1 x\n#6 [2/3] RUN a\n#6 DONE 0.2s\n#7 [3/3] RUN b\n#7 CACHED\n')).toEqual({
      steps: 2,
      cached: 1
    })
  })
})

describe('undouble', () => {
  test.each<[string, string]>([
    ['manifest unknown: manifest unknown', 'manifest unknown'],
    ['not found: manifest unknown: manifest unknown', 'not found: manifest unknown'],
    ['a: b', 'a: b']
  ])('%j -> %j', (text, expected) => {
    expect(undouble(text)).toBe(expected)
  })
})

describe('undouble in errorSummary', () => {
  it("says docker's doubled 'manifest unknown' once", () => {
    expect(
      errorSummary('Error response from daemon: manifest for x:1 not found: manifest unknown: manifest unknown\n')
    ).toBe('Error response from daemon: manifest for x:1 not found: manifest unknown')
  })
})

describe('pushedManifests', () => {
  it('gives the tags a failed buildx push had pushed, each once it was done', () => {
    const digest = 'sha256:aa5c6b085d5ea681fc60a600926e7ed5f71d881d506858bbaf2e9529fd913002'
    expect(pushedManifests(built.BUILDX_PUSH_PARTLY)).toEqual([
      { ref: 'localhost:5000/repro/pp:v1', digest },
      { ref: 'localhost:5000/repro/pp:v2', digest }
    ])
  })

  it('gives nothing for a manifest upload that BuildKit marked done but failed (its error names the tag)', () => {
    expect(pushedManifests(built.BUILDX_PUSH_MANIFEST_REFUSED)).toEqual([])
  })

  it('gives nothing for a push under way, or output without the lines', () => {
    expect(pushedManifests(`#6 pushing manifest for localhost:5000/a:v1@sha256:${'a'.repeat(64)}\n`)).toEqual([])
    expect(pushedManifests('ERROR: failed to solve: no such stage\n')).toEqual([])
  })
})
