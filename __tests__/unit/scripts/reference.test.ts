// README's "Reference" region is generated from action.yml by scripts/reference.mjs
// (`npm run reference`); these tests fail when the two disagree. The script is plain
// ESM that Jest loads as it is (it is not transformed); reference.d.mts gives its types.
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from '@jest/globals'
import { readAction } from '../../../scripts/lib/action-yml.mjs'
import { cell, check, END, extractRegion, render, START, update } from '../../../scripts/reference.mjs'
import { gitEventOf, OCI, ociLabels } from '../../../src/domain/event.js'
import { expandTags } from '../../../src/inputs/tags.js'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const ACTION = readFileSync(join(ROOT, 'action.yml'), 'utf8')
const README = readFileSync(join(ROOT, 'README.md'), 'utf8')
/** The pages of docs/, which scripts/lint-workflows.mjs lints as it lints README.md. */
const DOCS = readdirSync(join(ROOT, 'docs'))
  .filter((f) => f.endsWith('.md'))
  .map((f) => readFileSync(join(ROOT, 'docs', f), 'utf8'))

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
    const swapped = README.replace(/^(\| `push` .*\n)(\| `save` .*\n)/m, '$2$1')
    expect(swapped).not.toBe(README)
    expect(check(ACTION, swapped).problems).toEqual(["the rows are not in action.yml's order, or one is repeated."])
  })
})

describe('README workflows', () => {
  // A workflow in docs/ is copied as one in README.md is: it pins the same way.
  const uses = [README, ...DOCS].flatMap((text) => [
    ...text.matchAll(/^\s*(?:- )?uses: (ship-image\/ship-image@\S+)(.*)$/gm)
  ])

  it('pin a commit until a release tag exists, and say so', () => {
    expect(uses.length).toBeGreaterThanOrEqual(7)
    for (const [, ref, comment] of uses) {
      expect(ref).toBe('ship-image/ship-image@<commit-sha>')
      expect(comment.trim()).toBe('# until v1 is released')
    }
    expect(README).toContain('put the full 40-character SHA of the\ncommit you want in place of `<commit-sha>`')
  })

  it('give the runner version that runs node24 actions', () => {
    expect(readAction(ACTION).runs.using).toBe('node24')
    expect(README).toContain('runner version [2.327.1](https://github.com/actions/runner/releases/tag/v2.327.1)')
  })

  it('say in the migration table that push defaults to true here and false in build-push-action', () => {
    expect(README).toMatch(/\| build-push-action \| `push` \(default `false`\) \| `push`, default \*\*`true`\*\*/)
    expect(README).toContain('| the same names (`platform` is a deprecated alias of `platforms`) |')
  })
})

// The migration section's table of metadata-action's defaults: its ship-image column is what
// src/event.ts gives (without the sha- tag, as the table says), and where it names a way to get
// metadata-action's tags here, that way gives them. (metadata-action's column comes from its
// README and src/meta.ts; nothing here can run it.)
describe("README migration: metadata-action's defaults", () => {
  const section = README.slice(README.indexOf("### metadata-action's defaults"), README.indexOf('## Several platforms'))
  const rows = section.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| event or field'))

  /** The cells of the row whose first cell starts with `label`. */
  function row(label: string): string[] {
    const found = rows.filter((line) => line.startsWith(`| ${label}`))
    expect(found).toHaveLength(1)
    // A cell ends at a `|` that is not escaped (`\|` is a `|` inside the cell).
    return found[0]
      .split(/(?<!\\)\|/)
      .slice(1, -1)
      .map((c) => c.trim().replace(/\\\|/g, '|'))
  }

  /** The tags a cell starts with: `a`, `b`, `c` → [a, b, c]. */
  function leadingTags(text: string): string[] {
    const list = /^`[^`]+`(?:, `[^`]+`)*/.exec(text)?.[0] ?? ''
    return [...list.matchAll(/`([^`]+)`/g)].map((m) => m[1])
  }

  const event = (name: string, ref: string, payload?: unknown) =>
    gitEventOf(
      { GITHUB_EVENT_NAME: name, GITHUB_REF: ref, GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567' },
      payload
    )
  const pr = { pull_request: { number: 42, head: { sha: 'fedcba9876543210fedcba9876543210fedcba98' } } }

  const v123 = event('push', 'refs/tags/v1.2.3')
  const rc = event('push', 'refs/tags/v2.0.0-rc.1')
  const release7 = event('push', 'refs/tags/release-7')
  const schedule = event('schedule', 'refs/heads/main')
  // [row, event, the way the row gives to get metadata-action's tags, and those inputs run through event.ts]
  it.each<[string, ReturnType<typeof gitEventOf>, string | undefined, string[] | undefined]>([
    ['tag `v1.2.3`', v123, '`tags: ${{ github.ref_name }}` and `latest: true`', expandTags(['v1.2.3'], v123, 'true')],
    ['tag `v2.0.0-rc.1`', rc, 'the same', expandTags(['v2.0.0-rc.1'], rc, 'true')],
    ['tag `release-7`', release7, '`latest: true`', expandTags(['auto'], release7, 'true', { sha: false })],
    ['tag `v1.2.3+build.5`', event('push', 'refs/tags/v1.2.3+build.5'), undefined, undefined],
    ['push to a branch `feature/x`', event('push', 'refs/heads/feature/x'), undefined, undefined],
    ['push to the default branch `main`', event('push', 'refs/heads/main'), undefined, undefined],
    [
      '`schedule`',
      schedule,
      '`tags: auto, ${{ github.ref_name }}`',
      expandTags(['auto', 'main'], schedule, 'auto', { sha: false })
    ],
    ['pull request #42', event('pull_request', 'refs/pull/42/merge', pr), undefined, undefined],
    ['a ref name such as `#12-fix`', event('push', 'refs/heads/#12-fix'), undefined, undefined]
  ])(
    "%s: the ship-image cell is what tags: auto gives; the way to get metadata-action's gives its cell",
    (label, e, way, result) => {
      const [, metadataAction, shipImage, fix] = row(label)
      expect(leadingTags(shipImage)).toEqual(expandTags(['auto'], e, 'auto', { sha: false }))
      if (way !== undefined) {
        expect(fix).toContain(way)
        expect(result).toEqual(leadingTags(metadataAction))
      }
    }
  )

  it('the labels row names the OCI labels event.ts sets', () => {
    const e = gitEventOf({ GITHUB_REPOSITORY: 'octo-org/app', GITHUB_SHA: 'abc', GITHUB_REF: 'refs/heads/main' }, {})
    const keys = ociLabels(e, 'main', new Date(0)).map((l) => l.key.slice(`${OCI}.`.length))
    expect(leadingTags(row('labels')[2]).sort()).toEqual(keys.sort())
  })

  it('the pull_request_target row gives pr-N too', () => {
    expect(row('pull request #42')[0]).toContain('`pull_request_target`')
    expect(expandTags(['auto'], event('pull_request_target', 'refs/heads/main', pr), 'auto', { sha: false })).toEqual([
      'pr-42'
    ])
  })

  it('the default branch gets latest with the expression the table gives, releases keep theirs', () => {
    const [, , , fix] = row('push to the default branch `main`')
    expect(fix).toContain("latest: ${{ github.ref == 'refs/heads/main' && 'true' || 'auto' }}")
    expect(expandTags(['auto'], event('push', 'refs/heads/main'), 'true', { sha: false })).toEqual(['main', 'latest'])
    expect(expandTags(['auto'], event('push', 'refs/tags/v1.2.3'), 'auto', { sha: false })).toContain('latest')
  })
})
