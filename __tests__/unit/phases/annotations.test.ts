// phases/annotations.ts: the Dockerfile line and message of a failed build, read from what
// the builders print (real output from __fixtures__/build-output.ts among it).
import { describe, expect, it, test } from '@jest/globals'
import { dockerfileError } from '../../../src/phases/annotations.js'
import * as output from '../../__fixtures__/build-output.js'
import { DOCKERFILE } from '../../__fixtures__/dockerfiles.js'

// Output as the builders print it (captured on this machine: docker 28 classic
// builder, docker 20.10 BuildKit; buildx's context block as buildx prints it).
describe('dockerfileError', () => {
  test.each<[string, string, { line: number; message: string }]>([
    [
      'classic builder, parse error',
      'Sending build context to Docker daemon   2.56kB\nError response from daemon: dockerfile parse error line 2: unknown instruction: RUNN\n',
      { line: 2, message: 'Dockerfile parse error: unknown instruction: RUNN' }
    ],
    [
      'BuildKit 20.10, parse error',
      '#2 DONE 0.0s\nfailed to solve with frontend dockerfile.v0: failed to create LLB definition: dockerfile parse error line 7: unknown instruction: RUNN\n',
      { line: 7, message: 'Dockerfile parse error: unknown instruction: RUNN' }
    ],
    [
      'buildx, parse error',
      'Dockerfile:4\n--------------------\n   4 | >>> RUNN x\n--------------------\nERROR: failed to solve: dockerfile parse error on line 4: unknown instruction: RUNN\n',
      { line: 4, message: 'Dockerfile parse error: unknown instruction: RUNN' }
    ],
    [
      'classic builder, a failing RUN',
      "Step 2/3 : COPY a /a\n ---> ad6ba976943b\nStep 3/3 : RUN false\n ---> Running in dbbf94cd4b96\nThe command '/bin/sh -c false' returned a non-zero code: 1\n",
      { line: 9, message: 'RUN false failed: exit code 1' }
    ],
    [
      'BuildKit 20.10, a failing RUN',
      '#7 [3/3] RUN false\n#7 ERROR: executor failed running [/bin/sh -c false]: exit code: 1\n------\n > [3/3] RUN false:\n------\nexecutor failed running [/bin/sh -c false]: exit code: 1\n',
      { line: 9, message: 'RUN false failed: exit code 1' }
    ],
    [
      'BuildKit, a failing continued RUN in a named stage',
      '------\n > [build 3/3] RUN echo one     && false:\n------\nERROR: failed to solve: process "/bin/sh -c echo one     && false" did not complete successfully: exit code: 2\n',
      { line: 6, message: 'RUN echo one && false failed: exit code 2' }
    ],
    [
      'buildx, the context block',
      'Dockerfile:9\n--------------------\n   8 |     FROM busybox\n   9 | >>> RUN false\n--------------------\nERROR: failed to solve: process "/bin/sh -c false" did not complete successfully: exit code: 1\n',
      { line: 9, message: 'RUN false failed: exit code 1' }
    ]
  ])('%s', (_label, output, expected) => {
    expect(dockerfileError(output, DOCKERFILE)).toEqual(expected)
  })

  it('reads the context block of a Dockerfile with another name', () => {
    expect(
      dockerfileError('prod.Dockerfile:5\n-----\nERROR: failed to solve: x\n', DOCKERFILE, 'prod.Dockerfile')
    ).toEqual({ line: 5, message: 'COPY a /a failed: x' })
  })

  test.each([
    "Error response from daemon: pull access denied for nothing, repository does not exist or may require 'docker login'",
    'unable to prepare context: path "nope" not found',
    ''
  ])('is undefined when the output names no line: %j', (output) => {
    expect(dockerfileError(output, DOCKERFILE)).toBeUndefined()
  })
})

// The same instruction in two stages, failing in the second (real output, __fixtures__/build-output.ts).
const TWO_STAGES = [
  'FROM ship-image/busybox:test AS one',
  'RUN touch /marker',
  'RUN echo checking >&2; ls /marker',
  '',
  'FROM ship-image/busybox:test AS two',
  'RUN echo checking >&2; ls /marker',
  ''
].join('\n')

