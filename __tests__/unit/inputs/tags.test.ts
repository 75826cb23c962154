// inputs/tags.ts: the tags made of the Git event (tags: auto for each event, semver releases,
// ref names as tags), the latest and sha-tag inputs, literal tags, and image variants.
import { describe, expect, it, test } from '@jest/globals'
import { gitEventOf } from '../../../src/domain/event.js'
import type { GitEvent } from '../../../src/domain/event.js'
import { autoTags, expandTags, isNearSemver, latestOf, parseSemver, partTag, tagOf } from '../../../src/inputs/tags.js'
import type { LatestMode, Variant } from '../../../src/inputs/tags.js'
import { isValidTag } from '../../../src/domain/reference.js'
import { event, MERGE, PARTS_SHA, prPayload } from '../../__fixtures__/event.js'
import type { RawInputs } from '../../../src/inputs/names.js'
import { parseInputs } from '../../../src/inputs/inputs.js'
import type { ParseResult } from '../../../src/inputs/inputs.js'
import { CREATED, env } from '../../__fixtures__/environment.js'
import { buildOf, inputsOf, onlyProblem, parse, problemsOf, raw } from '../../__fixtures__/inputs.js'

describe('tags: auto, for each row of the table', () => {
  test.each<[string, GitEvent, string[], string]>([
    ['push of tag v1.2.3', event('push', 'refs/tags/v1.2.3'), ['1.2.3', '1.2', '1', 'latest', 'sha-0123456'], '1.2.3'],
    [
      'push of tag 1.2.3 (no v)',
      event('push', 'refs/tags/1.2.3'),
      ['1.2.3', '1.2', '1', 'latest', 'sha-0123456'],
      '1.2.3'
    ],
    [
      'push of a prerelease v2.0.0-rc.1',
      event('push', 'refs/tags/v2.0.0-rc.1'),
      ['2.0.0-rc.1', 'sha-0123456'],
      '2.0.0-rc.1'
    ],
    [
      'push of a non-semver tag release-7',
      event('push', 'refs/tags/release-7'),
      ['release-7', 'sha-0123456'],
      'release-7'
    ],
    [
      'push to branch feature/Foo_bar',
      event('push', 'refs/heads/feature/Foo_bar'),
      ['feature-Foo_bar', 'sha-0123456'],
      'feature-Foo_bar'
    ],
    [
      'pull_request #42',
      event('pull_request', 'refs/pull/42/merge', prPayload, MERGE),
      ['pr-42', 'sha-fedcba9'],
      'pr-42'
    ],
    [
      'pull_request_target #42',
      event('pull_request_target', 'refs/heads/main', prPayload, MERGE),
      ['pr-42', 'sha-fedcba9'],
      'pr-42'
    ],
    ['schedule', event('schedule', 'refs/heads/main'), ['nightly', 'sha-0123456'], 'nightly'],
    ['workflow_dispatch on a branch', event('workflow_dispatch', 'refs/heads/main'), ['main', 'sha-0123456'], 'main'],
    [
      'workflow_dispatch on a tag',
      event('workflow_dispatch', 'refs/tags/v3.1.4'),
      ['3.1.4', '3.1', '3', 'latest', 'sha-0123456'],
      '3.1.4'
    ],
    [
      'release (published) on its tag',
      event('release', 'refs/tags/v1.0.0'),
      ['1.0.0', '1.0', '1', 'latest', 'sha-0123456'],
      '1.0.0'
    ],
    [
      'merge_group on its queue branch',
      event('merge_group', 'refs/heads/gh-readonly-queue/main/pr-7-abc'),
      ['gh-readonly-queue-main-pr-7-abc', 'sha-0123456'],
      'gh-readonly-queue-main-pr-7-abc'
    ]
  ])('%s', (_label, e, tags, version) => {
    expect(expandTags(['auto'], e, 'auto')).toEqual(tags)
    expect(autoTags(e).version).toBe(version)
    for (const tag of tags) expect(isValidTag(tag)).toBe(true)
  })
})

