// domain/dockerfile.ts: a Dockerfile's instructions, each at the line it starts on.
import { describe, expect, it } from '@jest/globals'
import { instructionsOf } from '../../../src/domain/dockerfile.js'
import { DOCKERFILE } from '../../__fixtures__/dockerfiles.js'

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
