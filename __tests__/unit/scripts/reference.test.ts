// README's "Reference" region is generated from action.yml by scripts/reference.mjs
// (`npm run reference`); these tests fail when the two disagree. The script is plain
// ESM that Jest loads as it is (it is not transformed); reference.d.mts gives its types.
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from '@jest/globals'
import { readAction } from '../../../scripts/lib/action-yml.mjs'
import { cell, check, END, extractRegion, render, START, update } from '../../../scripts/reference.mjs'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const ACTION = readFileSync(join(ROOT, 'action.yml'), 'utf8')
const README = readFileSync(join(ROOT, 'README.md'), 'utf8')

/** The `name` cells of the region's table rows, under the given heading. */
function namesIn(region: string, heading: 'Inputs' | 'Outputs'): string[] {
  const part = region.split(/^### /m).find((p) => p.startsWith(`${heading}\n`)) ?? ''
  return [...part.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1])
}

function sorted(names: Iterable<string>): string[] {
  return [...names].sort()
}

describe('README reference region', () => {
  const region = extractRegion(README)

  it('is present once, between the markers, under "## Reference"', () => {
    expect(region).toBeDefined()
    const before = README.slice(0, README.indexOf(START))
    expect(before.trimEnd().split('\n').pop()).toBe('## Reference')
  })

  it("is exactly what the generator makes of action.yml (else run 'npm run reference')", () => {
    const result = check(ACTION, README)
    expect(result.problems).toEqual([])
    expect(region).toBe(render(ACTION))
  })

  it('names every input and output of action.yml, and nothing else', () => {
    const action = readAction(ACTION)
    expect(action.inputs.length).toBeGreaterThan(0)
    expect(action.outputs.length).toBeGreaterThan(0)
    expect(sorted(namesIn(region ?? '', 'Inputs'))).toEqual(sorted(action.inputs.map((i) => i.name)))
    expect(sorted(namesIn(region ?? '', 'Outputs'))).toEqual(sorted(action.outputs.map((o) => o.name)))
  })
})

describe('render', () => {
  const ACTION_YML = [
    'name: x',
    'inputs:',
    '  images:',
    '    description: Repositories, one per line.',
    '    required: true',
    '  mode:',
    "    description: 'Either a | b, the default: <context>/Dockerfile'",
    '    default: a',
    '  notes:',
    '    description: |',
    '      First line',
    '      second line.',
    '',
    '      Second paragraph with `a|b` code.',
    "    default: ''",
    '  old:',
    '    description: Old.',
    '    deprecationMessage: Use mode.',
    'outputs:',
    '  digest:',
    '    description: The digest.',
    ''
  ].join('\n')

  it('makes one row per input and output, in file order', () => {
    const out = render(ACTION_YML)
    expect(namesIn(out, 'Inputs')).toEqual(['images', 'mode', 'notes', 'old'])
    expect(namesIn(out, 'Outputs')).toEqual(['digest'])
    expect(out).toContain('| `images` | yes | | Repositories, one per line. |')
    expect(out).toContain('| `digest` | The digest. |')
  })

  it('escapes | and <, joins multi-line descriptions into one line, and code-spans defaults', () => {
    const out = render(ACTION_YML)
    expect(out).toContain('| `mode` | no | `a` | Either a \\| b, the default: &lt;context>/Dockerfile |')
    expect(out).toContain('| `notes` | no | | First line second line. Second paragraph with `a\\|b` code. |')
    expect(out).toContain('| `old` | no | | Old. **Deprecated:** Use mode. |')
    // Each table row is one line with the right number of unescaped separators.
    for (const line of out.split('\n').filter((l) => l.startsWith('| `'))) {
      const cells = line.replace(/\\\|/g, '').split('|').length - 2
      expect([2, 4]).toContain(cells)
    }
  })

  it('keeps a value with backticks a code span', () => {
    expect(render('inputs:\n  a:\n    description: d\n    default: "x`y"\n')).toContain('| `a` | no | ``x`y`` | d |')
    expect(cell('`<b>` <b>')).toBe('`<b>` &lt;b>')
  })

  it('renders no inputs or outputs as empty tables', () => {
    expect(namesIn(render('name: x\n'), 'Inputs')).toEqual([])
    expect(namesIn(render('name: x\n'), 'Outputs')).toEqual([])
  })
})

describe('check and update on a doctored action.yml', () => {
  const withNewInput = ACTION.replace(/^inputs:\n/m, 'inputs:\n  doctored:\n    description: Not in the README.\n')
  const withoutSave = ACTION.replace(/^ {2}save:\n(?: {4}.*\n)+/m, '')
  const reworded = ACTION.replace('Push every tag of every image.', 'Push every tag of every image, twice.')
  const newOutput = ACTION.replace(/^outputs:\n/m, 'outputs:\n  extra:\n    description: More.\n')

  it('really doctors action.yml (the fixtures changed something)', () => {
    for (const doctored of [withNewInput, withoutSave, reworded, newOutput]) expect(doctored).not.toBe(ACTION)
  })

  it('renders something else, and check names the input or output that differs', () => {
    const cases: [string, RegExp][] = [
      [withNewInput, /^input `doctored` is in action.yml but not in README\.$/],
      [withoutSave, /^input `save` is in README but not in action.yml\.$/],
      [reworded, /^input `push` differs:/],
      [newOutput, /^output `extra` is in action.yml but not in README\.$/]
    ]
    for (const [doctored, problem] of cases) {
      expect(render(doctored)).not.toBe(render(ACTION))
      const result = check(doctored, README)
      expect(result.ok).toBe(false)
      expect(result.problems).toHaveLength(1)
      expect(result.problems[0]).toMatch(problem)
    }
  })

  it('update rewrites only the region, after which check passes', () => {
    const updated = update(withNewInput, README)
    expect(check(withNewInput, updated)).toEqual({ ok: true, problems: [] })
    expect(updated.slice(0, updated.indexOf(START))).toBe(README.slice(0, README.indexOf(START)))
    expect(updated.slice(updated.indexOf(END))).toBe(README.slice(README.indexOf(END)))
    expect(update(ACTION, README)).toBe(README)
  })

  it('reports missing markers, and a change outside the tables by line', () => {
    expect(check(ACTION, '# no region\n')).toEqual({
      ok: false,
      problems: [`README has no ${START} and ${END} marker.`]
    })
    const edited = README.replace('### Outputs', '### Outputs (edited)')
    const result = check(ACTION, edited)
    expect(result.ok).toBe(false)
    expect(result.problems).toHaveLength(1)
    expect(result.problems[0]).toMatch(/^line \d+ of the region differs:\n {4}README: {5}### Outputs \(edited\)\n/)
    const swapped = README.replace(/^(\| `load` .*\n)(\| `save` .*\n)/m, '$2$1')
    expect(swapped).not.toBe(README)
    expect(check(ACTION, swapped).problems).toEqual(["the rows are not in action.yml's order, or one is repeated."])
  })
})