describe('semver tags', () => {
  test.each<[string, string[], string]>([
    ['v0.3.1', ['0.3.1', '0.3', 'latest', 'sha-0123456'], '0.3.1'],
    ['v10.20.30', ['10.20.30', '10.20', '10', 'latest', 'sha-0123456'], '10.20.30'],
    ['v1.2.3+abc', ['1.2.3_abc', '1.2', '1', 'latest', 'sha-0123456'], '1.2.3+abc'],
    ['v1.2.3-beta.2+exp.sha.5114f85', ['1.2.3-beta.2_exp.sha.5114f85', 'sha-0123456'], '1.2.3-beta.2+exp.sha.5114f85'],
    ['1.0.0-alpha', ['1.0.0-alpha', 'sha-0123456'], '1.0.0-alpha'],
    ['1.0.0-0.3.7', ['1.0.0-0.3.7', 'sha-0123456'], '1.0.0-0.3.7']
  ])('%s', (tag, tags, version) => {
    const e = event('push', `refs/tags/${tag}`)
    expect(expandTags(['auto'], e, 'auto')).toEqual(tags)
    expect(autoTags(e).version).toBe(version)
  })

  // Close to semver, but not: each is a plain tag name, and (as metadata-action's semver rules) does not move latest.
  test.each<[string, string, boolean]>([
    ['v1.2', 'v1.2', true],
    ['v1', 'v1', true],
    ['1.2.3.4', '1.2.3.4', true],
    ['V1.2.3', 'V1.2.3', true],
    ['v01.2.3', 'v01.2.3', true],
    ['v1.02.3', 'v1.02.3', true],
    ['1.2.3-01', '1.2.3-01', true],
    ['1.2.3-', '1.2.3-', true],
    ['1.2.3+', '1.2.3-', true],
    ['vv1.2.3', 'vv1.2.3', true],
    ['release/1.2.3', 'release-1.2.3', false],
    ['v1.2.3 ', 'v1.2.3-', false],
    ['20240101', '20240101', false]
  ])('%j is not semver: tag %j, no latest (near semver: %s)', (tag, expected, nearSemver) => {
    expect(parseSemver(tag)).toBeUndefined()
    expect(isNearSemver(tag)).toBe(nearSemver)
    const e = event('push', `refs/tags/${tag}`)
    expect(expandTags(['auto'], e, 'auto')).toEqual([expected, 'sha-0123456'])
    expect(expandTags(['auto'], e, 'true')).toEqual([expected, 'latest', 'sha-0123456'])
    expect(autoTags(e).version).toBe(expected)
    expect(autoTags(e).notRelease).toEqual({ tag, nearSemver })
  })

  test.each(['refs/tags/v1.2.3', 'refs/tags/v2.0.0-rc.1', 'refs/heads/V1.2.3'])(
    '%s is no tag that latest: auto skips',
    (ref) => {
      expect(autoTags(event('push', ref)).notRelease).toBeUndefined()
    }
  )

  it('parses the parts', () => {
    expect(parseSemver('v1.22.333-rc.1+b.2')).toEqual({
      major: '1',
      minor: '22',
      patch: '333',
      prerelease: 'rc.1',
      build: 'b.2'
    })
  })
})

describe('tagOf: a ref name as a tag', () => {
  test.each<[string, string]>([
    ['main', 'main'],
    ['feature/Foo_bar', 'feature-Foo_bar'],
    ['Feature/UPPER/Case', 'Feature-UPPER-Case'],
    ['a//b', 'a-b'],
    ['a b\tc', 'a-b-c'],
    ['fix/#12: añadir ü', 'fix-12-a-adir-'],
    ['.hidden', 'hidden'],
    ['-dash', 'dash'],
    ['..-.x', 'x'],
    ['_under', '_under'],
    ['a.b-c_d', 'a.b-c_d'],
    ['$(rm -rf /)', 'rm--rf-'],
    ['`id`;echo', 'id-echo'],
    ['../../etc/passwd', 'etc-passwd'],
    ['///', ''],
    ['x'.repeat(200), 'x'.repeat(128)],
    [`${'-'.repeat(10)}${'y'.repeat(200)}`, 'y'.repeat(128)]
  ])('%j -> %j', (name, expected) => {
    expect(tagOf(name)).toBe(expected)
    if (expected !== '') expect(isValidTag(expected)).toBe(true)
  })

  it('keeps a very long branch name valid and at 128 characters', () => {
    const e = event('push', `refs/heads/feature/${'long-name/'.repeat(30)}`)
    const [tag] = expandTags(['auto'], e, 'auto')
    expect(tag).toHaveLength(128)
    expect(isValidTag(tag)).toBe(true)
    expect(tag.startsWith('feature-long-name-long-name')).toBe(true)
  })

  it('gives only the sha tag for a branch name with nothing usable', () => {
    const e = event('push', 'refs/heads/%%%')
    expect(expandTags(['auto'], e, 'auto')).toEqual(['sha-0123456'])
    expect(autoTags(e).version).toBe('')
  })
})

