// Paths this run must not leave behind (its temp folder with the credentials, a
// half-written tarball). They are removed when the run ends, and also when the
// runner stops the step with SIGINT/SIGTERM (a cancelled job): then the run's
// docker processes are stopped first, so none of them can write a credential
// or push a tag after the folder is gone.
import * as fs from 'node:fs'
import { stopChildren } from './children.js'
import { STATE_PATHS } from '../runner/state.js'
import * as core from '@actions/core'
import * as log from '../runner/log.js'

const paths = new Set<string>()

/** The list goes into the step's state too, so the post step removes what a killed main step left. */
function saved(): void {
  core.saveState(STATE_PATHS, JSON.stringify([...paths]))
}

export function track(path: string): void {
  paths.add(path)
  saved()
}

export function untrack(path: string): void {
  if (paths.delete(path)) saved()
}

export function remove(path: string): void {
  fs.rmSync(path, { recursive: true, force: true })
  untrack(path)
}

export function removeAll(): void {
  for (const path of [...paths]) remove(path)
}

/** The paths still tracked (for the tests). */
export function tracked(): string[] {
  return [...paths]
}

let installed = false

/** On SIGINT/SIGTERM: stop the run's docker processes, remove what is tracked, then exit as the signal would. */
export function removeOnSignals(): void {
  if (installed) return
  installed = true
  let stopping = false
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    // A second signal (the runner follows SIGINT with SIGTERM) must not cut the clean-up short.
    process.on(signal, () => {
      if (stopping) return
      stopping = true
      void stopAndExit(signal)
    })
  }
}

async function stopAndExit(signal: 'SIGINT' | 'SIGTERM'): Promise<void> {
  await stopChildren()
  removeAll()
  log.info(`Stopped by ${signal}; stopped this run's docker commands and removed its temporary files and credentials.`)
  process.exit(128 + (signal === 'SIGINT' ? 2 : 15))
}
