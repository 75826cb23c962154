// Turns the action's raw inputs into a typed, validated `Inputs` object, each
// input parsed once: the logins (logins.ts), the repositories and references
// (repositories.ts), the tags (tags.ts), what makes the image (build.ts, merge.ts)
// and the tarball (tarball.ts). Every problem is collected with its fix before
// anything runs. Pure: the machine's facts come in through the environment.
import { ociLabels } from '../domain/event.js'
import type { Repository } from '../domain/reference.js'
import type { Environment } from '../runner/environment.js'
import { parseSource } from './build.js'
import { parseBuildxRelease } from './builder.js'
import type { BuildxRelease } from './builder.js'
import type { Source } from './build.js'
import { forkWithoutLogin, parseLogins, parseRegistry } from './logins.js'
import { NOT_MERGED, parseMerge } from './merge.js'
import type { RawInputs } from './names.js'
import { parseBoolean, refuseControlCharacters, Report } from './parse.js'
import type { InputProblem, Warning } from './parse.js'
import type { Credentials } from './registry-auth.js'
import { noticeLowercased, parseImages, parseSourceImage } from './repositories.js'
import { parseCacheMode, parseCacheSpecs } from './cache.js'
import { autoTags, parseTags, parseVariant, partTag } from './tags.js'
import type { Variant } from './tags.js'
import { parseSigning } from './sign.js'
import type { Signing } from './sign.js'
import { parseSave, warnTarballInContext } from './tarball.js'
import type { SaveTarget } from './tarball.js'

export interface Inputs {
  /** The registry to log in to, normalised (`docker.io` for Docker Hub). */
  registry: string
  /** Every login: the username/password inputs' (to `registry`) and each registry-auth entry, in that order. */
  logins: Credentials[]
  /** Export the run's docker config to the later steps of the job (keep-login). */
  keepLogin: boolean
  /** Remove the local tags the run made once the image is pushed or saved: 'auto' decides by the runner. */
  cleanup: boolean
  images: Repository[]
  /** The variant's tag affixes (tag-prefix, tag-suffix): also in a merge's part tags, so variants do not share parts. */
  variant: Variant
  /** Tag names, `auto` and `latest` already applied, duplicates removed. */
  tags: string[]
  /** The `version` output: from the Git event (1.2.3, release-7, feature-x, pr-42, nightly), or ''. */
  version: string
  /** What makes the image: a build, or an existing image to retag. */
  source: Source
  push: boolean
  /** Signing with cosign (sign), when asked; its key and password are secrets (Secrets.cosign). */
  sign: Signing | undefined
  /** The buildx release this run uses (buildx-version), when it asks for one. */
  buildx: BuildxRelease | undefined
  /** Load the image into the engine too (the load input; a save needs it loaded as well). */
  load: boolean
  save: SaveTarget | undefined
  /** Attempts for each login, pull and push (1: no retry). */
  attempts: number
  /** Write the job summary. */
  summary: boolean
  /** Print the commands and set what outputs can be known, running nothing. */
  dryRun: boolean
  /** Why `push: true` is not done (a fork's pull request without credentials), for the summary. */
  pushSkipped?: string
}

/** The outcome, and what is to be printed: the masks (first), then the notices, warnings and problems. */
export type ParseResult = { warnings: Warning[]; notices: Warning[]; masks: string[] } & (
  { ok: true; inputs: Inputs } | { ok: false; problems: InputProblem[] }
)

