import { afterEach, beforeEach, describe, expect, it, test } from '@jest/globals'
import * as fs from 'node:fs'
import * as workflow from '../../src/runner/workflow.js'
import { captureWorkflow, parseRecords } from '../__fixtures__/workflow.js'
import type { Capture } from '../__fixtures__/workflow.js'

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
    ['notice', workflow.notice],
    ['warning', workflow.warning],
    ['error', workflow.error]
  ] as const)('%s escapes %%, \\r and \\n so the message stays one command', (kind, write) => {
    write('100% done\r\nnext line\nlast')
    expect(capture.lines()).toEqual([`::${kind}::100%25 done%0D%0Anext line%0Alast`])
  })

  it('error escapes its properties, also : and , (which end a property)', () => {
    workflow.error('a: b, c', { title: 'docker build failed: x, y', file: 'dir,1/Dockerfile:2', startLine: 9 })
    expect(capture.lines()).toEqual([
      '::error title=docker build failed%3A x%2C y,file=dir%2C1/Dockerfile%3A2,line=9::a: b, c'
    ])
  })

  it('error leaves out empty properties, and fails the step', () => {
    process.exitCode = undefined
    workflow.error('boom', { title: '', file: undefined })
    expect(capture.lines()).toEqual(['::error::boom'])
    expect(process.exitCode).toBe(1)
  })

  it('warning and notice do not fail the step', () => {
    process.exitCode = undefined
    workflow.warning('w')
    workflow.notice('n')
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
    workflow.info(line)
    expect(capture.lines()).toEqual([shown])
    expect(capture.lines().filter((l) => l.startsWith('::'))).toEqual([])
  })

  it('keeps tabs and printable text as they are', () => {
    workflow.info('col1\tcol2 ✓ %25')
    expect(capture.text()).toBe('col1\tcol2 ✓ %25\n')
  })
})

describe('printable', () => {
  it('escapes control characters but not tabs', () => {
    expect(workflow.printable('a\tb\nc\rd\x07')).toBe('a\tb\\nc\\rd\\x07')
  })
})

describe('mask', () => {
  it('asks the runner to hide the value, escaped, and each of its lines', () => {
    workflow.mask('pa55%\nword')
    expect(capture.lines()).toEqual(['::add-mask::pa55%25%0Aword', '::add-mask::pa55%25', '::add-mask::word'])
  })

  it('prints nothing for an empty value (which would mask nothing)', () => {
    workflow.mask('')
    expect(capture.text()).toBe('')
  })
})

describe('group', () => {
  it('wraps the work in a group and returns its value', async () => {
    const value = await workflow.group('Pushing 100%\nof it', async () => {
      workflow.info('inside')
      return 42
    })
    expect(value).toBe(42)
    expect(capture.lines()).toEqual(['::group::Pushing 100%25\\nof it', 'inside', '::endgroup::'])
  })

  it('ends the group when the work fails', async () => {
    await expect(
      workflow.group('Building', async () => {
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
    await workflow.group(title, async () => workflow.info('inside'))
    const [open, whole, inside, end] = capture.lines()
    expect(open).toBe(`::group::Building ${refs.slice(0, 3).join(', ')}, … (9 more)`)
    expect(open.length - '::group::'.length).toBeLessThanOrEqual(workflow.GROUP_TITLE_MAX)
    expect([whole, inside, end]).toEqual([title, 'inside', '::endgroup::'])
  })

  test.each<[string, string | undefined]>([
    ['x'.repeat(120), undefined],
    [`Saving 1 reference to /home/runner/work/${'deep/'.repeat(30)}image.tar.gz`, undefined],
    [`Pushing 12 references, up to 4 at a time: ${refs.join(', ')}`, undefined]
  ])('shortTitle(%j) fits', (title, expected) => {
    const short = workflow.shortTitle(title)
    if (title.length <= 120) expect(short).toBe(expected)
    else {
      expect(short!.length).toBeLessThanOrEqual(120)
      expect(short!.endsWith('…') || / \(\d+ more\)$/.test(short!)).toBe(true)
    }
  })

  it('cuts a title without a list at a space, with …', () => {
    expect(workflow.shortTitle(`Saving to ${'a'.repeat(50)} ${'b'.repeat(80)}`)).toBe(`Saving to ${'a'.repeat(50)}…`)
  })
})

describe('records: outputs, state, variables', () => {
  const MULTI_LINE = 'line 1\nline 2\n\nEOF\nghadelimiter_x\n'

  test.each([
    ['setOutput', workflow.setOutput, 'GITHUB_OUTPUT'],
    ['saveState', workflow.saveState, 'GITHUB_STATE'],
    ['exportVariable', workflow.exportVariable, 'GITHUB_ENV']
  ] as const)('%s appends records that read back as written, multi-line values too', (_name, write, variable) => {
    write('tags', MULTI_LINE)
    write('digest', 'sha256:abc')
    const records = parseRecords(fs.readFileSync(capture.files[variable], 'utf8'))
    expect(records.map(({ name, value }) => ({ name, value }))).toEqual([
      { name: 'tags', value: MULTI_LINE },
      { name: 'digest', value: 'sha256:abc' }
    ])
    // A fresh delimiter per record, which no value contains.
    expect(records[0].delimiter).not.toBe(records[1].delimiter)
    expect(capture.text()).toBe('')
  })

  it('writes nothing, and does not throw, when the runner gives no file', () => {
    delete process.env.GITHUB_OUTPUT
    workflow.setOutput('digest', 'x')
    expect(fs.readFileSync(capture.files.GITHUB_OUTPUT, 'utf8')).toBe('')
  })
})

describe('appendSummary', () => {
  it('appends markdown with a line break after each part', () => {
    workflow.appendSummary('### one')
    workflow.appendSummary('two')
    expect(capture.summary()).toBe('### one\ntwo\n')
  })

  it('does nothing without GITHUB_STEP_SUMMARY', () => {
    delete process.env.GITHUB_STEP_SUMMARY
    expect(() => workflow.appendSummary('x')).not.toThrow()
    expect(capture.summary()).toBe('')
  })
})

describe('input', () => {
  it('reads INPUT_<NAME> with the hyphens kept, upper case, trimmed', () => {
    const vars = { 'INPUT_BUILD-ARGS': '  A=1\nB=2 \n', INPUT_BUILD_ARGS: 'wrong', INPUT_IMAGES: 'x' }
    expect(workflow.input('build-args', vars)).toBe('A=1\nB=2')
    expect(workflow.input('images', vars)).toBe('x')
  })

  it('turns spaces into underscores', () => {
    expect(workflow.input('my input', { INPUT_MY_INPUT: 'v' })).toBe('v')
  })

  it("is '' for an input that is not set", () => {
    expect(workflow.input('save', {})).toBe('')
  })

  it('reads process.env by default', () => {
    process.env['INPUT_DRY-RUN'] = ' true '
    try {
      expect(workflow.input('dry-run')).toBe('true')
    } finally {
      delete process.env['INPUT_DRY-RUN']
    }
  })
})
