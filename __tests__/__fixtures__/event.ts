// Git events as a workflow run gives them (domain/event.ts's gitEventOf of the runner's
// variables and the event payload), for the tests of the event and of the tags made from it.
import { gitEventOf } from '../../src/domain/event.js'
import type { GitEvent, Variables } from '../../src/domain/event.js'
import { NO_EVENT } from './environment.js'

/** The commit a run is of (GITHUB_SHA). */
export const SHA = '0123456789abcdef0123456789abcdef01234567'
/** A pull request's head commit, in its payload. */
export const HEAD = 'fedcba9876543210fedcba9876543210fedcba98'
/** The merge commit GitHub makes of a pull request, GITHUB_SHA on pull_request. */
export const MERGE = '1111111111111111111111111111111111111111'

function vars(event: string, ref: string, sha = SHA): Variables {
  return {
    GITHUB_EVENT_NAME: event,
    GITHUB_REF: ref,
    GITHUB_SHA: sha,
    GITHUB_REPOSITORY: 'octo-org/app',
    GITHUB_SERVER_URL: 'https://github.com'
  }
}

/** The event of a run of the repository octo-org/app on github.com. */
export function event(name: string, ref: string, payload?: unknown, sha = SHA): GitEvent {
  return gitEventOf(vars(name, ref, sha), payload)
}

/** The payload of pull request 42, whose head is HEAD. */
export const prPayload = { pull_request: { number: 42, head: { sha: HEAD } } }

/** The commit of a merge's parts: abc1234 in their tags. */
export const PARTS_SHA = 'abc1234def5678abc1234def5678abc1234def56'

/** A push of the tag v1.2.3 of PARTS_SHA, with nothing else known (no repository, no payload). */
export const TAG_PUSH: GitEvent = { ...NO_EVENT, name: 'push', ref: 'refs/tags/v1.2.3', sha: PARTS_SHA }