export function parseInputs(raw: RawInputs, environment: Environment): ParseResult {
  const report = new Report()
  refuseControlCharacters(raw, report)
  // A buildx release asked for is fetched before the build: every rule sees buildx installed.
  const buildx = parseBuildxRelease(raw, report)
  const env = buildx && !environment.buildx ? { ...environment, buildx: true } : environment
  // Problems come out in a fixed order: where and what to push, then how to build, then save.
  const registry = parseRegistry(raw.registry, report)
  const logins = parseLogins(raw, registry, report)
  const images = parseImages(raw, registry, report)
  const variant = parseVariant(raw, report)
  const givenTags = parseTags(raw, env.event, variant, report)
  const pushInput = parseBoolean(raw, 'push', true, report)
  const merge = parseMerge(raw, env, pushInput, report)
  // A merge has nothing to show without its push: a fork's pull request is skipped for builds only.
  const pushSkipped = pushInput && !merge ? forkWithoutLogin(env, logins, images.value, report) : undefined
  const push = pushInput && pushSkipped === undefined
  // A part goes under its commit-and-platform tag only; the merge job gives the real tags.
  const tags = merge?.kind === 'part' ? [partTag(env.event.sha, merge.platform, variant)] : givenTags
  const version = autoTags(env.event).version
  const flags = {
    pull: parseBoolean(raw, 'pull', false, report),
    noCache: parseBoolean(raw, 'no-cache', false, report),
    load: parseBoolean(raw, 'load', false, report)
  }
  const cacheFrom = parseCacheSpecs(raw, 'cache-from', report)
  const cacheTo = parseCacheSpecs(raw, 'cache-to', report)
  const cache = parseCacheMode(raw, report)
  const sourceImage = parseSourceImage(raw, report)
  const source: Source =
    merge?.kind === 'index'
      ? mergeSource(raw, merge.platforms, env.event.sha, report)
      : parseSource(
          raw,
          { cacheFrom: cacheFrom.value, cacheTo: cacheTo.value, cache, sourceImage: sourceImage.value },
          env,
          {
            ...flags,
            defaultLabels: ociLabels(env.event, version, env.created.date),
            // BuildKit (0.11 and later) dates the image config and its history from it, so a rebuild matches.
            sourceDateEpoch: env.created.source === 'now' ? undefined : env.created.date.getTime() / 1000
          },
          report
        )
  noticeLowercased(
    [...images.lowercased, ...cacheFrom.lowercased, ...cacheTo.lowercased, ...sourceImage.lowercased],
    report
  )
  const save = parseSave(raw, env, report)
  if (save && source.kind === 'build') warnTarballInContext(save, source.build.context, env, report)
  if (save && push && source.kind === 'build' && source.build.provenance !== 'false' && env.buildx) {
    report.problem(
      'save',
      'an image with a provenance attestation is pushed by buildx and not loaded into the engine, so it cannot be saved',
      'save without provenance (provenance: false), or push the attested image and pull it where you need it'
    )
  } else if (save && source.kind === 'build' && source.build.platforms.length > 1) {
    report.problem(
      'save',
      `a tarball for docker load holds one platform per tag, and platforms lists ${source.build.platforms.length}`,
      'save one platform (a job of its own with platforms set to it), or push the image index and pull the platform you need'
    )
  }
  if (flags.load && source.kind === 'build' && source.build.platforms.length > 1) {
    report.problem(
      'load',
      `the engine holds one platform per tag, and platforms lists ${source.build.platforms.length}`,
      'load one platform (a job of its own with platforms set to it), or push the image index and pull the platform you need'
    )
  }
  const sign = parseSigning(raw, env, push || pushInput, report)
  const attempts = parseRetries(raw.retries, report)
  const summary = parseBoolean(raw, 'summary', true, report)
  const dryRun = parseBoolean(raw, 'dry-run', false, report)
  const keepLogin = parseBoolean(raw, 'keep-login', false, report)
  if (keepLogin && logins.length === 0) {
    report.warn(
      'keep-login',
      'keep-login is set, but the action logs in to no registry (no username and password, no registry-auth), so there is no login to keep.'
    )
  }
  const cleanup = parseCleanup(raw, env, push || save !== undefined, report)
  const inputs: Inputs = {
    registry,
    logins,
    keepLogin,
    cleanup,
    images: images.value,
    variant,
    tags,
    version,
    source,
    push,
    sign,
    buildx,
    load: flags.load && source.kind === 'build',
    save,
    attempts,
    summary,
    dryRun,
    ...(pushSkipped === undefined ? {} : { pushSkipped })
  }
  const { problems, warnings, notices, masks } = report
  return problems.length > 0
    ? { ok: false, problems, warnings, notices, masks }
    : { ok: true, inputs, warnings, notices, masks }
}

/** A merge job builds nothing: the build inputs it is given are said to be ignored. */
function mergeSource(raw: RawInputs, platforms: string[], sha: string, report: Report): Source {
  const ignored = NOT_MERGED.filter((name) => raw[name] !== '')
  if (ignored.length > 0) {
    report.warn('merge', `merge builds nothing, so ${ignored.join(', ')} ${ignored.length > 1 ? 'are' : 'is'} ignored.`)
  }
  return { kind: 'merge', platforms, sha }
}

/**
 * `cleanup`: true, false, or auto (the default): on a self-hosted runner, whose
 * engine keeps every run's tags, true once the image went somewhere else (pushed
 * or saved); on a GitHub-hosted runner, whose machine is thrown away after the
 * job, false (removing tags there costs time and saves nothing).
 */
function parseCleanup(raw: RawInputs, env: Environment, delivered: boolean, report: Report): boolean {
  const value = raw.cleanup.toLowerCase()
  if (value === '' || value === 'auto') return env.selfHosted && delivered
  if (value === 'true' || value === 'false') return value === 'true'
  report.problem(
    'cleanup',
    `'${raw.cleanup}' is not auto, true or false`,
    'write auto (on self-hosted runners), true or false'
  )
  return false
}

export const DEFAULT_ATTEMPTS = 3
const MAX_ATTEMPTS = 10

function parseRetries(value: string, report: Report): number {
  if (value === '') return DEFAULT_ATTEMPTS
  if (/^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= MAX_ATTEMPTS) return Number(value)
  report.problem(
    'retries',
    `'${value}' is not a number of attempts from 1 to ${MAX_ATTEMPTS}`,
    `write a whole number such as ${DEFAULT_ATTEMPTS} (1 turns retries off)`
  )
  return DEFAULT_ATTEMPTS
}
