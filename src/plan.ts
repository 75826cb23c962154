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

export interface Push {
  target: Target
  args: string[]
}

export interface Plan {
  /** `docker login`; the password goes to its standard input. */
  login: { registry: string; username: string; args: string[] } | undefined
  image:
    | {
        kind: 'build'
        args: string[]
        iidFile: string
        /** `docker pull` of each cache-from image, when the builder needs it local (the classic builder). */
        cachePulls: { ref: string; args: string[] }[]
        /** The environment variable of the build process that carries each secret (`--secret id=…,env=…`). */
        secretEnv: { name: string; id: string }[]
      }
    | { kind: 'retag'; source: string; inspect: string[]; pull: string[]; tag: string[][] }
  targets: Target[]
  /**
   * One list per repository. The first push of a repository uploads its layers;
   * the others then only upload a manifest, so they wait for it. Repositories
   * are independent of each other.
   */
  pushes: Push[][]
  /** `docker image save` of every target, written to the tarball by the runner. */
  save: { target: SaveTarget; args: string[] } | undefined
}

export interface PlanOptions {
  builder: Builder
  /** Whether the build runs on BuildKit (buildx, or DOCKER_BUILDKIT=1 with an older CLI), not the classic builder. */
  buildkit: boolean
  /** Where the build writes the image ID (a file in this run's temp folder). */
  iidFile: string
}

export function makePlan(inputs: Inputs, options: PlanOptions): Plan {
  const targets = inputs.images.flatMap((repository) =>
    inputs.tags.map((tag) => ({ repository, tag, ref: `${repository.name}:${tag}` }))
  )
  const refs = targets.map((t) => t.ref)

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
    const build = inputs.source.build
    // BuildKit reads cache-from images from the registry itself; the classic builder needs them local.
    const cachePulls = options.buildkit ? [] : build.cacheFrom.map((ref) => ({ ref, args: ['pull', ref] }))
    const secretEnv = build.secrets.map(({ id }, i) => ({ name: `SHIP_IMAGE_SECRET_${i + 1}`, id }))
    image = {
      kind: 'build',
      args: buildArgs(build, refs, options, secretEnv),
      iidFile: options.iidFile,
      cachePulls,
      secretEnv
    }
  }

  return {
    login: loginPlan(inputs),
    image,
    targets,
    pushes: inputs.push
      ? inputs.images.map((repository) =>
          targets.filter((t) => t.repository === repository).map((target) => ({ target, args: ['push', target.ref] }))
        )
      : [],
    save: inputs.save && { target: inputs.save, args: ['image', 'save', ...refs] }
  }
}

/** `docker login`, when the inputs have credentials; it does not depend on the builder. */
export function loginPlan(inputs: Inputs): Plan['login'] {
  if (inputs.credentials === undefined) return undefined
  const { username } = inputs.credentials
  // Without a server docker logs in to Docker Hub under its canonical key.
  const server = inputs.registry === DOCKER_HUB ? [] : [inputs.registry]
  return { registry: inputs.registry, username, args: ['login', '--username', username, '--password-stdin', ...server] }
}

function buildArgs(
  build: BuildInputs,
  refs: string[],
  options: PlanOptions,
  secretEnv: { name: string; id: string }[]
): string[] {
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
  for (const ref of build.cacheFrom) args.push('--cache-from', ref)
  // The value stays in the build process's environment; only its variable's name is an argument.
  for (const { name, id } of secretEnv) args.push('--secret', `id=${id},env=${name}`)
  // With BuildKit the image carries its cache metadata, so the next run can use it as cache-from.
  if (build.cacheFrom.length > 0 && options.buildkit) args.push('--build-arg', 'BUILDKIT_INLINE_CACHE=1')
  args.push('--iidfile', options.iidFile, build.context)
  return args
}

/** An argument as a POSIX shell would need it written, for display only (nothing is ever run through a shell). */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./:=@,+%^-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`
}

/**
 * The plan as the docker commands a person would type, in order (the dry run
 * prints them). Secrets show as ***: the password goes to standard input, and
 * each build secret is an environment variable of the build.
 */
export function commandLines(plan: Plan): string[] {
  const line = (args: string[]): string => ['docker', ...args].map(shellQuote).join(' ')
  const lines: string[] = []
  if (plan.login) lines.push(`echo '***' | ${line(plan.login.args)}`)
  const image = plan.image
  if (image.kind === 'build') {
    for (const pull of image.cachePulls) lines.push(line(pull.args))
    const env = image.secretEnv.map(({ name }) => `${name}='***' `).join('')
    lines.push(`${env}${line(image.args)}`)
  } else {
    lines.push(`${line(image.inspect)} || ${line(image.pull)}`)
    for (const tag of image.tag) lines.push(line(tag))
  }
  for (const push of plan.pushes.flat()) lines.push(line(push.args))
  if (plan.save) {
    const { path, gzip, level } = plan.save.target
    lines.push(`${line(plan.save.args)}${gzip ? ` | gzip -${level}` : ''} > ${shellQuote(path)}`)
  }
  return lines
}
