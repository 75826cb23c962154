// The facts of the machine and the workflow run that the step depends on, read
// once, at the shell's edge: the environment, the event payload, the docker and
// buildx configuration on disk, and `git log` for the commit's time. Every other
// module gets them from here as plain values.
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { createdOf, gitEventOf, headCommitTime } from '../domain/event.js'
import type { Created, GitEvent, Variables } from '../domain/event.js'
import { endpointKey, readBuildxStore } from './buildx-store.js'
import type { BuildxStore } from './buildx-store.js'
import { readDockerConfig } from './docker-config.js'
import type { UserDockerConfig } from './docker-config.js'

/** Set (through GITHUB_ENV) for the later steps of a job once a step has said that the build is the classic builder. */
export const CLASSIC_BUILDER_NOTED = 'SHIP_IMAGE_CLASSIC_BUILDER_NOTED'

/** The file-system look-ups the inputs need, so tests can give their own. */
export interface FileSystem {
  kind(absolutePath: string): 'file' | 'directory' | 'other' | 'missing'
  /** Whether this process may create files in the folder. */
  writable(absoluteDir: string): boolean
  /** A text file's content (the Dockerfile), or undefined when it cannot be read. */
  readText(absolutePath: string): string | undefined
}

export interface Environment {
  /** Where relative paths start: GITHUB_WORKSPACE, else the working directory. */
  workspace: string
  /** Where this run's temporary folder goes: RUNNER_TEMP, else the system's. */
  runnerTemp: string
  /** Where else it may go, in order, when a build context holds runnerTemp (see tempBase). */
  otherTemps: string[]
  fs: FileSystem
  /** The Git event the workflow runs for (tags: auto, version, labels). */
  event: GitEvent
  /** The time the run started. */
  now: Date
  /** The image's creation time (the `created` label, and SOURCE_DATE_EPOCH for BuildKit): the commit's when known. */
  created: Created
  /** DOCKER_BUILDKIT=1: an older CLI's `docker build` runs on BuildKit. */
  buildkitEnv: boolean
  /** DOCKER_HOST as set, for messages about an engine that is not there. */
  dockerHost: string | undefined
  /** The user's docker config ($DOCKER_CONFIG, else ~/.docker), read once; never written. */
  dockerConfig: UserDockerConfig
  /** BUILDX_CONFIG, else the buildx folder of the user's config: where buildx keeps its builders. */
  buildxConfig: string
  /** An earlier ship-image step of this job said that the build is the classic builder (so this one need not). */
  classicBuilderNoted?: boolean
  /** Whether the docker CLI will find the buildx plugin (then builds run through `docker buildx build`). */
  buildx: boolean
  /** buildx's builders (its store on disk) and BUILDX_BUILDER: which one a build uses, and its driver. */
  builders: { store: BuildxStore; named: string }
  /**
   * Whether the engine keeps images in containerd (the containerd image store):
   * probed (`docker info`) only when a rule depends on it; undefined until then.
   */
  containerdStore?: boolean
  /** RUNNER_ENVIRONMENT=self-hosted: the machine (and its engine) outlives the job. */
  selfHosted: boolean
  /** The programs the run may use, where PATH has them. */
  tools: { docker: string | undefined; pigz: string | undefined; zstd: string | undefined; cosign: string | undefined }
  /** The job may request an OIDC token (permissions: id-token: write): keyless signing needs it. */
  oidc: boolean
  /** The workflow's URL at its ref (`https://github.com/octo/app/.github/workflows/release.yml@refs/tags/v1`, from GITHUB_WORKFLOW_REF): a keyless signature's identity. */
  workflowRef: string
}

export const nodeFs: FileSystem = {
  kind(p) {
    try {
      const stat = fs.statSync(p)
      return stat.isFile() ? 'file' : stat.isDirectory() ? 'directory' : 'other'
    } catch {
      return 'missing'
    }
  },
  writable(dir) {
    try {
      fs.accessSync(dir, fs.constants.W_OK)
      return true
    } catch {
      return false
    }
  },
  readText(p) {
    try {
      return fs.readFileSync(p, 'utf8')
    } catch {
      return undefined
    }
  }
}

/**
 * Reads the environment. An unreadable event payload is not an error: pull
 * request tags then fall back to GITHUB_SHA, and `warnings` says so.
 */
