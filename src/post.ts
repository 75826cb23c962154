// The post step: runs after the job's steps, even when the main step failed or
// was stopped, and removes this run's temp folder (with the credentials) if it
// is still there.
import * as core from '@actions/core'
import * as fs from 'node:fs'
import { remove } from './cleanup.js'
import { STATE_TEMP } from './main.js'

export function post(): void {
  const temp = core.getState(STATE_TEMP)
  if (temp === '' || !fs.existsSync(temp)) return
  remove(temp)
  core.info(`Removed ${temp} (this run's docker credentials and temporary files).`)
}
