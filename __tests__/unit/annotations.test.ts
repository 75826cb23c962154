import { describe, expect, it, test } from '@jest/globals'
import { dockerfileError, instructionsOf } from '../../src/annotations.js'

const DOCKERFILE = [
  '# syntax=docker/dockerfile:1',
  'FROM busybox AS build',
  '',
  '# copy the sources',
  'COPY a /a',
  'RUN echo one \\',
  '    && false',
  'FROM busybox',
  'RUN false',
  ''
].join('\n')

describe('instructionsOf', () => {
  it('lists each instruction at its first line, continuation lines joined', () => {
    expect(instructionsOf(DOCKERFILE)).toEqual([
      { line: 2, text: 'FROM busybox AS build' },
      { line: 5, text: 'COPY a /a' },
      { line: 6, text: 'RUN echo one && false' },
      { line: 8, text: 'FROM busybox' },
      { line: 9, text: 'RUN false' }
    ])
  })

  it('honours the escape directive', () => {
    expect(instructionsOf('# escape=`\nFROM x\nRUN a `\n  b\n')).toEqual([
      { line: 2, text: 'FROM x' },
      { line: 3, text: 'RUN a b' }
    ])
  })

  it('skips comments inside a continued instruction', () => {
    expect(instructionsOf('FROM x\nRUN a \\\n# note\n  b\n')).toEqual([
      { line: 1, text: 'FROM x' },
      { line: 2, text: 'RUN a b' }
    ])
  })
})

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
