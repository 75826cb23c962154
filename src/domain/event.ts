// The Git event a workflow runs for, read from the runner's variables and the
// payload, and what it says about the image besides its tags (inputs/tags.ts): the
// OCI labels and the creation time. Pure: the runner's environment and the event
// payload come in as plain values; nothing here is ever run as a command (a ref
// name is data).

/** What the runner says about the event (GITHUB_* variables and the payload). */
export interface GitEvent {
  /** GITHUB_EVENT_NAME: push, pull_request, schedule, workflow_dispatch, … ('' outside Actions). */
  name: string
  /** GITHUB_REF: refs/heads/main, refs/tags/v1.2.3, refs/pull/42/merge ('' outside Actions). */
  ref: string
  /** The commit the image is built from: GITHUB_SHA, or the PR head commit on pull requests. */
  sha: string
  /** The pull request number, on pull request events. */
  pullRequest: number | undefined
  /** `https://github.com/octo-org/app`, or '' when GITHUB_REPOSITORY is unset. */
  sourceUrl: string
  /** `app`: the repository's name without its owner, or ''. */
  title: string
  /** A `pull_request` event from a fork (GitHub gives its workflows no secrets): the fork's `owner/name`. */
  fork?: string
  /** The repository's default branch, when the payload says (`repository.default_branch`). */
  defaultBranch?: string
  /** A pull request's base branch (GITHUB_BASE_REF). */
  baseBranch?: string
}

/** Environment variables as process.env gives them. */
export type Variables = Record<string, string | undefined>

const PULL_REQUEST_EVENTS = new Set(['pull_request', 'pull_request_target'])

/**
 * Reads the event from the runner's variables and the parsed event payload
 * (the JSON file at GITHUB_EVENT_PATH; `undefined` when there is none).
 */
export function gitEventOf(vars: Variables, payload: unknown): GitEvent {
  const name = vars.GITHUB_EVENT_NAME ?? ''
  const ref = vars.GITHUB_REF ?? ''
  const pr = pullRequestOf(payload)
  const refNumber = /^refs\/pull\/(\d+)\//.exec(ref)?.[1]
  const isPullRequest = PULL_REQUEST_EVENTS.has(name) || refNumber !== undefined
  const repository = vars.GITHUB_REPOSITORY ?? ''
  const server = (vars.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '')
  return {
    name,
    ref,
    // On pull requests GITHUB_SHA is the merge commit GitHub made; the image is the PR head's.
    sha: (isPullRequest && pr?.headSha) || (vars.GITHUB_SHA ?? ''),
    pullRequest: isPullRequest ? (pr?.number ?? (refNumber === undefined ? undefined : Number(refNumber))) : undefined,
    sourceUrl: repository === '' ? '' : `${server}/${repository}`,
    title: repository.slice(repository.indexOf('/') + 1),
    ...(name === 'pull_request' ? forkOf(payload) : {}),
    ...defaultBranchOf(payload),
    ...(isPullRequest && vars.GITHUB_BASE_REF ? { baseBranch: vars.GITHUB_BASE_REF } : {})
  }
}

function defaultBranchOf(payload: unknown): { defaultBranch?: string } {
  const branch = (payload as { repository?: { default_branch?: unknown } } | null)?.repository?.default_branch
  return typeof branch === 'string' && branch !== '' ? { defaultBranch: branch } : {}
}

/**
 * The fork a pull request comes from: its head repository differs from the base
 * one, or says it is a fork, or is gone (a deleted fork). `{}` for a branch of
 * the repository itself, or when the payload does not say.
 */
function forkOf(payload: unknown): { fork?: string } {
  type Repo = { full_name?: unknown; fork?: unknown } | null | undefined
  const pr = (payload as { pull_request?: { head?: { repo?: Repo }; base?: { repo?: Repo } } } | null)?.pull_request
  if (typeof pr !== 'object' || pr === null || typeof pr.head !== 'object' || pr.head === null) return {}
  const head = pr.head.repo
  const base = pr.base?.repo
  if (head === null) return { fork: '(a deleted fork)' }
  const headName = typeof head?.full_name === 'string' ? head.full_name : undefined
  const baseName = typeof base?.full_name === 'string' ? base.full_name : undefined
  const fromFork = head?.fork === true || (headName !== undefined && baseName !== undefined && headName !== baseName)
  return fromFork ? { fork: headName ?? '(a fork)' } : {}
}

