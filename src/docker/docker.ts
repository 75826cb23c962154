// The one module that runs the docker CLI. Every call is an argument array (never
// a shell string). Secrets never reach argv: a password goes to standard input,
// build secrets into the build process's environment (RunOptions.env). Commands
// that talk to a registry are retried on transient faults. What docker prints
// reaches the log with workflow commands off (log.untrustedOutput).
//
// The commands themselves go through a CommandRunner: the real CLI (cliRunner), or
// a fake in the unit tests.
import type { Readable } from 'node:stream'
import { childEnvironment, hasDescriptor, isStopping, startChild } from './children.js'
import { DockerError, EngineUnreachable } from '../domain/errors.js'
import * as log from '../runner/log.js'
import { classifyFailure, ENGINE_DOWN } from './failures.js'
import { commandFailed, engineUnreachable, errorSummary } from './output.js'
import { DEFAULT_POLICY, withRetries } from './retry.js'

export interface RunOptions {
  /** Written to the command's standard input (the only way a secret reaches docker). */
  input?: string
  /** Do not echo the command or its output to the log (it is still captured). */
  silent?: boolean
  /** Each output line goes here instead of the log (to prefix it, when commands run side by side). */
  onLine?: (line: string) => void
  /** Extra environment variables for this command only (build secrets). */
  env?: Record<string, string>
  /** The command's standard input, as a stream (a tarball for `docker load`); not with `input`. */
  stdin?: Readable
}

export interface RunResult {
  exitCode: number
  stdout: string
  stderr: string
}

/** A command whose standard output is read as a stream (`image save`). */
export interface Streamed {
  stdout: Readable
  /** Resolves when docker exits with 0; rejects with a DockerError otherwise. */
  done: Promise<void>
  /** Stops docker when the reader gives up (a full disk, say). */
  kill(): void
}

/** How docker commands are run: the real CLI, or a fake in the unit tests. */
export interface CommandRunner {
  /** Runs `docker ...args` to its end; a non-zero exit is a result, not a rejection. */
  run(args: string[], options: RunOptions): Promise<RunResult>
  /** Runs `docker ...args` with its standard output as a stream. */
  stream(args: string[]): Streamed
}

/** Where a command that talks to a registry goes, and how often it may be tried. */
export interface Retry {
  /** The registry host, for messages: `ghcr.io`. */
  registry: string
  /** Attempts in all (the `retries` input); 1 means no retry. */
  attempts: number
  /** The error to throw for a failed attempt (default: docker's own message, see commandFailed). */
  failure?: (result: RunResult) => DockerError
  /**
   * Where the command does more than talk to a registry (a build that pushes), the
   * part of its error output that a registry fault is in: a transient-looking fault
   * elsewhere (a context URL that refused, a RUN step's download) is not retried.
   */
  faultIn?: RegExp
}

/** Waiting and jitter for the retries; the unit tests pass their own. */
export interface Timing {
  sleep(ms: number): Promise<void>
  random(): number
}

const REAL_TIMING: Timing = { sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)), random: Math.random }

export class Docker {
  constructor(
    private readonly runner: CommandRunner,
    /** DOCKER_HOST, for the message about an engine that is not there. */
    private readonly dockerHost: string | undefined,
    private readonly timing: Timing = REAL_TIMING
  ) {}

  /** Runs `docker ...args`; returns the exit code and output, whatever the exit code. */
  tryRun(args: string[], options: RunOptions = {}): Promise<RunResult> {
    return this.runner.run(args, options)
  }

  /** Whether the help that `docker ...helpArgs` prints lists an option: what this CLI or plugin can do. */
  async helpLists(helpArgs: string[], option: string): Promise<boolean> {
    const help = await this.tryRun(helpArgs, { silent: true })
    return help.exitCode === 0 && help.stdout.includes(option)
  }

  /** Runs `docker ...args`; throws a DockerError naming the command when it fails. */
  async run(args: string[], options: RunOptions = {}): Promise<RunResult> {
    const result = await this.tryRun(args, options)
    if (result.exitCode !== 0) throw this.failed(args, result)
    return result
  }

  /** The error for a failed command: docker's own reason, or the engine-down sentence. */
  failed(args: string[], result: RunResult): DockerError {
    return commandFailed(args, result.exitCode, errorSummary(result.stderr, result.stdout), this.dockerHost)
  }