describe('the sha-tag input', () => {
  test.each<[string, GitEvent, string[]]>([
    ['release', event('push', 'refs/tags/v1.2.3'), ['1.2.3', '1.2', '1', 'latest']],
    ['branch', event('push', 'refs/heads/main'), ['main']],
    ['pull request', event('pull_request', 'refs/pull/42/merge', prPayload), ['pr-42']],
    ['schedule', event('schedule', 'refs/heads/main'), ['nightly']]
  ])('false drops only sha-<7> from auto on a %s', (_label, e, tags) => {
    expect(expandTags(['auto'], e, 'auto', { sha: false })).toEqual(tags)
    expect(expandTags(['auto'], e, 'auto', { sha: true })).toEqual([
      ...tags,
      expect.stringMatching(/^sha-[0-9a-f]{7}$/)
    ])
  })

  it('leaves a literal sha- tag alone', () => {
    expect(expandTags(['auto', 'sha-custom'], event('push', 'refs/heads/main'), 'auto', { sha: false })).toEqual([
      'main',
      'sha-custom'
    ])
  })
})

describe('the latest input', () => {
  const release = event('push', 'refs/tags/v1.2.3')
  const branch = event('push', 'refs/heads/main')
  const pr = event('pull_request', 'refs/pull/42/merge', prPayload)
  test.each<[string, GitEvent, LatestMode, string[]]>([
    ['release, auto', release, 'auto', ['1.2.3', '1.2', '1', 'latest', 'sha-0123456']],
    ['release, false', release, 'false', ['1.2.3', '1.2', '1', 'sha-0123456']],
    ['release, true', release, 'true', ['1.2.3', '1.2', '1', 'latest', 'sha-0123456']],
    ['branch, auto', branch, 'auto', ['main', 'sha-0123456']],
    ['branch, true', branch, 'true', ['main', 'latest', 'sha-0123456']],
    ['prerelease, true', event('push', 'refs/tags/v2.0.0-rc.1'), 'true', ['2.0.0-rc.1', 'latest', 'sha-0123456']],
    ['non-semver tag, auto', event('push', 'refs/tags/release-7'), 'auto', ['release-7', 'sha-0123456']],
    ['non-semver tag, true', event('push', 'refs/tags/release-7'), 'true', ['release-7', 'latest', 'sha-0123456']],
    ['non-semver tag, false', event('push', 'refs/tags/release-7'), 'false', ['release-7', 'sha-0123456']],
    ['pull request, auto', pr, 'auto', ['pr-42', 'sha-fedcba9']],
    ['pull request, true', pr, 'true', ['pr-42', 'latest', 'sha-fedcba9']]
  ])('%s', (_label, e, latest, tags) => {
    expect(expandTags(['auto'], e, latest)).toEqual(tags)
  })

  it('adds latest to literal tags only when true', () => {
    expect(expandTags(['stable'], release, 'auto')).toEqual(['stable'])
    expect(expandTags(['stable'], release, 'false')).toEqual(['stable'])
    expect(expandTags(['stable'], release, 'true')).toEqual(['stable', 'latest'])
  })

  it('keeps a literal latest even when false (it only stops adding it)', () => {
    expect(expandTags(['latest', 'auto'], release, 'false')).toEqual(['latest', '1.2.3', '1.2', '1', 'sha-0123456'])
  })
})

