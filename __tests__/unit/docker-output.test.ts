import { describe, expect, it, test } from '@jest/globals'
import { errorSummary, pushedDigest } from '../../src/docker.js'

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
