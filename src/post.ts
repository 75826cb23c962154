// The post step: runs after the job's steps, even when the main step failed or
// was stopped, and removes this run's temp folder (with the credentials) if it
// is still there. It loads neither the toolkit nor the docker module, so it
// starts in the time Node itself takes.
import * as fs from 'node:fs'
import { STATE_TEMP, stateOf } from './state.js'

export function post(): void {
  const temp = stateOf(STATE_TEMP)
  if (temp === '' || !fs.existsSync(temp)) return
  fs.rmSync(temp, { recursive: true, force: true })
  process.stdout.write(`Removed ${temp} (this run's docker credentials and temporary files).\n`)
}
