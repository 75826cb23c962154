// The one module that runs the docker CLI. Every call is an argument array
// (never a shell string). Secrets never reach argv: the password goes to standard
// input, build secrets into the build process's environment (RunOptions.env).
// Commands that talk to a registry are retried on transient faults (retry.ts).
import { spawn } from 'node:child_process'
import type { Readable } from 'node:stream'
import * as core from '@actions/core'
import * as exec from '@actions/exec'
import * as io from '@actions/io'
import { DEFAULT_POLICY, withRetries } from './retry.js'

/** A docker command failed; the message is a plain sentence for `::error::`. */
export class DockerError extends Error {
  constructor(
    message: string,
    /** Where the fault is in the user's files (a Dockerfile line), for an annotation. */
    readonly annotation?: { file: string; line: number }
  ) {
    super(message)
    this.name = 'DockerError'
  }
}

export interface RunOptions {
  /** Written to the command's standard input (the only way a secret reaches docker). */
  input?: string
  /** Do not echo the command's output to the log (it is still captured). */
  silent?: boolean
  /** Each output line goes here instead of the log (to prefix it, when commands run side by side). */
  onLine?: (line: string) => void
  /** Extra environment variables for this command only (build secrets). */
  env?: Record<string, string>
}

/** Where a command that talks to a registry goes, and how often it may be tried. */
export interface Retry {
  /** The registry host, for messages: `ghcr.io`. */
  registry: string
  /** Attempts in all (the `retries` input); 1 means no retry. */
  attempts: number
  /** The error to throw for a failed attempt (default: docker's own message, see commandFailed). */
  failure?: (result: RunResult) => DockerError
}

export interface RunResult {
  exitCode: number
  stdout: string
  stderr: string
}

/** Lines docker prints that are noise in an error message. */
const NOISE = [
  /^DEPRECATED: The legacy builder/,
  /^\s+Install the buildx component/,
  /^\s+https:\/\/docs\.docker\.com\/go\/buildx/,
  /^WARNING! Your credentials are stored unencrypted/,
  /^Configure a credential helper/,
  /^https:\/\/docs\.docker\.com\/go\/credential-store/
]

/** The last few meaningful lines of a command's error output. */
export function errorSummary(stderr: string, stdout = ''): string {
  const lines = (stderr.trim() === '' ? stdout : stderr)
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '' && !NOISE.some((re) => re.test(l)))
  return lines.slice(-4).join(' | ') || 'no error output'
}

const ENGINE_DOWN = /Cannot connect to the Docker daemon|error during connect|dial unix \S+docker\.sock: connect/

export function commandFailed(args: string[], exitCode: number | null, summary: string): DockerError {
  if (ENGINE_DOWN.test(summary)) return engineUnreachable()
  return new DockerError(`docker ${args.join(' ')} failed (exit code ${exitCode}): ${summary}`)
}

/** The engine is not running or DOCKER_HOST points at nothing; retrying or annotating cannot help. */
export class EngineUnreachable extends DockerError {}

/** A plain sentence for an engine that is not there, not docker's. */
export function engineUnreachable(): EngineUnreachable {
  const host = process.env.DOCKER_HOST
  const where = host ? `DOCKER_HOST=${host}` : 'the default socket /var/run/docker.sock'
  return new EngineUnreachable(
    `The Docker engine is not reachable at ${where}. Start the engine (on a self-hosted runner: systemctl start docker), or point DOCKER_HOST at a running one.`
  )
}

/** The meaningful end of a failed command's output. */
export function failureOf(result: RunResult): string {
  return errorSummary(result.stderr, result.stdout)
}

export class Docker {
  private constructor(
    readonly path: string,
    private readonly env: Record<string, string>
  ) {}

  /**
   * Finds the docker CLI on PATH. `extraEnv` (this run's own DOCKER_CONFIG, when
   * it logs in) is given to every command of the run.
   */
  static async locate(extraEnv: Record<string, string> = {}): Promise<Docker> {
    const found = await io.which('docker', false)
    if (found === '') {
      throw new DockerError(
        'The docker CLI is not installed or not on PATH. Run the action on a runner with Docker (ubuntu-latest has it), or install Docker first.'
      )
    }
    const env: Record<string, string> = {}
    for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value
    return new Docker(found, { ...env, ...extraEnv })
  }

