import { afterEach, beforeEach, describe, expect, it, test } from '@jest/globals'
import * as log from '../../../src/runner/log.js'
import { captureWorkflow } from '../../__fixtures__/workflow.js'
import type { Capture } from '../../__fixtures__/workflow.js'

let capture: Capture
let exitCode: typeof process.exitCode

beforeEach(() => {
  exitCode = process.exitCode
  capture = captureWorkflow()
})

afterEach(() => {
  capture.restore()
  process.exitCode = exitCode
})

describe('annotations', () => {
  test.each([
    ['notice', log.notice],
    ['warning', log.warning],
    ['error', log.error]
  ] as const)('%s escapes %%, \\r and \\n so the message stays one command', (kind, write) => {
    write('100% done\r\nnext line\nlast')
    expect(capture.lines()).toEqual([`::${kind}::100%25 done%0D%0Anext line%0Alast`])
  })

  it('error escapes its properties, also : and , (which end a property)', () => {
    log.error('a: b, c', { title: 'docker build failed: x, y', file: 'dir,1/Dockerfile:2', startLine: 9 })
    expect(capture.lines()).toEqual([
      '::error title=docker build failed%3A x%2C y,file=dir%2C1/Dockerfile%3A2,line=9::a: b, c'
    ])
  })

  it('error leaves out empty properties, and fails the step', () => {
    process.exitCode = undefined
    log.error('boom', { title: '', file: undefined })
    expect(capture.lines()).toEqual(['::error::boom'])
    expect(process.exitCode).toBe(1)
  })

  it('warning and notice do not fail the step', () => {
    process.exitCode = undefined
    log.warning('w')
    log.notice('n')
    expect(process.exitCode).toBeUndefined()
  })
})

describe('info', () => {
  test.each([
    ['a line break', 'x\n::warning::injected', 'x\\n::warning::injected'],
    ['a carriage return', 'x\r::error::y', 'x\\r::error::y'],
    ['an escape sequence', 'red \x1b[31mtext\x1b[0m', 'red \\x1b[31mtext\\x1b[0m'],
    ['a NUL and DEL', 'a\x00b\x7f', 'a\\x00b\\x7f']
  ])('shows %s escaped, on one line that starts no command', (_what, line, shown) => {
    log.info(line)
    expect(capture.lines()).toEqual([shown])
    expect(capture.lines().filter((l) => l.startsWith('::'))).toEqual([])
  })

  it('keeps tabs and printable text as they are', () => {
    log.info('col1\tcol2 ✓ %25')
    expect(capture.text()).toBe('col1\tcol2 ✓ %25\n')
  })
})

describe('printable', () => {
  it('escapes control characters but not tabs', () => {
    expect(log.printable('a\tb\nc\rd\x07')).toBe('a\tb\\nc\\rd\\x07')
  })
})

describe('mask', () => {
  it('asks the runner to hide the value, escaped, and each of its lines', () => {
    log.mask('pa55%\nword')
    expect(capture.lines()).toEqual(['::add-mask::pa55%25%0Aword', '::add-mask::pa55%25', '::add-mask::word'])
  })

  it('prints nothing for an empty value (which would mask nothing)', () => {
    log.mask('')
    expect(capture.text()).toBe('')
  })
})

describe('group', () => {
  it('wraps the work in a group and returns its value', async () => {
    const value = await log.group('Pushing 100%\nof it', async () => {
      log.info('inside')
      return 42
    })
    expect(value).toBe(42)
    expect(capture.lines()).toEqual(['::group::Pushing 100%25\\nof it', 'inside', '::endgroup::'])
  })

  it('ends the group when the work fails', async () => {
    await expect(
      log.group('Building', async () => {
        throw new Error('build failed')
      })
    ).rejects.toThrow('build failed')
    expect(capture.lines()).toEqual(['::group::Building', '::endgroup::'])
  })
})

describe('group titles of at most 120 characters', () => {
  const refs = Array.from({ length: 12 }, (_, i) => `ghcr.io/octo-org/octo-app:tag-${i}`)

  it('cuts a list after the last item that fits, says how many more, and prints it whole inside', async () => {
    const title = `Building ${refs.join(', ')}`
    await log.group(title, async () => log.info('inside'))
    const [open, whole, inside, end] = capture.lines()
    expect(open).toBe(`::group::Building ${refs.slice(0, 3).join(', ')}, … (9 more)`)
    expect(open.length - '::group::'.length).toBeLessThanOrEqual(log.GROUP_TITLE_MAX)
    expect([whole, inside, end]).toEqual([title, 'inside', '::endgroup::'])
  })

  test.each<[string, string | undefined]>([
    ['x'.repeat(120), undefined],
    [`Saving 1 reference to /home/runner/work/${'deep/'.repeat(30)}image.tar.gz`, undefined],
    [`Pushing 12 references, up to 4 at a time: ${refs.join(', ')}`, undefined]
  ])('shortTitle(%j) fits', (title, expected) => {
    const short = log.shortTitle(title)
    if (title.length <= 120) expect(short).toBe(expected)
    else {
      expect(short!.length).toBeLessThanOrEqual(120)
      expect(short!.endsWith('…') || / \(\d+ more\)$/.test(short!)).toBe(true)
    }
  })

  it('cuts a title without a list at a space, with …', () => {
    expect(log.shortTitle(`Saving to ${'a'.repeat(50)} ${'b'.repeat(80)}`)).toBe(`Saving to ${'a'.repeat(50)}…`)
  })
})

describe('untrustedOutput: what docker and the build print', () => {
  it('passes the bytes through with workflow commands stopped, then resumes them with the one-time token', () => {
    const out = log.untrustedOutput()
    out.write(Buffer.from('#5 [2/2] RUN echo ::error::pwned\n#5 0.1 ::error::pwned\n'))
    out.write(Buffer.from('::stop-commands::guess\nno newline at the end'))
    out.end()
    const lines = capture.lines()
    const token = /^::stop-commands::([0-9a-f-]{36})$/.exec(lines[0])?.[1]
    expect(token).toBeDefined()
    expect(lines.slice(1)).toEqual([
      '#5 [2/2] RUN echo ::error::pwned',
      '#5 0.1 ::error::pwned',
      '::stop-commands::guess',
      'no newline at the end',
      `::${token}::`
    ])
  })

  it('uses a new token for every section, and prints nothing when nothing was written', () => {
    const quiet = log.untrustedOutput()
    quiet.end()
    expect(capture.text()).toBe('')
    const first = log.untrustedOutput()
    first.write(Buffer.from('a\n'))
    first.end()
    const second = log.untrustedOutput()
    second.write(Buffer.from('b\n'))
    second.end()
    const tokens = capture.lines().filter((l) => l.startsWith('::stop-commands::'))
    expect(tokens).toHaveLength(2)
    expect(new Set(tokens).size).toBe(2)
  })
})

describe('shownArg', () => {
  test.each([
    ['https://x-access-token:ghp_secret@github.com/o/r.git#main', 'https://***@github.com/o/r.git#main'],
    ['tcp://user:pw@docker:2376', 'tcp://***@docker:2376'],
    ['--build-arg=A=1', '--build-arg=A=1']
  ])('%j shows as %j', (arg, shown) => {
    expect(log.shownArg(arg)).toBe(shown)
  })

  test.each<[string, string]>([
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
  ])('%j -> %j', (text, expected) => {
    expect(log.shownArg(text)).toBe(expected)
  })
})