describe('mixing auto with literal tags', () => {
  const release = event('push', 'refs/tags/v1.2.3')
  test.each<[string[], string[]]>([
    [
      ['auto', 'stable'],
      ['1.2.3', '1.2', '1', 'latest', 'sha-0123456', 'stable']
    ],
    [
      ['stable', 'auto'],
      ['stable', '1.2.3', '1.2', '1', 'latest', 'sha-0123456']
    ],
    [
      ['1.2', 'auto'],
      ['1.2', '1.2.3', '1', 'latest', 'sha-0123456']
    ],
    [
      ['auto', 'latest', 'auto'],
      ['1.2.3', '1.2', '1', 'latest', 'sha-0123456']
    ],
    [
      ['stable', 'edge'],
      ['stable', 'edge']
    ],
    [['x', 'x'], ['x']]
  ])('%j', (entries, tags) => {
    expect(expandTags(entries, release, 'auto')).toEqual(tags)
  })
})

describe('outside a workflow (no Git event)', () => {
  const none = gitEventOf({}, undefined)
  it('has no ref, commit or repository', () => {
    expect(none).toEqual({ name: '', ref: '', sha: '', pullRequest: undefined, sourceUrl: '', title: '' })
  })
  it('makes auto docker’s default, latest, with no version', () => {
    expect(expandTags(['auto'], none, 'auto')).toEqual(['latest'])
    expect(expandTags(['auto'], none, 'false')).toEqual([])
    expect(autoTags(none).version).toBe('')
  })
  it('gives only the sha tag for a ref that is neither a branch nor a tag', () => {
    expect(expandTags(['auto'], event('push', 'refs/remotes/x'), 'auto')).toEqual(['sha-0123456'])
  })
})

