// domain/event.ts: the Git event of a run (the commit, the pull request, a fork), the OCI
// labels made of it, and the image's creation time.
import { describe, expect, it, test } from '@jest/globals'
import { createdLine, createdOf, gitEventOf, headCommitTime, ociLabels } from '../../../src/domain/event.js'
import type { CommitTimes, CreatedSource } from '../../../src/domain/event.js'
import { expandTags } from '../../../src/inputs/tags.js'
import { event, HEAD, MERGE, prPayload, SHA } from '../../__fixtures__/event.js'

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