function pullRequestOf(payload: unknown): { number: number | undefined; headSha: string | undefined } | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined
  const pr = (payload as { pull_request?: { number?: unknown; head?: { sha?: unknown } } }).pull_request
  if (typeof pr !== 'object' || pr === null) return undefined
  return {
    number: typeof pr.number === 'number' ? pr.number : undefined,
    headSha: typeof pr.head?.sha === 'string' && pr.head.sha !== '' ? pr.head.sha : undefined
  }
}

export const OCI = 'org.opencontainers.image'

/** The OCI annotations the build adds (those whose value is known), as label key/value pairs. */
export function ociLabels(event: GitEvent, version: string, created: Date): { key: string; value: string }[] {
  const labels: [string, string][] = [
    ['source', event.sourceUrl],
    ['revision', event.sha],
    ['version', version],
    ['created', rfc3339(created)],
    ['title', event.title]
  ]
  return labels.filter(([, value]) => value !== '').map(([key, value]) => ({ key: `${OCI}.${key}`, value }))
}

/** Where the `created` label's time came from, in the order they are tried. */
export type CreatedSource = 'SOURCE_DATE_EPOCH' | 'head commit' | 'git log' | 'now'

/** The image's creation time: the commit's, so the same commit built twice gives the same image. */
export interface Created {
  /** Whole seconds, UTC. */
  date: Date
  source: CreatedSource
}

/** The places a commit time can come from; `git` is only asked when the others have none. */
export interface CommitTimes {
  /** The SOURCE_DATE_EPOCH variable as set (seconds since the epoch). */
  sourceDateEpoch: string | undefined
  /** The event payload's `head_commit.timestamp` (push events), when it is the commit built. */
  headCommit: string | undefined
  /** `git log -1 --format=%cI` of the commit in the workspace; undefined when git gives none. */
  git: () => string | undefined
}

const toSeconds = (ms: number): Date => new Date(Math.floor(ms / 1000) * 1000)

/**
 * The commit time, from the first source that has one: SOURCE_DATE_EPOCH, the
 * event's head commit, `git log` in the workspace; else now. A SOURCE_DATE_EPOCH
 * that is not a whole number of seconds is passed over with a warning.
 */
export function createdOf(times: CommitTimes, now: Date): { created: Created; warnings: string[] } {
  const warnings: string[] = []
  const epoch = times.sourceDateEpoch?.trim()
  if (epoch !== undefined && epoch !== '') {
    if (/^\d{1,12}$/.test(epoch))
      return { created: { date: new Date(Number(epoch) * 1000), source: 'SOURCE_DATE_EPOCH' }, warnings }
    warnings.push(
      `SOURCE_DATE_EPOCH='${epoch}' is not a whole number of seconds since 1970, so the image's creation time comes from the commit instead.`
    )
  }
  const head = times.headCommit === undefined ? NaN : Date.parse(times.headCommit)
  if (!Number.isNaN(head)) return { created: { date: toSeconds(head), source: 'head commit' }, warnings }
  const gitTime = times.git()
  const fromGit = gitTime === undefined ? NaN : Date.parse(gitTime)
  if (!Number.isNaN(fromGit)) return { created: { date: toSeconds(fromGit), source: 'git log' }, warnings }
  return { created: { date: toSeconds(now.getTime()), source: 'now' }, warnings }
}

/** The event payload's head commit time, when the head commit is the one built (push events). */
export function headCommitTime(payload: unknown, sha: string): string | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined
  const head = (payload as { head_commit?: { id?: unknown; timestamp?: unknown } | null }).head_commit
  if (typeof head !== 'object' || head === null || typeof head.timestamp !== 'string') return undefined
  return typeof head.id === 'string' && sha !== '' && head.id !== sha ? undefined : head.timestamp
}

/** `2026-01-02T03:04:05Z`: RFC 3339 in UTC, whole seconds. */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/** The log line that says which time the `created` label has, and so whether a rebuild gives the same digest. */
export function createdLine(created: Created): string {
  const time = rfc3339(created.date)
  const from: Record<CreatedSource, string> = {
    SOURCE_DATE_EPOCH: 'from SOURCE_DATE_EPOCH',
    'head commit': "the commit's time, from the event's head commit",
    'git log': "the commit's time, from git log in the workspace",
    now: 'now: no SOURCE_DATE_EPOCH, no head commit in the event and no git history in the workspace, so a rebuild of this commit gets another digest'
  }
  return `Image creation time (${OCI}.created): ${time}, ${from[created.source]}.`
}
