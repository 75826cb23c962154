// The one edge where the plan becomes docker arguments: every argument array the
// run gives docker is made here, from a typed step, and nowhere else. The phases
// run these arrays (never a shell string); the dry run prints them
// (command-lines.ts). Pure.
import { DOCKER_HUB } from '../domain/reference.js'
import type { BuildStep, Login, MergeRepository, MergeStep, SignStep } from './steps.js'

/** `docker login` to one registry, the password on standard input. Without a server docker logs in to Docker Hub. */
export function loginArgs(login: Login): string[] {
  const server = login.registry === DOCKER_HUB ? [] : [login.registry]
  return ['login', '--username', login.username, '--password-stdin', ...server]
}

/** The arguments that choose the buildx builder, in front of every buildx command of a build. */
function builderArgs(name: string): string[] {
  return name === '' ? [] : ['--builder', name]
}

/**
 * The build. With buildx: `--push` and `--load` as the step's exports say, and
 * `--provenance` always, as buildx otherwise adds an attestation of its own accord
 * (and one platform then becomes an index).
 */
export function buildArgs(step: BuildStep): string[] {
  const args =
    step.provenance === undefined
      ? ['build']
      : [
          'buildx',
          'build',
          ...builderArgs(step.builderName),
          ...step.exports.map((e) => `--${e}`),
          `--provenance=${step.provenance}`
        ]
  if (step.file !== undefined) args.push('--file', step.file)
  for (const ref of step.refs) args.push('--tag', ref)
  for (const { key, value } of step.buildArgs) args.push('--build-arg', `${key}=${value}`)
  if (step.sourceDateEpoch !== undefined) args.push('--build-arg', `SOURCE_DATE_EPOCH=${step.sourceDateEpoch}`)
  for (const { key, value } of step.labels) args.push('--label', `${key}=${value}`)
  if (step.target !== '') args.push('--target', step.target)
  if (step.platforms.length > 0) args.push('--platform', step.platforms.join(','))
  if (step.network !== '') args.push('--network', step.network)
  if (step.pull) args.push('--pull')
  if (step.noCache) args.push('--no-cache')
  for (const from of step.cacheFrom) args.push('--cache-from', from)
  for (const to of step.cacheTo) args.push('--cache-to', to)
  // The value stays in the build process's environment; only its variable's name is an argument.
  for (const { id, env } of step.secrets) args.push('--secret', `id=${id},env=${env}`)
  if (step.inlineCache) args.push('--build-arg', 'BUILDKIT_INLINE_CACHE=1')
  if (step.metadataFile !== undefined) args.push('--metadata-file', step.metadataFile)
  args.push('--iidfile', step.iidFile, step.context)
  return args
}

/** `docker pull` of an image (a cache-from image, a source to retag); of one platform of it when given. */
export function pullArgs(ref: string, platform?: string): string[] {
  return ['pull', ...(platform === undefined ? [] : ['--platform', platform]), ref]
}

export function pushArgs(ref: string): string[] {
  return ['push', ref]
}

/** `docker image tag SOURCE REF`: a retag, a loaded image, or a tag put back after another run moved it. */
export function tagArgs(source: string, ref: string): string[] {
  return ['image', 'tag', source, ref]
}

/** `docker image rm` of tags by name:tag (never by ID, which would take tags of others with it). */
export function removeArgs(refs: string[]): string[] {
  return ['image', 'rm', ...refs]
}

/** `docker image inspect` of local images, one line per image found in the Go template's shape. */
export function inspectArgs(refs: string[], format: string): string[] {
  return ['image', 'inspect', '--format', format, ...refs]
}

/** `docker buildx version`: which buildx the CLI finds. */
export function buildxVersionArgs(): string[] {
  return ['buildx', 'version']
}

/** `docker info` of the engine, in the Go template's shape. */
export function infoArgs(format: string): string[] {
  return ['info', '--format', format]
}

export function saveArgs(refs: string[]): string[] {
  return ['image', 'save', ...refs]
}

/** `docker load` of a tarball given on its standard input (phases/load.ts streams it, its names taken out). */
export function loadArgs(): string[] {
  return ['load']
}

/** `docker buildx imagetools`: buildx's client for images in registries. */
const IMAGETOOLS = ['buildx', 'imagetools']

/** A manifest or index as the registry serves it, byte for byte (`--raw`), or a Go template of what it holds. */
export function imagetoolsInspectArgs(ref: string, options: { builderName?: string; format?: string } = {}): string[] {
  const how = options.format === undefined ? ['--raw'] : ['--format', options.format]
  return [...IMAGETOOLS, 'inspect', ...builderArgs(options.builderName ?? ''), ...how, ref]
}

/**
 * `imagetools create`: `sources` copied into one image under every ref, registry-side.
 * `preferIndex: false` keeps one manifest as it is (buildx 0.14 and later) instead of
 * wrapping it in a new index.
 */
export function imagetoolsCreateArgs(
  refs: string[],
  sources: string[],
  options: { preferIndex?: false } = {}
): string[] {
  const prefer = options.preferIndex === false ? ['--prefer-index=false'] : []
  return [...IMAGETOOLS, 'create', ...prefer, ...refs.flatMap((ref) => ['--tag', ref]), ...sources]
}

/** `imagetools create --help`, to learn what this buildx can do. */
export function imagetoolsHelpArgs(): string[] {
  return [...IMAGETOOLS, 'create', '--help']
}

/** The docker CLI's own reading of a manifest or list in a registry (it trusts /etc/docker/certs.d). */
export function manifestInspectArgs(ref: string, insecure = false): string[] {
  return ['manifest', 'inspect', ...(insecure ? ['--insecure'] : []), ref]
}

/** The commands that make one repository's index of a merge, in order. */
export function mergeArgs(step: MergeStep, repository: MergeRepository): string[][] {
  const parts = repository.parts.map((p) => p.ref)
  if (step.tool === 'imagetools') return [imagetoolsCreateArgs(repository.refs, parts)]
  const insecure = repository.insecure ? ['--insecure'] : []
  // The run's own docker config holds the lists (main.ts): a list of this name is never another run's, so no --amend.
  return repository.refs.flatMap((ref) => [
    ['manifest', 'create', ...insecure, ref, ...parts],
    ['manifest', 'push', ...insecure, '--purge', ref]
  ])
}

/** What cosign's signing reads from its environment (Secrets.cosignEnv), never its argv. */
export const COSIGN_KEY_VARIABLE = 'COSIGN_PRIVATE_KEY'

/**
 * `cosign sign` of one `repository@digest` (never a tag): with the key read from
 * the cosign process's environment (`env://`), or keyless; without the
 * transparency log when tlog-upload is false (cosign 3.1 wants both flags).
 */
export function cosignSignArgs(ref: string, sign: SignStep): string[] {
  return [
    'sign',
    '--yes',
    ...(sign.mode === 'key' ? ['--key', `env://${COSIGN_KEY_VARIABLE}`] : []),
    ...(sign.tlogUpload ? [] : ['--tlog-upload=false', '--use-signing-config=false']),
    ref
  ]
}

/** The `cosign verify` command that checks a signature made so (`cosign.pub`: the key's public half). */
export function cosignVerifyArgs(ref: string, sign: SignStep): string[] {
  const who =
    sign.mode === 'key'
      ? ['--key', 'cosign.pub']
      : [
          '--certificate-identity',
          sign.identity,
          '--certificate-oidc-issuer',
          'https://token.actions.githubusercontent.com'
        ]
  return ['verify', ...who, ...(sign.tlogUpload ? [] : ['--insecure-ignore-tlog=true']), ref]
}