describe('image variants: tag-prefix and tag-suffix on every event', () => {
  const suffix: Variant = { prefix: '', suffix: '-alpine' }
  const prefix: Variant = { prefix: 'alpine-', suffix: '' }
  const both: Variant = { prefix: 'v2-', suffix: '-alpine' }
  test.each<[string, GitEvent, Variant, string[]]>([
    [
      'release v1.2.3, suffix',
      event('push', 'refs/tags/v1.2.3'),
      suffix,
      ['1.2.3-alpine', '1.2-alpine', '1-alpine', 'alpine', 'sha-0123456-alpine']
    ],
    [
      'release v1.2.3, prefix',
      event('push', 'refs/tags/v1.2.3'),
      prefix,
      ['alpine-1.2.3', 'alpine-1.2', 'alpine-1', 'alpine', 'alpine-sha-0123456']
    ],
    [
      'release v1.2.3, both',
      event('push', 'refs/tags/v1.2.3'),
      both,
      ['v2-1.2.3-alpine', 'v2-1.2-alpine', 'v2-1-alpine', 'v2-alpine', 'v2-sha-0123456-alpine']
    ],
    [
      'release v0.4.1 (no 0 tag)',
      event('push', 'refs/tags/v0.4.1'),
      suffix,
      ['0.4.1-alpine', '0.4-alpine', 'alpine', 'sha-0123456-alpine']
    ],
    [
      'prerelease v2.0.0-rc.1 (no latest)',
      event('push', 'refs/tags/v2.0.0-rc.1'),
      suffix,
      ['2.0.0-rc.1-alpine', 'sha-0123456-alpine']
    ],
    [
      'release (published)',
      event('release', 'refs/tags/v1.0.0'),
      suffix,
      ['1.0.0-alpine', '1.0-alpine', '1-alpine', 'alpine', 'sha-0123456-alpine']
    ],
    [
      'workflow_dispatch on a tag',
      event('workflow_dispatch', 'refs/tags/v3.1.4'),
      suffix,
      ['3.1.4-alpine', '3.1-alpine', '3-alpine', 'alpine', 'sha-0123456-alpine']
    ],
    [
      'a tag that is no semver',
      event('push', 'refs/tags/release-7'),
      suffix,
      ['release-7-alpine', 'sha-0123456-alpine']
    ],
    ['branch push', event('push', 'refs/heads/main'), suffix, ['main-alpine', 'sha-0123456-alpine']],
    [
      'branch push with a slash',
      event('push', 'refs/heads/feature/x'),
      prefix,
      ['alpine-feature-x', 'alpine-sha-0123456']
    ],
    [
      'pull request',
      event('pull_request', 'refs/pull/42/merge', prPayload),
      suffix,
      ['pr-42-alpine', 'sha-fedcba9-alpine']
    ],
    [
      'pull_request_target',
      event('pull_request_target', 'refs/heads/main', prPayload),
      suffix,
      ['pr-42-alpine', 'sha-fedcba9-alpine']
    ],
    ['schedule', event('schedule', 'refs/heads/main'), suffix, ['nightly-alpine', 'sha-0123456-alpine']],
    [
      'merge_group',
      event('merge_group', 'refs/heads/gh-readonly-queue/main/pr-7-abc'),
      suffix,
      ['gh-readonly-queue-main-pr-7-abc-alpine', 'sha-0123456-alpine']
    ],
    ['outside Actions (latest only)', gitEventOf({}, undefined), suffix, ['alpine']]
  ])('%s', (_label, e, variant, tags) => {
    expect(expandTags(['auto'], e, 'auto', { variant })).toEqual(tags)
    for (const tag of tags) expect(isValidTag(tag)).toBe(true)
  })

  it('keeps the version without the affixes (the version output and label)', () => {
    expect(autoTags(event('push', 'refs/tags/v1.2.3'), { variant: suffix }).version).toBe('1.2.3')
    expect(autoTags(event('push', 'refs/heads/main'), { variant: prefix }).version).toBe('main')
  })

  it('leaves tags written out as written, and affixes only auto', () => {
    expect(
      expandTags(['auto', 'edge', 'latest'], event('push', 'refs/heads/main'), 'auto', { variant: suffix })
    ).toEqual(['main-alpine', 'sha-0123456-alpine', 'edge', 'latest'])
  })

  it('latest: true gives the variant its latest, latest: false none, sha-tag: false drops the sha- tag', () => {
    const branch = event('push', 'refs/heads/main')
    expect(expandTags(['auto'], branch, 'true', { variant: suffix })).toEqual([
      'main-alpine',
      'alpine',
      'sha-0123456-alpine'
    ])
    expect(expandTags(['edge'], branch, 'true', { variant: suffix })).toEqual(['edge', 'alpine'])
    const release = event('push', 'refs/tags/v1.2.3')
    expect(expandTags(['auto'], release, 'false', { variant: suffix, sha: false })).toEqual([
      '1.2.3-alpine',
      '1.2-alpine',
      '1-alpine'
    ])
  })

  test.each<[Variant, string]>([
    [{ prefix: '', suffix: '' }, 'latest'],
    [{ prefix: '', suffix: '-alpine' }, 'alpine'],
    [{ prefix: '', suffix: '_slim' }, 'slim'],
    [{ prefix: '', suffix: 'alpine' }, 'alpine'],
    [{ prefix: 'alpine-', suffix: '' }, 'alpine'],
    [{ prefix: 'alpine', suffix: '' }, 'alpine'],
    [{ prefix: 'v2-', suffix: '-alpine' }, 'v2-alpine'],
    [{ prefix: 'v2.', suffix: '.slim' }, 'v2.slim']
  ])('latestOf(%j) is %j', (variant, latest) => {
    expect(latestOf(variant)).toBe(latest)
  })

  it('cuts a long branch name so that the affixes still fit in a tag', () => {
    const e = event('push', `refs/heads/${'b'.repeat(200)}`)
    const [tag] = expandTags(['auto'], e, 'auto', { variant: both })
    expect(tag).toBe(`v2-${'b'.repeat(128 - 10)}-alpine`)
    expect(isValidTag(tag)).toBe(true)
  })
})

