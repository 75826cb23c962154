// What README.md and docs/ tell a reader, checked against the action: the workflows pin
// the action as they say, and the migration table from metadata-action gives the tags
// the action really makes. (The generated reference region is scripts/reference.test.ts's.)
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from '@jest/globals'
import { readAction } from '../../../scripts/lib/action-yml.mjs'
import { gitEventOf, OCI, ociLabels } from '../../../src/domain/event.js'
import { expandTags } from '../../../src/inputs/tags.js'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const ACTION = readFileSync(join(ROOT, 'action.yml'), 'utf8')
const README = readFileSync(join(ROOT, 'README.md'), 'utf8')
/** The pages of docs/, which scripts/lint-workflows.mjs lints as it lints README.md. */
const DOCS = readdirSync(join(ROOT, 'docs'))
  .filter((f) => f.endsWith('.md'))
  .map((f) => readFileSync(join(ROOT, 'docs', f), 'utf8'))

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
    expect(README).toContain('Until `v1` is released, pin a commit: its full SHA in place of `<commit-sha>`')
  })

  it('give the runner version that runs node24 actions', () => {
    expect(readAction(ACTION).runs.using).toBe('node24')
    expect(README).toContain(
      '[runner 2.327.1](https://github.com/actions/runner/releases/tag/v2.327.1) (`node24`) or later'
    )
  })

  it('say in the migration table that push defaults to true here and false in build-push-action', () => {
    expect(README).toMatch(/\| build-push-action \| `push` \(default `false`\) \| `push`, default \*\*`true`\*\*/)
    expect(README).toContain('| the same names (`platform` is a deprecated alias of `platforms`) |')
  })
})

// The migration section's table of metadata-action's defaults: its ship-image column is what
// inputs/tags.ts gives (without the sha- tag, as the table says), and where it names a way to get
// metadata-action's tags here, that way gives them. (metadata-action's column comes from its
// README and src/meta.ts; nothing here can run it.)
describe("docs/migrating.md: metadata-action's defaults", () => {
  const MIGRATING = readFileSync(join(ROOT, 'docs', 'migrating.md'), 'utf8')
  const section = MIGRATING.slice(MIGRATING.indexOf("## metadata-action's defaults"))
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
  // [row, event, the way the row gives to get metadata-action's tags, and those inputs run through inputs/tags.ts]
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
