import { describe, expect, it, test } from '@jest/globals'
import { createdLine, createdOf, gitEventOf, headCommitTime, ociLabels } from '../../../src/domain/event.js'
import type { CommitTimes, CreatedSource, GitEvent, Variables } from '../../../src/domain/event.js'
import { autoTags, expandTags, isNearSemver, latestOf, parseSemver, tagOf } from '../../../src/inputs/tags.js'
import type { LatestMode, Variant } from '../../../src/inputs/tags.js'
import { isValidTag } from '../../../src/domain/reference.js'

const SHA = '0123456789abcdef0123456789abcdef01234567'
const HEAD = 'fedcba9876543210fedcba9876543210fedcba98'
const MERGE = '1111111111111111111111111111111111111111'

function vars(event: string, ref: string, sha = SHA): Variables {
  return {
    GITHUB_EVENT_NAME: event,
    GITHUB_REF: ref,
    GITHUB_SHA: sha,
    GITHUB_REPOSITORY: 'octo-org/app',
    GITHUB_SERVER_URL: 'https://github.com'
  }
}

function event(name: string, ref: string, payload?: unknown, sha = SHA): GitEvent {
  return gitEventOf(vars(name, ref, sha), payload)
}

const prPayload = { pull_request: { number: 42, head: { sha: HEAD } } }

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

describe('gitEventOf', () => {
  it('takes the PR head commit from the payload, not the merge commit', () => {
    const e = event('pull_request', 'refs/pull/42/merge', prPayload, MERGE)
    expect(e.sha).toBe(HEAD)
    expect(e.pullRequest).toBe(42)
  })

  it('falls back to the ref number and GITHUB_SHA when the payload is missing', () => {
    const e = event('pull_request', 'refs/pull/7/merge', undefined, MERGE)
    expect(e.pullRequest).toBe(7)
    expect(e.sha).toBe(MERGE)
  })

  it('treats any event on refs/pull/N as a pull request (pull_request_review)', () => {
    const e = event(
      'pull_request_review',
      'refs/pull/9/merge',
      { pull_request: { number: 9, head: { sha: HEAD } } },
      MERGE
    )
    expect(expandTags(['auto'], e, 'auto')).toEqual(['pr-9', 'sha-fedcba9'])
  })

  it('ignores a pull_request object in the payload of a push', () => {
    const e = event('push', 'refs/heads/main', prPayload)
    expect(e.pullRequest).toBeUndefined()
    expect(e.sha).toBe(SHA)
  })

  test.each<[string, unknown]>([
    ['null', null],
    ['a string', 'x'],
    ['pull_request null', { pull_request: null }],
    ['no head', { pull_request: { number: 5 } }],
    ['a numeric sha', { pull_request: { number: 5, head: { sha: 5 } } }],
    ['a string number', { pull_request: { number: '5', head: { sha: HEAD } } }]
  ])('survives a payload with %s', (_label, payload) => {
    const e = event('pull_request', 'refs/pull/5/merge', payload, MERGE)
    expect(e.pullRequest).toBe(5)
    expect([HEAD, MERGE]).toContain(e.sha)
  })

  it('builds the source URL from the server and the repository', () => {
    expect(
      gitEventOf({ GITHUB_REPOSITORY: 'o/r', GITHUB_SERVER_URL: 'https://ghe.example.com/' }, undefined).sourceUrl
    ).toBe('https://ghe.example.com/o/r')
    expect(gitEventOf({ GITHUB_REPOSITORY: 'o/r' }, undefined).sourceUrl).toBe('https://github.com/o/r')
    expect(gitEventOf({ GITHUB_REPOSITORY: 'o/r' }, undefined).title).toBe('r')
  })
})

describe('ociLabels', () => {
  const created = new Date('2026-12-01T06:07:08.901Z')
  it('has source, revision, version, created and title', () => {
    const e = event('push', 'refs/tags/v1.2.3')
    expect(ociLabels(e, '1.2.3', created)).toEqual([
      { key: 'org.opencontainers.image.source', value: 'https://github.com/octo-org/app' },
      { key: 'org.opencontainers.image.revision', value: SHA },
      { key: 'org.opencontainers.image.version', value: '1.2.3' },
      { key: 'org.opencontainers.image.created', value: '2026-12-01T06:07:08Z' },
      { key: 'org.opencontainers.image.title', value: 'app' }
    ])
  })

  it('has the PR head commit as revision on pull requests', () => {
    const e = event('pull_request', 'refs/pull/42/merge', prPayload, MERGE)
    expect(ociLabels(e, 'pr-42', created).find((l) => l.key.endsWith('.revision'))?.value).toBe(HEAD)
  })

  it('leaves out what is unknown outside a workflow, keeping created', () => {
    expect(ociLabels(gitEventOf({}, undefined), '', created)).toEqual([
      { key: 'org.opencontainers.image.created', value: '2026-12-01T06:07:08Z' }
    ])
  })

  it('writes created as RFC 3339 in UTC', () => {
    const [label] = ociLabels(gitEventOf({}, undefined), '', new Date(Date.UTC(2027, 0, 5, 23, 59, 59)))
    expect(label.value).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    expect(label.value).toBe('2027-01-05T23:59:59Z')
  })
})

