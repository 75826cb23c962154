// The build's part of the plan: the `docker build` or `docker buildx build`
// arguments for the inputs and the builder, the environment variables that carry
// the secrets, and the push buildx makes itself. Pure.
import * as path from 'node:path'
import { instructionsOf } from '../phases/annotations.js'
import type { BuildInputs } from '../inputs/build.js'
import type { Inputs } from '../inputs/inputs.js'
import type { Builder, BuildPush, BuildStep } from './plan.js'

/** The environment variable of the build process that carries each secret. */
export function secretVariables(build: BuildInputs): { name: string; id: string; value: string }[] {
  return build.secrets.map(({ id, value }, i) => ({ name: `SHIP_IMAGE_SECRET_${i + 1}`, id, value }))
}

/** The arguments that choose the buildx builder, in front of every buildx command. */
export function builderArgs(build: BuildInputs): string[] {
  return build.builder === '' ? [] : ['--builder', build.builder]
}

export function buildPush(build: BuildInputs, inputs: Inputs, metadataFile: string): BuildPush {
  return {
    metadataFile,
    registries: [...new Set(inputs.images.map((r) => r.domain))],
    inspect: ['buildx', 'imagetools', 'inspect', ...builderArgs(build), '--raw'],
    fallback: ['manifest', 'inspect']
  }
}

/**
 * The build's arguments. With buildx: `--load` for one platform (the engine holds one
 * platform per tag), `--push` when buildx pushes, and `--provenance` always, as
 * buildx otherwise adds an attestation of its own accord (and one platform then
 * becomes an index).
 */
function buildxStart(build: BuildInputs, push: BuildPush | undefined): string[] {
  return [
    'buildx',
    'build',
    ...builderArgs(build),
    // Not --load and --push together: with the docker driver both exporters write the image, and one fails ('already exists').
    ...(build.platforms.length <= 1 && !push ? ['--load'] : []),
    ...(push ? ['--push'] : []),
    `--provenance=${build.provenance}`
  ]
}

export function buildStep(
  build: BuildInputs,
  refs: string[],
  options: { builder: Builder; buildkit: boolean; iidFile: string; metadataFile: string; push: BuildPush | undefined },
  secretEnv: { name: string; id: string }[]
): BuildStep {
  const args = options.builder === 'buildx' ? buildxStart(build, options.push) : ['build']
  // The classic builder makes a step, with a container, of each --label: the labels go into
  // one LABEL line of the Dockerfile instead, given on standard input.
  const stdin = !options.buildkit && build.labels.length > 1 ? withLabelLine(build) : undefined
  if (stdin !== undefined) args.push('--file', '-')
  else if (build.file !== undefined) args.push('--file', build.file)
  for (const ref of refs) args.push('--tag', ref)
  for (const { key, value } of build.buildArgs) args.push('--build-arg', `${key}=${value}`)
  // buildx's BuildKit dates the image config and history from the commit: the same commit, the same digest.
  const epoch = build.sourceDateEpoch
  if (
    options.builder === 'buildx' &&
    epoch !== undefined &&
    !build.buildArgs.some((a) => a.key === 'SOURCE_DATE_EPOCH')
  )
    args.push('--build-arg', `SOURCE_DATE_EPOCH=${epoch}`)
  if (stdin === undefined) for (const { key, value } of build.labels) args.push('--label', `${key}=${value}`)
  if (build.target !== '') args.push('--target', build.target)
  if (build.platforms.length > 0) args.push('--platform', build.platforms.join(','))
  if (build.network !== '') args.push('--network', build.network)
  if (build.pull) args.push('--pull')
  if (build.noCache) args.push('--no-cache')
  for (const ref of build.cacheFrom) args.push('--cache-from', ref)
  // The value stays in the build process's environment; only its variable's name is an argument.
  for (const { name, id } of secretEnv) args.push('--secret', `id=${id},env=${name}`)
  // With BuildKit the image carries its cache metadata, so the next run can use it as cache-from.
  if (build.cacheFrom.length > 0 && options.buildkit) args.push('--build-arg', 'BUILDKIT_INLINE_CACHE=1')
  const metadataFile = options.builder === 'buildx' ? options.metadataFile : undefined
  if (metadataFile !== undefined) args.push('--metadata-file', metadataFile)
  args.push('--iidfile', options.iidFile, build.context)
  return {
    kind: 'build',
    args,
    iidFile: options.iidFile,
    metadataFile,
    // BuildKit reads cache-from images from the registry itself; the classic builder needs them local.
    cachePulls: options.buildkit ? [] : build.cacheFrom.map((ref) => ({ ref, args: ['pull', ref] })),
    secretEnv: secretEnv.map(({ name, id }) => ({ name, id })),
    dockerfile: build.file !== undefined && path.isAbsolute(build.file) ? build.file : undefined,
    dockerfileText: stdin,
    push: options.push
  }
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
  if (text === undefined || /^#\s*escape\s*=/im.test(text.split(/\r?\n/).slice(0, 5).join('\n'))) return undefined
  const line = `LABEL ${build.labels.map(({ key, value }) => `${quoted(key)}=${quoted(value)}`).join(' ')}`
  const lines = text.replace(/\r?\n$/, '').split(/\r?\n/)
  if (build.target === '') return [...lines, line, ''].join('\n')
  // The stage `target` ends before the next FROM after its own.
  const stages = instructionsOf(text).filter((i) => /^FROM\s/i.test(i.text))
  const target = build.target.replace(/[.]/g, '\\.')
  const own = stages.findIndex((i) => new RegExp(`\\sAS\\s+${target}\\s*$`, 'i').test(i.text))
  if (own < 0) return undefined
  const next = stages[own + 1]
  if (next === undefined) return [...lines, line, ''].join('\n')
  return [...lines.slice(0, next.line - 1), line, ...lines.slice(next.line - 1), ''].join('\n')
}
