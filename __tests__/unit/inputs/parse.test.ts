// inputs/parse.ts: the shared readers of the inputs (lists, lines), the report that collects
// problems, and the refusal of control characters in every input (through parseInputs).
import { attrOf } from '../../../src/inputs/cache.js'
import { describe, expect, it, test } from '@jest/globals'
import { INPUT_NAMES } from '../../../src/inputs/names.js'
import type { InputName } from '../../../src/inputs/names.js'
import { parseLines, parseList, Report } from '../../../src/inputs/parse.js'
import { buildOf, inputsOf, parse, problemsOf } from '../../__fixtures__/inputs.js'

/** The inputs that hold one entry per line. */
const MULTI_LINE: InputName[] = ['images', 'tags', 'build-args', 'labels', 'cache-from', 'cache-to', 'platforms']
/** Never printed, so they may hold anything. */
// registry-auth holds passwords, so like them it is not printed and may hold anything.
const EXEMPT: InputName[] = ['password', 'secrets', 'registry-auth', 'cosign-key', 'cosign-password']
const SINGLE_VALUE = INPUT_NAMES.filter((name) => !MULTI_LINE.includes(name) && !EXEMPT.includes(name))
const CHECKED = [...SINGLE_VALUE, ...MULTI_LINE]

const SINGLE_FIX = 'give one value on one line'
const MULTI_FIX = 'remove it; entries are separated by line breaks only'
const fixOf = (name: InputName): string => (MULTI_LINE.includes(name) ? MULTI_FIX : SINGLE_FIX)

/** The one problem parseInputs gives for an input refused as a whole. */
function refusal(name: InputName, what: string, at: number): { input: InputName; message: string } {
  return { input: name, message: `Input '${name}': the value has ${what} at character ${at}. Fix: ${fixOf(name)}.` }
}

describe('refuseControlCharacters (through parseInputs)', () => {
  it('covers every input but the exempt ones', () => {
    expect([...CHECKED, ...EXEMPT].sort()).toEqual([...INPUT_NAMES].sort())
    expect(SINGLE_VALUE).toEqual(expect.arrayContaining(['target', 'network', 'context', 'file', 'save', 'username']))
    expect(SINGLE_VALUE).toEqual(expect.arrayContaining(['registry', 'source-image', 'platform', 'push']))
  })

  test.each(SINGLE_VALUE)('a line break in %s is its one problem, with the position', (name) => {
    const result = parse({ [name]: 'x\n::warning title=INJECTED::boo' })
    expect(problemsOf(result)).toEqual([refusal(name, 'a line break', 2)])
  })

  // Each character at position 3 of 'ab?cd'.
  const CONTROL: [string, string, string][] = [
    ['CR', '\r', 'a carriage return (\\r)'],
    ['ESC', '\x1b', 'a control character'],
    ['NUL', '\x00', 'a control character'],
    ['SOH', '\x01', 'a control character'],
    ['BS', '\x08', 'a control character'],
    ['VT', '\x0b', 'a control character'],
    ['FF', '\x0c', 'a control character'],
    ['US', '\x1f', 'a control character'],
    ['DEL', '\x7f', 'a control character']
  ]
  describe.each(CONTROL)('%s', (_label, character, what) => {
    test.each(CHECKED)(`in %s is its one problem`, (name) => {
      expect(problemsOf(parse({ [name]: `ab${character}cd` }))).toEqual([refusal(name, what, 3)])
    })

    test.each(EXEMPT)('in %s is allowed', (name) => {
      const values: Record<string, string> = {
        secrets: `a=x${character}y`,
        'registry-auth': `- registry: ghcr.io\n  username: u\n  password: p${character}w`
      }
      const result = parse({ username: 'alice', [name]: values[name] ?? `p${character}w` })
      expect(result.ok).toBe(true)
    })
  })

  test.each<[InputName, string, string, number]>([
    ['build-args', 'a=b\r::error::x', 'a carriage return (\\r)', 4],
    ['labels', 'a=b\r::error::x', 'a carriage return (\\r)', 4],
    ['build-args', 'A=1\nB=\x1b[31mred', 'a control character', 7],
    ['labels', 'org.opencontainers.image.title=x\r\n::warning::y', 'a carriage return (\\r)', 33]
  ])('a hostile %s value %j is one problem that shows none of it', (name, value, what, at) => {
    expect(problemsOf(parse({ [name]: value }))).toEqual([refusal(name, what, at)])
  })

  test.each(['build-args', 'labels'] as const)(
    'in %s a line break separates entries, so an injected line is a bad entry on a message of its own line',
    (name) => {
      const problems = problemsOf(parse({ [name]: 'x\n::warning title=INJECTED::boo' }))
      expect(problems.map((p) => p.message)).toEqual([
        `Input '${name}': 'x' is not a KEY=VALUE line. Fix: write one KEY=VALUE per line, with no spaces or quotes in KEY.`,
        `Input '${name}': '::warning title=INJECTED::boo' is not a KEY=VALUE line. Fix: write one KEY=VALUE per line, with no spaces or quotes in KEY.`
      ])
      for (const { message } of problems) expect(message).not.toMatch(/[\r\n]/)
    }
  )

  it('allows line breaks in every multi-line input', () => {
    const inputs = inputsOf(
      parse({
        images: 'alice/app\nbob/app',
        tags: 'v1\nv2',
        'build-args': 'A=1\nB=2',
        labels: 'a=1\nb=2',
        'cache-from': 'alice/app:v1\nbob/app:v1',
        'cache-to': 'type=inline\ntype=local,dest=/tmp/cache'
      })
    )
    expect(buildOf(inputs).cacheTo.map((s) => s.type)).toEqual(['inline', 'local'])
    expect(inputs.images.map((i) => i.name)).toEqual(['alice/app', 'bob/app'])
    expect(inputs.tags).toEqual(['v1', 'v2'])
    expect(buildOf(inputs).buildArgs).toHaveLength(2)
    expect(buildOf(inputs).cacheFrom.map((c) => attrOf(c, 'ref'))).toEqual(['alice/app:v1', 'bob/app:v1'])
  })

  it('allows a tab, which then meets the input’s own rule', () => {
    expect(buildOf(inputsOf(parse({ 'build-args': 'A=x\ty' }))).buildArgs).toEqual([{ key: 'A', value: 'x\ty' }])
    expect(problemsOf(parse({ push: 'tr\tue' }))).toEqual([
      { input: 'push', message: "Input 'push': 'tr\tue' is not a boolean. Fix: write true or false." }
    ])
  })

  it('names the first bad character only', () => {
    expect(problemsOf(parse({ target: 'ab\x00c\nd\re' }))).toEqual([refusal('target', 'a control character', 3)])
    expect(problemsOf(parse({ tags: 'v1\nv2\rv3\x1b' }))).toEqual([refusal('tags', 'a carriage return (\\r)', 6)])
  })

  it('suppresses the later problems of a refused input, not those of the others', () => {
    // Each refused value also breaks the input's own rule (not a host, not a stage, not a network).
    const refused = { registry: 'not a host\n', target: '-bad\x1b', network: 'host;rm -rf\r' }
    expect(problemsOf(parse({ ...refused, push: 'maybe' }))).toEqual([
      refusal('registry', 'a line break', 11),
      refusal('target', 'a control character', 5),
      refusal('network', 'a carriage return (\\r)', 12),
      { input: 'push', message: "Input 'push': 'maybe' is not a boolean. Fix: write true or false." }
    ])
  })
})

