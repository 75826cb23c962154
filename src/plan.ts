// Turns validated inputs into the exact docker commands to run. Pure: every
// command is an argument array (never a shell string), and nothing runs here.
import type { BuildInputs, Inputs, SaveTarget } from './inputs.js'
import { DOCKER_HUB } from './reference.js'
import type { Repository } from './reference.js'

/**
 * How `docker build` is reached: `buildx` when the buildx plugin is installed
 * (hosted runners; `--load` puts the image into the engine whatever the driver),
 * `docker` for the CLI's own `docker build` (the classic builder, or BuildKit
 * built into an older CLI with DOCKER_BUILDKIT=1).
 */
export type Builder = 'buildx' | 'docker'

/** One full reference the image gets: repository × tag. */
export interface Target {
  repository: Repository
  tag: string
  /** `localhost:5000/app:v1` */
  ref: string
}

export interface Plan {
  /** `docker login`; the password goes to its standard input. */
  login: { registry: string; username: string; args: string[] } | undefined
  image:
    | { kind: 'build'; args: string[]; iidFile: string }
    | { kind: 'retag'; source: string; inspect: string[]; pull: string[]; tag: string[][] }
  targets: Target[]
  pushes: { target: Target; args: string[] }[]
  /** `docker image save` of every target, written to the tarball by the runner. */
  save: { target: SaveTarget; args: string[] } | undefined
}

export interface PlanOptions {
  builder: Builder
  /** Where the build writes the image ID (a file in this run's temp folder). */
  iidFile: string
}

export function makePlan(inputs: Inputs, options: PlanOptions): Plan {
  const targets = inputs.images.flatMap((repository) =>
    inputs.tags.map((tag) => ({ repository, tag, ref: `${repository.name}:${tag}` }))
  )
  const refs = targets.map((t) => t.ref)

  const login = inputs.credentials && {
    registry: inputs.registry,
    username: inputs.credentials.username,
    args: [
      'login',
      '--username',
      inputs.credentials.username,
      '--password-stdin',
      // Without a server docker logs in to Docker Hub under its canonical key.
      ...(inputs.registry === DOCKER_HUB ? [] : [inputs.registry])
    ]
  }

  let image: Plan['image']
  if (inputs.source.kind === 'image') {
    const source = inputs.source.ref
    image = {
      kind: 'retag',
      source,
      inspect: ['image', 'inspect', '--format', '{{.Id}}', source],
      pull: ['pull', source],
      tag: refs.map((ref) => ['image', 'tag', source, ref])
    }
  } else {
    image = { kind: 'build', args: buildArgs(inputs.source.build, refs, options), iidFile: options.iidFile }
  }

  return {
    login,
    image,
    targets,
    pushes: inputs.push ? targets.map((target) => ({ target, args: ['push', target.ref] })) : [],
    save: inputs.save && { target: inputs.save, args: ['image', 'save', ...refs] }
  }
}

function buildArgs(build: BuildInputs, refs: string[], options: PlanOptions): string[] {
  const args = options.builder === 'buildx' ? ['buildx', 'build', '--load'] : ['build']
  if (build.file !== undefined) args.push('--file', build.file)
  for (const ref of refs) args.push('--tag', ref)
  for (const { key, value } of build.buildArgs) args.push('--build-arg', `${key}=${value}`)
  for (const { key, value } of build.labels) args.push('--label', `${key}=${value}`)
  if (build.target !== '') args.push('--target', build.target)
  if (build.platform !== '') args.push('--platform', build.platform)
  if (build.network !== '') args.push('--network', build.network)
  if (build.pull) args.push('--pull')
  if (build.noCache) args.push('--no-cache')
  args.push('--iidfile', options.iidFile, build.context)
  return args
}
