// The build's part of the plan: the `docker build` or `docker buildx build`
// arguments for the inputs and the builder, the environment variables that carry
// the secrets, and the push buildx makes itself. Pure.
import * as path from 'node:path'
import type { BuildInputs } from './build-inputs.js'
import type { Inputs } from './inputs.js'
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
  if (build.file !== undefined) args.push('--file', build.file)
  for (const ref of refs) args.push('--tag', ref)
  for (const { key, value } of build.buildArgs) args.push('--build-arg', `${key}=${value}`)
  for (const { key, value } of build.labels) args.push('--label', `${key}=${value}`)
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
    push: options.push
  }
}