  /** Runs `docker ...args`; returns the exit code and output, whatever the exit code. */
  async tryRun(args: string[], options: RunOptions = {}): Promise<RunResult> {
    const { onLine } = options
    if (onLine) onLine(`[command]${this.path} ${args.join(' ')}`)
    return exec.getExecOutput(this.path, args, {
      env: options.env ? { ...this.env, ...options.env } : this.env,
      ignoreReturnCode: true,
      silent: (options.silent ?? false) || onLine !== undefined,
      input: options.input === undefined ? undefined : Buffer.from(options.input),
      listeners: onLine && { stdline: onLine, errline: onLine }
    })
  }

  /** Runs `docker ...args`; throws a DockerError naming the command when it fails. */
  async run(args: string[], options: RunOptions = {}): Promise<RunResult> {
    const result = await this.tryRun(args, options)
    if (result.exitCode !== 0) throw commandFailed(args, result.exitCode, failureOf(result))
    return result
  }

  /**
   * Runs a command that talks to a registry (login, pull, push), trying again on
   * transient faults only (a 5xx, a 429, a dropped connection: see retry.ts), with
   * exponential backoff and jitter. Each retry is a warning saying why.
   */
  async runRetrying(args: string[], retry: Retry, options: RunOptions = {}): Promise<RunResult> {
    let retries = 0
    const failure = retry.failure ?? ((r: RunResult) => commandFailed(args, r.exitCode, failureOf(r)))
    try {
      return await withRetries(
        { attempts: retry.attempts, ...DEFAULT_POLICY },
        async () => {
          const result = await this.tryRun(args, options)
          if (result.exitCode === 0) return { ok: true, value: result }
          if (ENGINE_DOWN.test(result.stderr)) throw engineUnreachable()
          return { ok: false, output: `${result.stderr}\n${result.stdout}`, error: failure(result) }
        },
        {
          sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
          random: Math.random,
          onRetry: ({ attempt, attempts, reason, delayMs }) => {
            retries++
            core.warning(
              `docker ${args[0]} to ${retry.registry} failed on attempt ${attempt} of ${attempts} (${reason}); trying again in ${(delayMs / 1000).toFixed(1)} s.`
            )
          }
        }
      )
    } catch (err) {
      if (retries === 0 || !(err instanceof DockerError)) throw err
      throw new DockerError(`${err.message} (${retry.registry}: gave up after ${retries + 1} attempts)`)
    }
  }

  /** Whether the buildx plugin is installed (then `docker buildx build --load` is used). */
  async hasBuildx(): Promise<boolean> {
    return (await this.tryRun(['buildx', 'version'], { silent: true })).exitCode === 0
  }

  /**
   * Runs `docker ...args` with its standard output as a stream (for `image save`).
   * `done` resolves when docker exits with 0 and rejects with a DockerError otherwise;
   * `kill` stops docker when the reader gives up (a full disk, say).
   */
  stream(args: string[]): { stdout: Readable; done: Promise<void>; kill: () => void } {
    process.stdout.write(`[command]${this.path} ${args.join(' ')}\n`)
    const child = spawn(this.path, args, { env: this.env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk
    })
    const done = new Promise<void>((resolve, reject) => {
      child.on('error', (err) => reject(new DockerError(`docker ${args.join(' ')} could not start: ${err.message}`)))
      child.on('close', (code) => {
        if (code === 0) resolve()
        else reject(commandFailed(args, code, errorSummary(stderr)))
      })
    })
    return { stdout: child.stdout, done, kill: () => child.kill() }
  }
}

/** The manifest digest docker prints at the end of a push: `v1: digest: sha256:… size: 1234`. */
export function pushedDigest(output: string): string | undefined {
  const matches = [...output.matchAll(/digest: (sha256:[a-f0-9]{64})/g)]
  return matches.length > 0 ? matches[matches.length - 1][1] : undefined
}
