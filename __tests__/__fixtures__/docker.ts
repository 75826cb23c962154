// A scripted docker for the unit tests: a CommandRunner (src/docker/docker.ts) that
// records every call and answers from rules, in the manner of
// actions/typescript-action's __fixtures__. Nothing here starts a process.
//
// Rules match a call's arguments by prefix (['push']) or by a predicate. The
// newest matching rule answers, so a test can set defaults and then override one
// command. A rule answers with its replies in turn and repeats the last one, so
// "two 503s, then success" is one rule. A call no rule matches succeeds with no
// output. A reply can be delayed (after()) to observe concurrency: the runner
// counts the calls in flight and numbers the moments calls start and end.
//
// The failures below are docker-output.ts's fixtures: what docker printed here, or
// (DENIED, ENGINE_DOWN) the form in which docker and registries print it elsewhere.
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import { PassThrough } from 'node:stream'
import { commandFailed, errorSummary } from '../../src/docker/output.js'
import type { CommandRunner, RunOptions, RunResult, Streamed, Timing } from '../../src/docker/docker.js'
import { fixture } from './docker-output.js'

/** A reply: the command's result (missing fields: exit code 0, no output), optionally after a delay. */
export type Answer = Partial<RunResult> & { delayMs?: number }
/** An answer, or a function that makes one from the call (to write the build's iidfile, say). */
export type Reply = Answer | ((call: Call) => Answer | Promise<Answer>)
/** Arguments the call's arguments start with, or a predicate on them. */
export type Match = string[] | ((args: string[]) => boolean)

/** A `docker image save`-like stream: its stdout chunks, then docker's exit. */
export interface StreamReply {
  chunks: Buffer[]
  /** docker's exit code after the last chunk (default 0). */
  exitCode?: number
  stderr?: string
  /** Awaited after each chunk but the last (to look at the disk while the stream is open). */
  between?: (index: number) => Promise<void>
}

export interface Call {
  kind: 'run' | 'stream'
  args: string[]
  /** Exactly what the caller passed (input, env, silent, onLine). */
  options: RunOptions
  /** When the call started and ended, on one counter shared by all starts and ends. */
  startedAt: number
  endedAt: number | undefined
  result: RunResult | undefined
  /** stream(): whether the reader called kill(). */
  killed: boolean
}

interface Rule {
  match: Match
  replies: Reply[]
  used: number
}

function matches(match: Match, args: string[]): boolean {
  return typeof match === 'function' ? match(args) : match.every((arg, i) => args[i] === arg)
}

const tick = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

export class FakeDocker implements CommandRunner {
  readonly calls: Call[] = []
  /** The most calls that were in flight at once. */
  maxInFlight = 0
  private running = 0
  private clock = 0
  private readonly rules: Rule[] = []
  private readonly streams: { match: Match; reply: StreamReply }[] = []

  /** Answers calls matching `match` with `replies` in turn; the last one repeats. */
  on(match: Match, ...replies: Reply[]): this {
    if (replies.length === 0) throw new Error('a rule needs at least one reply')
    this.rules.unshift({ match, replies, used: 0 })
    return this
  }

  /** Serves stream() calls matching `match`. */
  onStream(match: Match, reply: StreamReply): this {
    this.streams.unshift({ match, reply })
    return this
  }

  /** How many calls are running now. */
  get inFlight(): number {
    return this.running
  }

  /** The calls whose arguments start with `prefix` (all calls without one). */
  callsOf(...prefix: string[]): Call[] {
    return this.calls.filter((c) => matches(prefix, c.args))
  }

  /** Each call as the command line it stands for, in the order they started: `push alice/app:v1`. */
  commands(): string[] {
    return this.calls.map((c) => c.args.join(' '))
  }

  async run(args: string[], options: RunOptions): Promise<RunResult> {
    const call = this.start('run', args, options)
    try {
      const rule = this.rules.find((r) => matches(r.match, args))
      const reply = rule ? rule.replies[Math.min(rule.used++, rule.replies.length - 1)] : {}
      const answer = typeof reply === 'function' ? await reply(call) : reply
      if (answer.delayMs !== undefined) await tick(answer.delayMs)
      const result = { exitCode: answer.exitCode ?? 0, stdout: answer.stdout ?? '', stderr: answer.stderr ?? '' }
      // As the CLI runner does: with onLine, every output line goes there.
      if (options.onLine) {
        for (const text of [result.stdout, result.stderr])
          for (const line of text.split(/\r?\n/)) if (line !== '') options.onLine(line)
      }
      call.result = result
      return result
    } finally {
      this.end(call)
    }
  }

