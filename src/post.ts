// The post step: runs after the job's steps, even when the main step failed or
// was stopped (also by SIGKILL, which the main step cannot handle). It stops any
// docker process of the run that is still running (a login that would write its
// credentials, a push that would publish a tag), then removes the run's temp
// folder (with the credentials) and any other path it left. It loads neither the
// docker module nor the rest of the main step.
import * as core from '@actions/core'
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as log from './runner/log.js'
import { RUN_MARKER, STATE_PATHS, STATE_TEMP } from './runner/state.js'

export async function post(): Promise<void> {
  const temp = core.getState(STATE_TEMP)
  if (temp === '') return
  const stopped = await stopLeftovers(`${RUN_MARKER}=${temp}`)
  if (stopped.length > 0) {
    log.info(`Stopped ${stopped.length} process(es) of this run that were still running: ${stopped.join(', ')}.`)
  }
  for (const leftover of [temp, ...pathsOf(core.getState(STATE_PATHS))]) {
    if (!fs.existsSync(leftover)) continue
    fs.rmSync(leftover, { recursive: true, force: true })
    log.info(
      `Removed ${leftover} (left by this run${leftover === temp ? ': its docker credentials and temporary files' : ''}).`
    )
  }
}

function pathsOf(json: string): string[] {
  try {
    const list: unknown = JSON.parse(json)
    return Array.isArray(list) ? list.filter((p): p is string => typeof p === 'string' && path.isAbsolute(p)) : []
  } catch {
    return []
  }
}

/** The processes whose environment holds `marker` (Linux: /proc), killed; resolves when they are gone. */
async function stopLeftovers(marker: string): Promise<number[]> {
  let pids: number[]
  try {
    pids = fs
      .readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map(Number)
      .filter((pid) => pid !== process.pid && environOf(pid).includes(marker))
  } catch {
    return [] // no /proc: not Linux
  }
  for (const pid of pids) kill(pid, 'SIGKILL')
  for (let waited = 0; waited < 5000 && pids.some(isAlive); waited += 50) {
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return pids
}

function environOf(pid: number): string[] {
  try {
    return fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')
  } catch {
    return []
  }
}

function kill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal)
  } catch {
    // already gone
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    // A zombie is dead for our purpose: it can write nothing more.
    return !/^\S+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return false
  }
}
