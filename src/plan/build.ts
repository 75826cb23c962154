// The build's step of the plan: what `docker build` or `docker buildx build` is
// given for the inputs and the builder, the environment variables that carry the
// secrets, and the Dockerfile the classic builder reads with the labels in one
// line. Pure.
import * as path from 'node:path'
import { hasEscapeDirective, instructionsOf, stagesOf } from '../domain/dockerfile.js'
import type { BuildInputs } from '../inputs/build.js'
import type { BuildCachePlan } from './cache.js'
import type { Builder, BuildPush, BuildStep } from './steps.js'

/** BuildKit's secret for the credentials of a Git context (and of Git sources the build fetches). */
export const GIT_AUTH_TOKEN = 'GIT_AUTH_TOKEN'

/**
 * A remote context's token (`https://x-access-token:TOKEN@github.com/org/app.git`,
 * or `https://TOKEN@…`), for buildx: the URL without it, and the token, which goes
 * to BuildKit as its Git auth secret. In the URL it would reach the build's
 * provenance (its `git.fullurl`), which is pushed beside the image.
 */
export function gitAuthOf(context: string): { context: string; token: string } | undefined {
  // A Git URL as docker tells one: http(s) ending in .git, with an optional #ref:dir.
  const m = /^(https?:\/\/)([^/@\s]+)@(.*\.git(?:#.+)?)$/i.exec(context)
  if (!m) return undefined
  const colon = m[2].indexOf(':')
  const token = decodeURIComponent(colon < 0 ? m[2] : m[2].slice(colon + 1))
  return token === '' ? undefined : { context: `${m[1]}${m[3]}`, token }
}

/**
 * The environment variable of the build process that carries each secret: the
 * secrets input's, and with buildx a Git context's token (unless the secrets input
 * gives BuildKit's Git auth secret itself).
 */
export function secretVariables(build: BuildInputs, builder: Builder): { name: string; id: string; value: string }[] {
  const secrets = build.secrets.map(({ id, value }, i) => ({ name: `SHIP_IMAGE_SECRET_${i + 1}`, id, value }))
  const git = builder === 'buildx' ? gitAuthOf(build.context) : undefined
  if (git === undefined || secrets.some((s) => s.id === GIT_AUTH_TOKEN)) return secrets
  return [...secrets, { name: 'SHIP_IMAGE_GIT_AUTH_TOKEN', id: GIT_AUTH_TOKEN, value: git.token }]
}

export interface BuildFacts {
  builder: Builder
  buildkit: boolean
  /** The build cache, as the builder can take it (cache.ts). */
  cache: BuildCachePlan
  iidFile: string
  metadataFile: string
  /** Set when buildx pushes the image itself. */
  push: BuildPush | undefined
  /** The image is needed in the engine as well (a save, or the load input). */
  load: boolean
}

export function buildStep(
  build: BuildInputs,
  refs: string[],
  facts: BuildFacts,
  secretEnv: { name: string; id: string }[]
): BuildStep {
  const buildx = facts.builder === 'buildx'
  // The classic builder makes a step, with a container, of each --label: the labels go into
  // one LABEL line of the Dockerfile instead, given on standard input.
  const stdin = !facts.buildkit && build.labels.length > 1 ? withLabelLine(build) : undefined
  const epoch = build.sourceDateEpoch
  return {
    kind: 'build',
    builderName: buildx ? build.builder : '',
    // buildx: a Git context's token goes as BuildKit's Git auth secret (secretVariables), not in the URL.
    context: buildx ? (gitAuthOf(build.context)?.context ?? build.context) : build.context,
    file: stdin !== undefined ? '-' : build.file,
    refs,
    buildArgs: build.buildArgs,
    // buildx's BuildKit dates the image config and history from the commit: the same commit, the same digest.
    sourceDateEpoch:
      buildx && epoch !== undefined && !build.buildArgs.some((a) => a.key === 'SOURCE_DATE_EPOCH') ? epoch : undefined,
    labels: stdin === undefined ? build.labels : [],
    target: build.target,
    platforms: build.platforms,
    network: build.network,
    pull: build.pull,
    noCache: build.noCache,
    cacheFrom: facts.cache.from,
    cacheTo: facts.cache.to,
    inlineCache: facts.cache.inline,
    secrets: secretEnv.map(({ name, id }) => ({ id, env: name })),
    provenance: buildx ? build.provenance : undefined,
    exports: buildx ? exportsOf(build, facts) : [],
    iidFile: facts.iidFile,
    metadataFile: buildx ? facts.metadataFile : undefined,
    // BuildKit reads cache-from images from the registry itself; the classic builder needs them local.
    cachePulls: facts.cache.pulls,
    dockerfile: build.file !== undefined && path.isAbsolute(build.file) ? build.file : undefined,
    dockerfileText: stdin,
    push: facts.push
  }
}

/**
 * Where buildx sends the image. Pushed by buildx, it is loaded too only when the
 * engine needs it (a save, the load input); never both with the docker driver,
 * whose two exporters would both write the image into the engine (one fails).
 * Not pushed, one platform is loaded; several are kept in the builder's cache
 * (the engine holds one platform per tag).
 */
function exportsOf(build: BuildInputs, facts: BuildFacts): ('push' | 'load')[] {
  if (facts.push) return facts.load && build.driver !== 'docker' ? ['push', 'load'] : ['push']
  return build.platforms.length <= 1 ? ['load'] : []
}

/** A label value in a Dockerfile's double quotes: `\`, `"` and `$` (which would expand a variable) escaped. */
function quoted(text: string): string {
  return `"${text.replace(/[\\"$]/g, (c) => `\\${c}`)}"`
}

/**
 * The Dockerfile with every label in one LABEL instruction at the end of the stage
 * that is built (the last, or `target`), so the classic builder commits one step for
 * them, not one each. Undefined where that cannot be done safely: an escape
 * directive (it changes the quoting), or a target stage that cannot be found.
 */
export function withLabelLine(build: BuildInputs): string | undefined {
  const text = build.dockerfileText
  if (text === undefined || hasEscapeDirective(text)) return undefined
  const line = `LABEL ${build.labels.map(({ key, value }) => `${quoted(key)}=${quoted(value)}`).join(' ')}`
  const lines = text.replace(/\r?\n$/, '').split(/\r?\n/)
  if (build.target === '') return [...lines, line, ''].join('\n')
  // The stage `target` ends before the next FROM after its own.
  const stages = stagesOf(instructionsOf(text))
  const own = stages.findIndex((s) => s.written !== undefined && s.name === build.target.toLowerCase())
  if (own < 0) return undefined
  const next = stages[own + 1]
  if (next === undefined) return [...lines, line, ''].join('\n')
  const nextLine = next.instructions[0].line
  return [...lines.slice(0, nextLine - 1), line, ...lines.slice(nextLine - 1), ''].join('\n')
}