  stream(args: string[]): Streamed {
    const call = this.start('stream', args, {})
    const found = this.streams.find((s) => matches(s.match, args))
    const reply: StreamReply = found?.reply ?? { chunks: [] }
    const stdout = new PassThrough()
    let settle: ((err?: Error) => void) | undefined
    const done = new Promise<void>((resolve, reject) => {
      settle = (err) => {
        settle = undefined
        this.end(call)
        if (err) reject(err)
        else resolve()
      }
    })
    const exit = (code: number | null, stderr: string): void => {
      if (settle === undefined) return
      call.result = { exitCode: code ?? 128, stdout: '', stderr }
      settle(code === 0 ? undefined : commandFailed(args, code, errorSummary(stderr), undefined))
    }
    void (async () => {
      for (const [i, chunk] of reply.chunks.entries()) {
        if (call.killed) return
        stdout.write(chunk)
        if (i < reply.chunks.length - 1) await reply.between?.(i)
      }
      if (call.killed) return
      stdout.end()
      // docker exits once its output is read, as a process does after its stdout closes.
      stdout.once('end', () => exit(reply.exitCode ?? 0, reply.stderr ?? ''))
    })()
    return {
      stdout,
      done,
      kill: () => {
        call.killed = true
        stdout.destroy()
        exit(null, '')
      }
    }
  }

  private start(kind: Call['kind'], args: string[], options: RunOptions): Call {
    const call: Call = {
      kind,
      args,
      options,
      startedAt: this.clock++,
      endedAt: undefined,
      result: undefined,
      killed: false
    }
    this.calls.push(call)
    this.running++
    this.maxInFlight = Math.max(this.maxInFlight, this.running)
    return call
  }

  private end(call: Call): void {
    if (call.endedAt !== undefined) return
    call.endedAt = this.clock++
    this.running--
  }
}

/** `reply` after `ms` milliseconds. */
export function after(ms: number, reply: Answer): Answer {
  return { ...reply, delayMs: ms }
}

/** Retries that do not wait: every sleep is recorded in `slept`, and the jitter is 0 (the lowest delay). */
export function instantTiming(): Timing & { slept: number[] } {
  const slept: number[] = []
  return {
    slept,
    sleep: async (ms) => {
      slept.push(ms)
    },
    random: () => 0
  }
}

/** A digest as a registry gives it, different for each seed. */
export function digestOf(seed: string): string {
  return `sha256:${createHash('sha256').update(seed).digest('hex')}`
}

/** What `docker push <ref>` prints when it succeeds: the layers, then the digest line. */
export function pushed(ref: string, digest = digestOf(ref), size = 735): Answer {
  const at = ref.lastIndexOf(':')
  return {
    stdout: [
      `The push refers to repository [${ref.slice(0, at)}]`,
      'd0191d577827: Preparing',
      'ceb247090378: Layer already exists',
      `${ref.slice(at + 1)}: digest: ${digest} size: ${size}`,
      ''
    ].join('\n')
  }
}

/** A failed command with docker's error output. */
export function failure(stderr: string, exitCode = 1): Answer {
  return { exitCode, stderr }
}

/** A registry answering 503, as docker push prints it. */
export const UNAVAILABLE = failure(fixture('push, manifest PUT 503'))

/** docker login with a wrong password. */
export const UNAUTHORIZED = failure(fixture('login, wrong password (direct)'))

/** A push the registry refuses (Docker Hub's wording). */
export const DENIED = failure(`${fixture('Docker Hub denied')}\n`)

/** A pull of a tag the registry does not have. */
export const MANIFEST_UNKNOWN = failure(fixture('pull, no such tag'))

/** Any command when the engine is not running. */
export const ENGINE_DOWN = failure(`${fixture('engine down')}\n`)

/** A build that succeeds: writes `imageId` to the file after --iidfile, as docker build does. */
export function builds(imageId: string): Reply {
  return (call) => {
    const at = call.args.indexOf('--iidfile')
    if (at < 0) throw new Error(`the build has no --iidfile: ${call.args.join(' ')}`)
    fs.writeFileSync(call.args[at + 1], imageId)
    return { stdout: '#1 [internal] load build definition from Dockerfile\n#1 DONE 0.0s\n' }
  }
}

/** Whether `args` is a docker build (buildx or classic). */
export function isBuild(args: string[]): boolean {
  return args[0] === 'build' || (args[0] === 'buildx' && args[1] === 'build')
}

/**
 * A docker where everything works: the build writes `imageId`, each push prints its
 * own digest, and every target still names this run's image (of `size` bytes) when
 * the run checks.
 */
export function workingDocker(imageId: string, size: number): FakeDocker {
  return new FakeDocker()
    .on(isBuild, builds(imageId))
    .on(['push'], (call) => pushed(call.args[1]))
    .on(['image', 'inspect', '--format', '{{.Id}} {{.Size}}'], (call) => ({
      stdout: call.args
        .slice(4)
        .map(() => `${imageId} ${size}\n`)
        .join('')
    }))
}