describe('dockerfileError on real output', () => {
  const failedRun = [
    'RUN echo checking >&2; ls /marker failed: exit code 1',
    '  checking',
    '  ls: /marker: No such file or directory'
  ].join('\n')

  test.each<[string, string]>([
    ['the classic builder (Step 5/5)', output.CLASSIC_TWO_STAGES],
    ["docker 20.10's BuildKit ([two 2/2])", output.BUILDKIT_0_8_TWO_STAGES],
    ['buildx 0.13 (the context block)', output.BUILDX_TWO_STAGES]
  ])('points a step of the second stage at its own line, with its last lines: %s', (_label, printed) => {
    expect(dockerfileError(printed, TWO_STAGES)).toEqual({ line: 6, message: failedRun })
  })

  const missing = 'FROM localhost:5000/does-not-exist-ux:1\nRUN true\n'
  test.each<[string, string, string]>([
    [
      'the classic builder',
      output.CLASSIC_MISSING_BASE,
      'FROM localhost:5000/does-not-exist-ux:1 failed: manifest for localhost:5000/does-not-exist-ux:1 not found: manifest unknown'
    ],
    [
      "docker 20.10's BuildKit",
      output.BUILDKIT_0_8_MISSING_BASE,
      'FROM localhost:5000/does-not-exist-ux:1: the base image localhost:5000/does-not-exist-ux:1 could not be loaded: localhost:5000/does-not-exist-ux:1: not found'
    ],
    [
      'buildx 0.13',
      output.BUILDX_MISSING_BASE,
      'FROM localhost:5000/does-not-exist-ux:1: the base image localhost:5000/does-not-exist-ux:1 could not be loaded: localhost:5000/does-not-exist-ux:1: not found'
    ]
  ])('points a missing base image at its FROM: %s', (_label, printed, message) => {
    expect(dockerfileError(printed, missing, 'Dockerfile4')).toEqual({ line: 1, message })
  })

  it('finds a FROM written with a global ARG', () => {
    const dockerfile = [
      'ARG BASE=localhost:5000/does-not-exist-ux',
      'FROM ship-image/busybox:test AS ok',
      'FROM ${BASE}:1',
      'RUN true',
      ''
    ].join('\n')
    expect(dockerfileError(output.BUILDKIT_0_8_MISSING_BASE_ARG, dockerfile, 'Dockerfile5')?.line).toBe(3)
  })

  it('finds a FROM written with a build arg given to the build', () => {
    const printed =
      '#3 [internal] load metadata for docker.io/library/alpine:3.99\n#3 ERROR: docker.io/library/alpine:3.99: not found\n'
    expect(dockerfileError(printed, 'ARG V\nFROM alpine:$V\n', 'Dockerfile', { V: '3.99' })?.line).toBe(2)
  })

  test.each<[string, string]>([
    ['alpine', 'docker.io/library/alpine:latest'],
    ['octo/app:1', 'docker.io/octo/app:1'],
    ['ghcr.io/octo/app', 'ghcr.io/octo/app:latest']
  ])('matches FROM %s to the image BuildKit names %s', (written, printed) => {
    const text = `#3 [internal] load metadata for ${printed}\n#3 ERROR: failed to resolve\n`
    expect(dockerfileError(text, `FROM ubuntu AS a\nFROM ${written}\n`)?.line).toBe(2)
  })

  it('keeps at most the last six lines of the step, each at most 200 characters', () => {
    const logs = Array.from({ length: 10 }, (_, i) => `#5 0.${i} line ${i}${i === 9 ? 'x'.repeat(300) : ''}`)
    const printed = [
      '#5 [2/2] RUN make',
      ...logs,
      '#5 ERROR: process "/bin/sh -c make" did not complete successfully: exit code: 2',
      '------',
      ' > [2/2] RUN make:',
      '------'
    ].join('\n')
    const message = dockerfileError(printed, 'FROM x\nRUN make\n')!.message.split('\n')
    expect(message[0]).toBe('RUN make failed: exit code 2')
    expect(message.slice(1, -1)).toEqual(['  line 4', '  line 5', '  line 6', '  line 7', '  line 8'])
    expect(message.at(-1)).toBe(`  line 9${'x'.repeat(194)}…`)
  })
})
