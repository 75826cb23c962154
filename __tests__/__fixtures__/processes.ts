// For the tests that start real processes through children.ts and send the
// step signals: fresh copies of the modules (their state is for the whole
// process: once stopping, always stopping), process.exit spied on, the signal
// listeners a test added taken off again, and no child left running.
import { afterEach, beforeEach, jest } from '@jest/globals'
import type { ChildProcess } from 'node:child_process'

export type Children = typeof import('../../src/docker/children.js')
export type Cleanup = typeof import('../../src/docker/cleanup.js')

/** children.ts and cleanup.ts as a run starts with them: nothing tracked, not stopping, no signal handler. */
export async function freshModules(): Promise<{ children: Children; cleanup: Cleanup }> {
  let modules: { children: Children; cleanup: Cleanup } | undefined
  await jest.isolateModulesAsync(async () => {
    modules = {
      children: await import('../../src/docker/children.js'),
      cleanup: await import('../../src/docker/cleanup.js')
    }
  })
  if (!modules) throw new Error('the modules did not load')
  return modules
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const
const started: ChildProcess[] = []

/** Remembers a child so that afterEach can make sure it is gone. */
export function own<T extends ChildProcess>(child: T): T {
  started.push(child)
  return child
}

/** Resolves once the child has started (so a signal reaches the program, not a half-spawned process). */
export function spawned(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    child.once('spawn', () => resolve())
    child.once('error', reject)
  })
}

/** Resolves with how the child ended. */
export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode })
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
}

/** Starts watching: process.exit does not exit, and restore() undoes everything the test did to the process. */
export function watchProcess() {
  const before = Object.fromEntries(SIGNALS.map((s) => [s, process.listeners(s)]))
  const exit = jest.spyOn(process, 'exit').mockImplementation((() => undefined) as typeof process.exit)
  return {
    exit,
    async restore() {
      exit.mockRestore()
      for (const signal of SIGNALS)
        for (const listener of process.listeners(signal))
          if (!before[signal].includes(listener)) process.removeListener(signal, listener)
      for (const child of started.splice(0)) {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
        await exited(child)
      }
    }
  }
}

/** Sets the variable in process.env for each test of the enclosing describe block (an input, say), and restores it. */
export function variableForEachTest(name: string, value: string): void {
  let saved: string | undefined
  beforeEach(() => {
    saved = process.env[name]
    process.env[name] = value
  })
  afterEach(() => {
    if (saved === undefined) delete process.env[name]
    else process.env[name] = saved
  })
}
