// What the runner would see of a step: every byte written to stdout (the log and
// its workflow commands), and the GITHUB_OUTPUT, GITHUB_STATE, GITHUB_ENV and
// GITHUB_STEP_SUMMARY files, which point at a temp folder while a capture is on.
// src/runner/log.ts and @actions/core themselves run, so the tests assert the exact
// lines and records.
import { afterAll, jest } from '@jest/globals'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'

const FILES = {
  GITHUB_OUTPUT: 'output',
  GITHUB_STATE: 'state',
  GITHUB_ENV: 'env',
  GITHUB_STEP_SUMMARY: 'summary.md'
} as const
type FileVariable = keyof typeof FILES

export interface RunnerRecord {
  name: string
  value: string
  delimiter: string
}

/** `name<<delimiter` records as the runner reads them; throws on anything else, so a broken record fails. */
export function parseRecords(text: string): RunnerRecord[] {
  const records: RunnerRecord[] = []
  const record = /^([^\n<]+)<<(ghadelimiter_[0-9a-f-]{36})\n([\s\S]*?)\n\2\n/
  for (let rest = text; rest !== '';) {
    const m = record.exec(rest)
    if (!m) throw new Error(`not a name<<delimiter record: ${JSON.stringify(rest.slice(0, 120))}`)
    records.push({ name: m[1], value: m[3], delimiter: m[2] })
    rest = rest.slice(m[0].length)
  }
  return records
}

export interface Capture {
  /** The temp folder holding the command files. */
  dir: string
  /** Each command file's path, as the runner would set the variable. */
  files: Record<FileVariable, string>
  /** Everything written to stdout. */
  text(): string
  /** stdout as lines (without the final empty one). */
  lines(): string[]
  /** The workflow commands of one kind (`error`, `warning`, `notice`, `group`…), whole lines. */
  commands(kind: string): string[]
  outputs(): Record<string, string>
  state(): Record<string, string>
  summary(): string
  /** Stops capturing: stdout prints again, the variables are as before, the folder is removed. */
  restore(): void
}

/**
 * The summary file of every capture in this test file: @actions/core's summary keeps the
 * path it first wrote to for the life of the process (one step, on a runner), so the
 * captures share it, emptied by each.
 */
const summaryDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ship-image-summary-'))
afterAll(() => fs.rmSync(summaryDir, { recursive: true, force: true }))

export function captureWorkflow(): Capture {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ship-image-workflow-'))
  const files = Object.fromEntries(
    Object.entries(FILES).map(([variable, name]) => [
      variable,
      path.join(variable === 'GITHUB_STEP_SUMMARY' ? summaryDir : dir, name)
    ])
  ) as Record<FileVariable, string>
  // The whole environment comes back on restore: @actions/core reads the inputs from it and its
  // exportVariable sets the variable in this process too.
  const saved = { ...process.env }
  Object.assign(process.env, files)
  for (const file of Object.values(files)) fs.writeFileSync(file, '')

  const written: string[] = []
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array) => {
    written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'))
    return true
  }) as typeof process.stdout.write)

  const read = (variable: FileVariable): string => fs.readFileSync(files[variable], 'utf8')
  const recordsOf = (variable: FileVariable): Record<string, string> =>
    Object.fromEntries(parseRecords(read(variable)).map((r) => [r.name, r.value]))
  const text = (): string => written.join('')
  const lines = (): string[] => text().split('\n').slice(0, -1)
  return {
    dir,
    files,
    text,
    lines,
    commands: (kind) => lines().filter((l) => l.startsWith(`::${kind}::`) || l.startsWith(`::${kind} `)),
    outputs: () => recordsOf('GITHUB_OUTPUT'),
    state: () => recordsOf('GITHUB_STATE'),
    summary: () => read('GITHUB_STEP_SUMMARY'),
    restore() {
      spy.mockRestore()
      for (const variable of Object.keys(process.env)) if (!(variable in saved)) delete process.env[variable]
      Object.assign(process.env, saved)
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }
}