describe('Report', () => {
  it('refuse reports once, then drops the problems of that input only', () => {
    const report = new Report()
    report.refuse('target', 'first', 'fix one')
    report.problem('target', 'second', 'fix two')
    report.refuse('target', 'third', 'fix three')
    report.problem('network', 'other', 'fix it')
    report.warn('target', 'still warned')
    expect(report.problems).toEqual([
      { input: 'target', message: "Input 'target': first. Fix: fix one." },
      { input: 'network', message: "Input 'network': other. Fix: fix it." }
    ])
    expect(report.warnings).toEqual([{ input: 'target', message: 'still warned' }])
  })

  it('masks each non-blank value once', () => {
    const report = new Report()
    for (const value of ['s3cret', '', '  ', 's3cret', 'other']) report.mask(value)
    expect(report.masks).toEqual(['s3cret', 'other'])
  })
})

describe('parseList', () => {
  test.each<[string, string[]]>([
    ['', []],
    ['   ', []],
    ['a', ['a']],
    ['a,b', ['a', 'b']],
    ['a\nb', ['a', 'b']],
    [' a , b ,\n c \n', ['a', 'b', 'c']],
    ['a,,b\n\n,c', ['a', 'b', 'c']],
    ['a\r\nb', ['a', 'b']],
    ['b,a,b', ['b', 'a', 'b']]
  ])('%j -> %j', (value, expected) => {
    expect(parseList(value)).toEqual(expected)
  })
})

describe('parseLines', () => {
  test.each<[string, string[]]>([
    ['', []],
    ['\n \n', []],
    ['A=1', ['A=1']],
    ['A=1,B=2', ['A=1,B=2']],
    ['A=1\nB=2', ['A=1', 'B=2']],
    ['  A=1  \n\n  B = 2 \n', ['A=1', 'B = 2']],
    ['A=1\r\nB=2\r\n', ['A=1', 'B=2']]
  ])('%j -> %j', (value, expected) => {
    expect(parseLines(value)).toEqual(expected)
  })
})