describe('createdOf: the commit time, for a reproducible image', () => {
  const now = new Date('2026-06-07T08:09:10.987Z')
  const none: CommitTimes = { sourceDateEpoch: undefined, headCommit: undefined, git: () => undefined }

  test.each<[string, Partial<CommitTimes>, string, string]>([
    [
      'SOURCE_DATE_EPOCH first',
      { sourceDateEpoch: '1700000000', headCommit: '2025-01-01T00:00:00Z', git: () => '2024-01-01T00:00:00Z' },
      '2023-11-14T22:13:20.000Z',
      'SOURCE_DATE_EPOCH'
    ],
    [
      'then the head commit, in UTC and whole seconds',
      { headCommit: '2025-03-04T05:06:07+01:00', git: () => '2024-01-01T00:00:00Z' },
      '2025-03-04T04:06:07.000Z',
      'head commit'
    ],
    ['then git log', { git: () => '2024-02-03T04:05:06-08:00' }, '2024-02-03T12:05:06.000Z', 'git log'],
    ['else now, whole seconds', {}, '2026-06-07T08:09:10.000Z', 'now'],
    ['SOURCE_DATE_EPOCH 0 is a time too', { sourceDateEpoch: '0' }, '1970-01-01T00:00:00.000Z', 'SOURCE_DATE_EPOCH'],
    [
      'an empty SOURCE_DATE_EPOCH is unset',
      { sourceDateEpoch: '', git: () => '2024-02-03T04:05:06Z' },
      '2024-02-03T04:05:06.000Z',
      'git log'
    ],
    [
      'a head commit time that is no time is passed over',
      { headCommit: 'yesterday' },
      '2026-06-07T08:09:10.000Z',
      'now'
    ]
  ])('%s', (_label, times, iso, source) => {
    const { created, warnings } = createdOf({ ...none, ...times }, now)
    expect(created.date.toISOString()).toBe(iso)
    expect(created.source).toBe(source)
    expect(warnings).toEqual([])
  })

  it('asks git only when SOURCE_DATE_EPOCH and the event have no time', () => {
    let asked = 0
    const git = (): string => {
      asked++
      return '2024-01-01T00:00:00Z'
    }
    createdOf({ ...none, headCommit: '2025-01-01T00:00:00Z', git }, now)
    createdOf({ ...none, sourceDateEpoch: '1', git }, now)
    expect(asked).toBe(0)
    createdOf({ ...none, git }, now)
    expect(asked).toBe(1)
  })

  test.each(['1.5', '-1', 'soon', '2024-01-01'])(
    'warns about SOURCE_DATE_EPOCH=%j and uses the next source',
    (value) => {
      const { created, warnings } = createdOf(
        { ...none, sourceDateEpoch: value, headCommit: '2025-01-01T00:00:00Z' },
        now
      )
      expect(created.source).toBe('head commit')
      expect(warnings).toEqual([
        `SOURCE_DATE_EPOCH='${value}' is not a whole number of seconds since 1970, so the image's creation time comes from the commit instead.`
      ])
    }
  )
})

describe('headCommitTime', () => {
  test.each<[string, unknown, string, string | undefined]>([
    ['a push', { head_commit: { id: SHA, timestamp: '2025-01-01T00:00:00Z' } }, SHA, '2025-01-01T00:00:00Z'],
    ['a head commit without id', { head_commit: { timestamp: '2025-01-01T00:00:00Z' } }, SHA, '2025-01-01T00:00:00Z'],
    [
      'another commit than the one built',
      { head_commit: { id: HEAD, timestamp: '2025-01-01T00:00:00Z' } },
      SHA,
      undefined
    ],
    ['a branch deletion (head_commit: null)', { head_commit: null }, SHA, undefined],
    ['a pull request (no head_commit)', prPayload, HEAD, undefined],
    ['no payload', undefined, SHA, undefined],
    ['a timestamp that is no string', { head_commit: { id: SHA, timestamp: 5 } }, SHA, undefined]
  ])('%s', (_label, payload, sha, expected) => {
    expect(headCommitTime(payload, sha)).toBe(expected)
  })
})

describe('createdLine', () => {
  const date = new Date('2025-03-04T04:06:07Z')
  test.each<[CreatedSource, string]>([
    ['SOURCE_DATE_EPOCH', 'from SOURCE_DATE_EPOCH'],
    ['head commit', "the commit's time, from the event's head commit"],
    ['git log', "the commit's time, from git log in the workspace"],
    [
      'now',
      'now: no SOURCE_DATE_EPOCH, no head commit in the event and no git history in the workspace, so a rebuild of this commit gets another digest'
    ]
  ])('says where the time came from: %s', (source, said) => {
    expect(createdLine({ date, source })).toBe(
      `Image creation time (org.opencontainers.image.created): 2025-03-04T04:06:07Z, ${said}.`
    )
  })
})

describe('gitEventOf: a pull request from a fork', () => {
  const repo = (fullName: string, fork = false) => ({ full_name: fullName, fork })
  const pr = (head: unknown, base: unknown = repo('octo-org/app')) => ({
    pull_request: { number: 7, head: { sha: HEAD, repo: head }, base: { repo: base } }
  })

  test.each<[string, string, unknown, string | undefined]>([
    ['another repository', 'pull_request', pr(repo('someone/app', true)), 'someone/app'],
    ['another name, fork not said', 'pull_request', pr(repo('someone/app')), 'someone/app'],
    ['fork: true under the same name', 'pull_request', pr(repo('octo-org/app', true)), 'octo-org/app'],
    ['a deleted fork (head.repo: null)', 'pull_request', pr(null), '(a deleted fork)'],
    ['a branch of the repository', 'pull_request', pr(repo('octo-org/app')), undefined],
    ['pull_request_target (it has the secrets)', 'pull_request_target', pr(repo('someone/app', true)), undefined],
    ['a payload without repositories', 'pull_request', prPayload, undefined],
    ['no payload', 'pull_request', undefined, undefined]
  ])('%s', (_label, name, payload, fork) => {
    expect(event(name, 'refs/pull/7/merge', payload, MERGE).fork).toBe(fork)
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
