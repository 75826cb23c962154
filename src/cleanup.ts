// Paths this run must not leave behind (its temp folder with the credentials, a
// half-written tarball). They are removed when the run ends, and also when the
// runner stops the step with SIGINT/SIGTERM (a cancelled job).
import * as fs from 'node:fs'

const paths = new Set<string>()

export function track(path: string): void {
  paths.add(path)
}

export function untrack(path: string): void {
  paths.delete(path)
}

export function remove(path: string): void {
  fs.rmSync(path, { recursive: true, force: true })
  paths.delete(path)
}

export function removeAll(): void {
  for (const path of [...paths]) remove(path)
}

let installed = false

/** On SIGINT/SIGTERM: remove what is tracked, then exit as the signal would. */
export function removeOnSignals(): void {
  if (installed) return
  installed = true
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      removeAll()
      process.stdout.write(`Stopped by ${signal}; removed this run's temporary files and credentials.\n`)
      process.exit(128 + (signal === 'SIGINT' ? 2 : 15))
    })
  }
}