export function readEnvironment(vars: Variables = process.env): { environment: Environment; warnings: string[] } {
  const warnings: string[] = []
  let payload: unknown
  const file = vars.GITHUB_EVENT_PATH
  if (file) {
    try {
      payload = JSON.parse(fs.readFileSync(file, 'utf8'))
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err)
      warnings.push(`Could not read the event payload ${file} (${why}); pull request tags fall back to GITHUB_SHA.`)
    }
  }
  const dockerConfig = readDockerConfig(vars.DOCKER_CONFIG || path.join(os.homedir(), '.docker'))
  const buildxConfig = vars.BUILDX_CONFIG || path.join(dockerConfig.dir, 'buildx')
  const workspace = vars.GITHUB_WORKSPACE || process.cwd()
  const event = gitEventOf(vars, payload)
  const now = new Date()
  const commitTime = createdOf(
    {
      sourceDateEpoch: vars.SOURCE_DATE_EPOCH,
      headCommit: headCommitTime(payload, event.sha),
      git: () => gitCommitTime(workspace, event.sha, vars)
    },
    now
  )
  warnings.push(...commitTime.warnings)
  const environment: Environment = {
    workspace,
    runnerTemp: vars.RUNNER_TEMP || os.tmpdir(),
    otherTemps: [os.tmpdir(), '/dev/shm'],
    fs: nodeFs,
    event,
    now,
    created: commitTime.created,
    buildkitEnv: vars.DOCKER_BUILDKIT === '1',
    dockerHost: vars.DOCKER_HOST || undefined,
    dockerConfig,
    buildxConfig,
    classicBuilderNoted: vars[CLASSIC_BUILDER_NOTED] === 'true',
    buildx: dockerConfig.pluginDirs.some((dir) => isExecutable(path.join(dir, 'docker-buildx'))),
    builders: {
      store: readBuildxStore(buildxConfig, endpointKey(vars, dockerConfig.json)),
      named: vars.BUILDX_BUILDER ?? ''
    },
    selfHosted: vars.RUNNER_ENVIRONMENT === 'self-hosted',
    tools: {
      docker: findExecutable('docker', vars.PATH),
      pigz: findExecutable('pigz', vars.PATH),
      zstd: findExecutable('zstd', vars.PATH),
      cosign: findExecutable('cosign', vars.PATH)
    },
    oidc: Boolean(vars.ACTIONS_ID_TOKEN_REQUEST_URL && vars.ACTIONS_ID_TOKEN_REQUEST_TOKEN),
    // A keyless signature's certificate identity: the workflow file at its ref, on this server.
    workflowRef: vars.GITHUB_WORKFLOW_REF
      ? `${(vars.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '')}/${vars.GITHUB_WORKFLOW_REF}`
      : ''
  }
  return { environment, warnings }
}

/**
 * The committer time of `sha` (or of HEAD, when that commit is not in the
 * clone, as with a pull request's merge checkout) by `git log` in the
 * workspace; undefined without git or a repository there.
 */
export function gitCommitTime(workspace: string, sha: string, vars: Variables): string | undefined {
  const git = findExecutable('git', vars.PATH)
  if (git === undefined) return undefined
  // git gets the step's variables without the action's inputs, as every child of the run does.
  const env = Object.fromEntries(Object.entries(vars).filter(([key]) => !key.startsWith('INPUT_')))
  for (const revision of sha === '' ? ['HEAD'] : [sha, 'HEAD']) {
    const result = spawnSync(git, ['-C', workspace, 'log', '-1', '--format=%cI', revision, '--'], {
      encoding: 'utf8',
      env,
      timeout: 10_000,
      stdio: ['ignore', 'pipe', 'ignore']
    })
    const time = result.status === 0 ? result.stdout.trim() : ''
    if (time !== '') return time
  }
  return undefined
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK)
    return fs.statSync(file).isFile()
  } catch {
    return false
  }
}

/** The first executable called `name` on `searchPath` (PATH), or undefined. */
export function findExecutable(name: string, searchPath = ''): string | undefined {
  return searchPath
    .split(path.delimiter)
    .filter((dir) => dir !== '')
    .map((dir) => path.join(dir, name))
    .find(isExecutable)
}

/** Whether `inner` is `outer` or inside it. */
export function isInside(inner: string, outer: string): boolean {
  const relative = path.relative(outer, inner)
  // `..` or `../…` is outside; a folder named `..temp` is not.
  const up = relative === '..' || relative.startsWith(`..${path.sep}`)
  return relative === '' || (!up && !path.isAbsolute(relative))
}

/**
 * Where this run's temporary folder (with its docker config and login) goes: the
 * first of RUNNER_TEMP and the others that is not inside the build context, so
 * that `COPY .` cannot put the credentials into the image. Undefined when every
 * one is inside it (a context of `/`).
 */
export function tempBase(environment: Environment, context: string | undefined): string | undefined {
  const candidates = [environment.runnerTemp, ...environment.otherTemps]
  if (context === undefined || !path.isAbsolute(context)) return candidates[0]
  return candidates.find((dir) => !isInside(dir, context) && environment.fs.writable(dir))
}