describe('parseInputs: tags', () => {
  test.each<[string, string[]]>([
    ['', ['latest']],
    ['auto', ['latest']],
    ['v1', ['v1']],
    ['v1,v2', ['v1', 'v2']],
    ['v1\nauto', ['v1', 'latest']],
    ['auto, v1', ['latest', 'v1']],
    ['v1, auto, v1, latest, v2', ['v1', 'latest', 'v2']],
    ['latest\nauto', ['latest']],
    ['auto,auto', ['latest']],
    ['v2,v1,v2,v1', ['v2', 'v1']]
  ])('%j -> %j', (tags, expected) => {
    expect(inputsOf(parse({ tags })).tags).toEqual(expected)
  })

  test.each<[string, string]>([
    ['.x', "Input 'tags': '.x' is not a valid tag."],
    ['-x', "Input 'tags': '-x' is not a valid tag."],
    ['a b', "Input 'tags': 'a b' is not a valid tag."],
    ['x'.repeat(129), `Input 'tags': '${'x'.repeat(40)}… (129 characters)' is not a valid tag.`]
  ])('rejects %j', (tags, start) => {
    const message = onlyProblem(parse({ tags }), 'tags')
    expect(message.startsWith(start)).toBe(true)
    expect(message).toContain('Fix: a tag is 1 to 128 characters')
  })

  test.each<[string, string]>([
    [
      'ghcr.io/octo/app:1.2.3',
      "Input 'tags': 'ghcr.io/octo/app:1.2.3' is a full image reference, not a tag. Fix: write the repository 'ghcr.io/octo/app' in images and only the tag '1.2.3' in tags (each tag applies to every repository in images)."
    ],
    [
      'octo/app:latest',
      "Input 'tags': 'octo/app:latest' is a full image reference, not a tag. Fix: write the repository 'octo/app' in images and only the tag 'latest' in tags (each tag applies to every repository in images)."
    ],
    [
      'localhost:5000/app',
      "Input 'tags': 'localhost:5000/app' is a repository, not a tag. Fix: write the repository 'localhost:5000/app' in images and only tag names such as latest or 1.2.3 in tags (each tag applies to every repository in images)."
    ],
    [
      'a/b',
      "Input 'tags': 'a/b' is a repository, not a tag. Fix: write the repository 'a/b' in images and only tag names such as latest or 1.2.3 in tags (each tag applies to every repository in images)."
    ],
    [
      'Octo/App:V1',
      "Input 'tags': 'Octo/App:V1' is a full image reference, not a tag. Fix: write the repository 'Octo/App' in images and only the tag 'V1' in tags (each tag applies to every repository in images)."
    ]
  ])('says that the repository of the full reference %j goes in images', (tags, message) => {
    expect(onlyProblem(parse({ tags }), 'tags')).toBe(message)
  })

  it('names the repository in images for a build-push-action style list of references', () => {
    const problems = problemsOf(parse({ tags: 'octo/app:1.2.3\nocto/app:latest' }))
    expect(problems.map((p) => p.message.slice(0, p.message.indexOf('. Fix')))).toEqual([
      "Input 'tags': 'octo/app:1.2.3' is a full image reference, not a tag",
      "Input 'tags': 'octo/app:latest' is a full image reference, not a tag"
    ])
  })

  it('reports each invalid tag once', () => {
    const problems = problemsOf(parse({ tags: '.a, v1, -b, .a' }))
    expect(problems.map((p) => p.message.slice(0, p.message.indexOf(' is not')))).toEqual([
      "Input 'tags': '.a'",
      "Input 'tags': '-b'"
    ])
  })
})