  /**
   * Runs a command that talks to a registry (login, pull, push), trying again on
   * transient faults only (a 5xx, a 429, a dropped connection: see failures.ts),
   * with exponential backoff and jitter. Each retry is a warning saying why.
   */
  async runRetrying(args: string[], retry: Retry, options: RunOptions = {}): Promise<RunResult> {
    let retries = 0
    const failure = retry.failure ?? ((r: RunResult) => this.failed(args, r))
    try {
      return await withRetries(
        { attempts: retry.attempts, ...DEFAULT_POLICY },
        async () => {
          const result = await this.tryRun(args, options)
          if (result.exitCode === 0) return { ok: true, value: result }
          if (ENGINE_DOWN.test(result.stderr)) throw engineUnreachable(this.dockerHost)
          const error = failure(result)
          // A command stopped because the job was cancelled is not a fault to retry.
          if (isStopping()) throw error
          // docker prints its error on stderr; its progress on stdout names the repository, not the fault.
          const errorOutput = result.stderr.trim() === '' ? result.stdout : result.stderr
          const classification =
            retry.faultIn && !retry.faultIn.test(errorOutput)
              ? { transient: false, reason: 'the command failed before it reached the registry' }
              : classifyFailure(errorOutput)
          return { ok: false, classification, error }
        },
        {
          sleep: this.timing.sleep,
          random: this.timing.random,
          onRetry: ({ attempt, attempts, reason, delayMs }) => {
            retries++
            log.warning(
              `docker ${args[0]} to ${retry.registry} failed on attempt ${attempt} of ${attempts} (${reason}); trying again in ${(delayMs / 1000).toFixed(1)} s.`
            )
          }
        }
      )
    } catch (err) {
      // An engine that went away during the retries is not a registry that gave up: it keeps its sentence and class.
      if (retries === 0 || !(err instanceof DockerError) || err instanceof EngineUnreachable) throw err
      const gaveUp = `${retry.registry}: gave up after ${retries + 1} attempts`
      // Into the parentheses that say which command failed, when the message ends with them.
      throw new DockerError(
        err.message.endsWith(')') ? `${err.message.slice(0, -1)}; ${gaveUp})` : `${err.message} (${gaveUp})`
      )
    }
  }

  /** `docker ...args` with its standard output as a stream (for `image save`). */
  stream(args: string[]): Streamed {
    return this.runner.stream(args)
  }
}

/**
 * The docker CLI (`docker`, its path; undefined when it is not on PATH) as a
 * CommandRunner. `extraEnv` (this run's own DOCKER_CONFIG, when it logs in) is
 * given to every command of the run.
 */
export function cliRunner(
  docker: string | undefined,
  extraEnv: Record<string, string>,
  dockerHost: string | undefined
): CommandRunner {
  if (docker === undefined) {
    throw new DockerError(
      'The docker CLI is not installed or not on PATH. Run the action on a runner with Docker (ubuntu-latest has it), or install Docker first.'
    )
  }
  const baseEnv = childEnvironment(extraEnv)
  const echo = (args: string[]): string => `[command]${docker} ${args.map(log.shownArg).join(' ')}`
  return {
    run(args, options) {
      const { onLine, silent = false } = options
      const quiet = silent || onLine !== undefined
      if (onLine) onLine(echo(args))
      else if (!silent) log.info(echo(args))
      const { stdin } = options
      const direct = stdin !== undefined && hasDescriptor(stdin)
      const child = startChild(docker, args, {
        env: options.env ? { ...baseEnv, ...options.env } : baseEnv,
        stdio: [direct ? stdin : 'pipe', 'pipe', 'pipe']
      })
      if (direct) stdin.destroy()
      const stdout: Buffer[] = []
      const stderr: Buffer[] = []
      const outLines = onLine && lineSplitter(onLine)
      const errLines = onLine && lineSplitter(onLine)
      // docker's own output (a build's RUN steps among it) reaches the log as it comes, with workflow commands off.
      const raw = quiet ? undefined : log.untrustedOutput()
      child.stdout?.on('data', (chunk: Buffer) => {
        stdout.push(chunk)
        if (outLines) outLines.push(chunk)
        else raw?.write(chunk)
      })
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr.push(chunk)
        if (errLines) errLines.push(chunk)
        else raw?.write(chunk)
      })
      // A command that stops reading (it failed) breaks the pipe: its exit code says why, not an EPIPE.
      child.stdin?.on('error', () => undefined)
      if (stdin && !direct && child.stdin) {
        const input = child.stdin
        stdin.pipe(input)
        // A stream that fails ends the command's input too, or the command would wait for the rest forever.
        stdin.once('error', () => input.destroy())
      } else child.stdin?.end(options.input === undefined ? undefined : Buffer.from(options.input))
      return new Promise((resolve) => {
        child.once('error', (err) =>
          resolve({ exitCode: 127, stdout: '', stderr: `could not start docker: ${err.message}` })
        )
        child.once('close', (code, signal) => {
          outLines?.flush()
          errLines?.flush()
          raw?.end()
          resolve({
            exitCode: code ?? (signal ? 128 : 1),
            stdout: Buffer.concat(stdout).toString('utf8'),
            stderr: Buffer.concat(stderr).toString('utf8')
          })
        })
      })
    },

    stream(args) {
      log.info(echo(args))
      const child = startChild(docker, args, { env: baseEnv, stdio: ['ignore', 'pipe', 'pipe'] })
      let stderr = ''
      child.stderr?.setEncoding('utf8')
      child.stderr?.on('data', (chunk: string) => (stderr += chunk))
      const done = new Promise<void>((resolve, reject) => {
        child.once('error', (err) =>
          reject(new DockerError(`docker ${args.join(' ')} could not start: ${err.message}`))
        )
        child.once('close', (code) => {
          if (code === 0) resolve()
          else reject(commandFailed(args, code, errorSummary(stderr), dockerHost))
        })
      })
      return { stdout: child.stdout as Readable, done, kill: () => child.kill() }
    }
  }
}

/** Calls `onLine` for each complete line of the chunks pushed, and for the rest at the end. */
function lineSplitter(onLine: (line: string) => void): { push(chunk: Buffer): void; flush(): void } {
  let rest = ''
  return {
    push(chunk) {
      const text = rest + chunk.toString('utf8')
      const parts = text.split(/\r?\n/)
      rest = parts.pop() ?? ''
      for (const part of parts) onLine(part)
    },
    flush() {
      if (rest !== '') onLine(rest)
      rest = ''
    }
  }
}
