// Every process the run starts (docker, pigz, zstd) starts here, so that none
// outlives the run: on SIGINT/SIGTERM they are stopped, and waited for, before the
// credentials are removed. Children get the step's environment without the
// action's inputs, so INPUT_PASSWORD and INPUT_SECRETS reach no docker process.
//
// Why node:child_process and not @actions/exec, which the project's design names:
// @actions/exec runs a command to its exit code and never hands out the child. This
// run must signal each child's process group when the job is cancelled, and wait for
// it before the login is removed; start a child in a group of its own (detached);
// give a child a file descriptor as its standard input (a tarball to load) and pipe
// one child's output into another's input as a stream (docker image save | pigz);
// and print its own escaped command line instead of exec's raw one. None of that is
// possible through exec(), so every process starts here, and only here.
import { spawn } from 'node:child_process'
import type { ChildProcess, StdioOptions } from 'node:child_process'
import * as path from 'node:path'
import type { Readable } from 'node:stream'
import { RUN_MARKER } from '../runner/state.js'

const live = new Set<ChildProcess>()
let stopping = false
let marker: Record<string, string> = {}

/**
 * Marks every child from now on with RUN_MARKER=<the run's temp folder>, so the
 * post step can find and stop one that outlived a main step killed outright.
 */
export function markChildren(temp: string): void {
  marker = { [RUN_MARKER]: temp }
}

/**
 * The environment every child gets: the step's, without INPUT_* (the inputs,
 * secrets among them) and the runner's tokens, with the run's marker, plus `extra`.
 */
export function childEnvironment(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('INPUT_') && !RUNNER_SECRETS.includes(key)) env[key] = value
  }
  return { ...env, ...marker, ...extra }
}

/**
 * The runner's own tokens in a JavaScript action's environment: its cache and
 * artifact service token, and the OIDC token request. No child gets them, but the
 * one command that must (a build with the gha cache; keyless cosign), through its
 * own RunOptions.env.
 */
export const RUNNER_SECRETS = ['ACTIONS_RUNTIME_TOKEN', 'ACTIONS_ID_TOKEN_REQUEST_TOKEN']

/** Starts `command` and keeps it in the list of this run's children until it exits. */
export function startChild(
  command: string,
  args: string[],
  options: { env: Record<string, string>; stdio: StdioOptions }
): ChildProcess {
  if (stopping) throw new Error('the run is being stopped; no new command is started')
  // Its own process group, so that stopping it stops what it started too (a plugin, a shell's children).
  const child = spawn(command, args, { ...options, detached: true })
  live.add(child)
  child.once('exit', () => live.delete(child))
  child.once('error', () => live.delete(child))
  return child
}

/** Whether the run is being stopped (a cancelled job): a failure now is not worth a retry. */
export function isStopping(): boolean {
  return stopping
}

/**
 * Stops every child still running: SIGTERM (docker then cancels its request, so
 * a push in flight is abandoned), SIGKILL after `graceMs`. Resolves once all have
 * exited. No child is started after this is called.
 */
export async function stopChildren(graceMs = 3000): Promise<void> {
  stopping = true
  const running = [...live].filter((c) => c.exitCode === null && c.signalCode === null)
  if (running.length === 0) return
  const exited = running.map((c) => new Promise<void>((resolve) => c.once('exit', () => resolve())))
  for (const child of running) signalGroup(child, 'SIGTERM')
  const timer = setTimeout(() => {
    for (const child of running) signalGroup(child, 'SIGKILL')
  }, graceMs)
  await Promise.all(exited)
  clearTimeout(timer)
  // What the children started may outlive them by a moment: their groups get SIGKILL too.
  for (const child of running) signalGroup(child, 'SIGKILL')
}

/** Sends `signal` to the child's process group (the child and what it started), or to the child alone. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal)
  } catch {
    child.kill(signal)
  }
}

/** A stream through a program (a compressor), and a way to stop it. */
export interface Filter {
  output: Readable
  /** Resolves when the program exits with 0; rejects with its error output otherwise. */
  done: Promise<void>
  stop(): void
}

/**
 * Runs `program args` with `input` (if any) as its standard input. A pipe from another
 * child (docker's output) is given to it as it is, so the two processes talk
 * directly and Node copies only what comes out.
 */
export function filterThrough(program: string, args: string[], input: Readable | undefined): Filter {
  const direct = input !== undefined && hasDescriptor(input)
  const child = startChild(program, args, {
    env: childEnvironment(),
    stdio: [input === undefined ? 'ignore' : direct ? input : 'pipe', 'pipe', 'pipe']
  })
  if (direct) input.destroy()
  else if (input && child.stdin) input.pipe(child.stdin)
  // A program that stops reading breaks the pipe: its exit code says why, not an EPIPE.
  child.stdin?.on('error', () => undefined)
  const name = path.basename(program)
  let stderr = ''
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const done = new Promise<void>((resolve, reject) => {
    child.once('error', (err) => reject(new Error(`${name} could not start: ${err.message}`)))
    child.once('close', (code, signal) => {
      if (code === 0) resolve()
      else reject(new Error(`${name} failed (${signal ?? `exit code ${code}`}): ${stderr.trim() || 'no error output'}`))
    })
  })
  return { output: child.stdout as Readable, done, stop: () => signalGroup(child, 'SIGKILL') }
}

/** Whether the stream is a pipe with a file descriptor that a child process can be given. */
export function hasDescriptor(stream: Readable): boolean {
  const handle = (stream as unknown as { _handle?: { fd?: number } })._handle
  return typeof handle?.fd === 'number' && handle.fd >= 0
}