describe('parseInputs: latest, version and labels from the Git event', () => {
  const SHA = 'abcdef0123456789abcdef0123456789abcdef01'
  const release = gitEventOf(
    { GITHUB_EVENT_NAME: 'push', GITHUB_REF: 'refs/tags/v1.2.3', GITHUB_SHA: SHA, GITHUB_REPOSITORY: 'octo-org/app' },
    undefined
  )

  function parseOn(overrides: Partial<RawInputs>, event = release): ParseResult {
    return parseInputs(raw(overrides), env(undefined, event))
  }

  it('gives the release tags, the version and the OCI labels for a tag push', () => {
    const inputs = inputsOf(parseOn({}))
    expect(inputs.tags).toEqual(['1.2.3', '1.2', '1', 'latest', 'sha-abcdef0'])
    expect(inputs.version).toBe('1.2.3')
    expect(buildOf(inputs).labels).toEqual([
      { key: 'org.opencontainers.image.source', value: 'https://github.com/octo-org/app' },
      { key: 'org.opencontainers.image.revision', value: SHA },
      { key: 'org.opencontainers.image.version', value: '1.2.3' },
      CREATED,
      { key: 'org.opencontainers.image.title', value: 'app' }
    ])
  })

  it('dates the created label at the commit and gives BuildKit its SOURCE_DATE_EPOCH', () => {
    const environment = {
      ...env(undefined, release),
      created: { date: new Date('2025-03-04T04:06:07Z'), source: 'head commit' as const }
    }
    const build = buildOf(inputsOf(parseInputs(raw(), environment)))
    expect(build.labels).toContainEqual({ key: 'org.opencontainers.image.created', value: '2025-03-04T04:06:07Z' })
    expect(build.sourceDateEpoch).toBe(1741061167)
  })

  it('gives no SOURCE_DATE_EPOCH when the time is only now', () => {
    expect(buildOf(inputsOf(parseOn({}))).sourceDateEpoch).toBeUndefined()
  })

  it('lets a label the user sets win over the default of the same key', () => {
    const labels = buildOf(
      inputsOf(parseOn({ labels: 'org.opencontainers.image.title=My App\norg.opencontainers.image.version=custom' }))
    ).labels
    expect(labels.filter((l) => l.key === 'org.opencontainers.image.title')).toEqual([
      { key: 'org.opencontainers.image.title', value: 'My App' }
    ])
    expect(labels.filter((l) => l.key === 'org.opencontainers.image.version')).toEqual([
      { key: 'org.opencontainers.image.version', value: 'custom' }
    ])
    expect(labels).toHaveLength(5)
  })

  it('sets no labels on a retag', () => {
    expect(inputsOf(parseOn({ 'source-image': 'alice/app:v1' })).source).toEqual({ kind: 'image', ref: 'alice/app:v1' })
  })

  test.each<[string, string[]]>([
    ['auto', ['1.2.3', '1.2', '1', 'latest', 'sha-abcdef0']],
    ['', ['1.2.3', '1.2', '1', 'latest', 'sha-abcdef0']],
    ['false', ['1.2.3', '1.2', '1', 'sha-abcdef0']],
    ['FALSE', ['1.2.3', '1.2', '1', 'sha-abcdef0']],
    ['true', ['1.2.3', '1.2', '1', 'latest', 'sha-abcdef0']]
  ])('latest: %j', (latest, tags) => {
    expect(inputsOf(parseOn({ latest })).tags).toEqual(tags)
  })

  test.each(['yes', 'always', '1'])('latest: %j is a problem', (latest) => {
    expect(onlyProblem(parseOn({ latest }), 'latest')).toBe(
      `Input 'latest': '${latest}' is not auto, true or false. Fix: write auto (latest on releases), true (always) or false (never).`
    )
  })

  it('is a problem when no tag is left', () => {
    expect(onlyProblem(parseInputs(raw({ latest: 'false' }), env()), 'tags')).toBe(
      "Input 'tags': no tag is left: auto gives none on this event and latest is false. Fix: list the tags, or set latest to auto or true."
    )
  })

  it('mixes auto with literal tags, in order, without duplicates', () => {
    expect(inputsOf(parseOn({ tags: 'auto\nstable\n1.2' })).tags).toEqual([
      '1.2.3',
      '1.2',
      '1',
      'latest',
      'sha-abcdef0',
      'stable'
    ])
  })

  it('reports an invalid literal tag next to valid auto tags', () => {
    expect(onlyProblem(parseOn({ tags: 'auto, -bad' }), 'tags')).toContain("'-bad' is not a valid tag")
  })

  test.each<[string, string[]]>([
    ['', ['1.2.3', '1.2', '1', 'latest', 'sha-abcdef0']],
    ['true', ['1.2.3', '1.2', '1', 'latest', 'sha-abcdef0']],
    ['false', ['1.2.3', '1.2', '1', 'latest']],
    ['False', ['1.2.3', '1.2', '1', 'latest']]
  ])('sha-tag: %j', (shaTag, tags) => {
    expect(inputsOf(parseOn({ 'sha-tag': shaTag })).tags).toEqual(tags)
  })

  it('sha-tag: false keeps literal tags, and a non-boolean is a problem', () => {
    expect(inputsOf(parseOn({ 'sha-tag': 'false', tags: 'auto, edge' })).tags).toEqual([
      '1.2.3',
      '1.2',
      '1',
      'latest',
      'edge'
    ])
    expect(onlyProblem(parseOn({ 'sha-tag': 'no' }), 'sha-tag')).toBe(
      "Input 'sha-tag': 'no' is not a boolean. Fix: write true or false."
    )
  })

  it('tag-suffix and tag-prefix affix every automatic tag and make latest the variant name', () => {
    expect(inputsOf(parseOn({ 'tag-suffix': '-alpine' })).tags).toEqual([
      '1.2.3-alpine',
      '1.2-alpine',
      '1-alpine',
      'alpine',
      'sha-abcdef0-alpine'
    ])
    expect(inputsOf(parseOn({ 'tag-prefix': 'slim-', tags: 'auto, edge' })).tags).toEqual([
      'slim-1.2.3',
      'slim-1.2',
      'slim-1',
      'slim',
      'slim-sha-abcdef0',
      'edge'
    ])
  })

  test.each<[string, string, string]>([
    [
      'tag-prefix',
      '-alpine',
      "Input 'tag-prefix': '-alpine' cannot be part of a tag. Fix: write up to 64 letters, digits, _ . and -, starting with a letter, digit or _, such as alpine-."
    ],
    [
      'tag-suffix',
      '/alpine',
      "Input 'tag-suffix': '/alpine' cannot be part of a tag. Fix: write up to 64 letters, digits, _ . and -, such as -alpine."
    ],
    [
      'tag-suffix',
      'x'.repeat(65),
      `Input 'tag-suffix': '${'x'.repeat(65)}' cannot be part of a tag. Fix: write up to 64 letters, digits, _ . and -, such as -alpine.`
    ]
  ])('%s: %j is a problem', (input, value, message) => {
    expect(onlyProblem(parseOn({ [input]: value }), input as 'tag-prefix')).toBe(message)
  })

  it('a merge part gets the variant affixes too, so two variants of one commit keep their parts apart', () => {
    expect(inputsOf(parseOn({ merge: 'part', platforms: 'linux/arm64', 'tag-suffix': '-alpine' })).tags).toEqual([
      `sha-${SHA.slice(0, 7)}-linux-arm64-alpine`
    ])
  })

  const tagPush = (tag: string) =>
    gitEventOf({ GITHUB_EVENT_NAME: 'push', GITHUB_REF: `refs/tags/${tag}`, GITHUB_SHA: SHA }, undefined)

  test.each<[string, string]>([
    [
      'V1.2.3',
      "The Git tag 'V1.2.3' is not a semantic version (semver.org: MAJOR.MINOR.PATCH without leading zeros, with an optional lowercase v), so latest: auto does not move latest. Name the release like v1.2.3 to get the version tags and latest, or set latest: true to move it on this tag."
    ],
    [
      'v1.2',
      "The Git tag 'v1.2' is not a semantic version (semver.org: MAJOR.MINOR.PATCH without leading zeros, with an optional lowercase v), so latest: auto does not move latest. Name the release like v1.2.3 to get the version tags and latest, or set latest: true to move it on this tag."
    ],
    [
      'release-7',
      "The Git tag 'release-7' is not a semantic version, so latest: auto does not move latest. Set latest: true to move it on this tag."
    ]
  ])('a push of the tag %j gets no latest, and a notice that says why', (tag, message) => {
    const result = parseOn({}, tagPush(tag))
    expect(inputsOf(result).tags).not.toContain('latest')
    expect(result.notices).toEqual([{ input: 'latest', message }])
  })

  test.each<[string, Partial<RawInputs>]>([
    ['latest: true', { latest: 'true' }],
    ['latest: false', { latest: 'false' }],
    ['literal tags only', { tags: 'stable' }]
  ])('gives no such notice with %s', (_label, overrides) => {
    expect(parseOn(overrides, tagPush('V1.2.3')).notices).toEqual([])
  })
})

describe('partTag', () => {
  test.each([
    ['linux/amd64', 'sha-abc1234-linux-amd64'],
    ['linux/arm64', 'sha-abc1234-linux-arm64'],
    ['linux/arm/v7', 'sha-abc1234-linux-arm-v7']
  ])('%s -> %s', (platform, tag) => {
    expect(partTag(PARTS_SHA, platform)).toBe(tag)
  })
})

describe('image variants and merge', () => {
  it('puts a part between the variant affixes, so two variants of one commit have their own parts', () => {
    const sha = '0123456789abcdef0123456789abcdef01234567'
    expect(partTag(sha, 'linux/arm64')).toBe('sha-0123456-linux-arm64')
    expect(partTag(sha, 'linux/arm64', { prefix: '', suffix: '-alpine' })).toBe('sha-0123456-linux-arm64-alpine')
    expect(partTag(sha, 'linux/arm/v7', { prefix: 'slim-', suffix: '' })).toBe('slim-sha-0123456-linux-arm-v7')
  })
})
