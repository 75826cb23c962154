// The post step for real: a temp folder and paths on disk, and real processes,
// found through /proc by the marker in their environment.
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { post } from '../../src/post.js'
import { RUN_MARKER, STATE_PATHS, STATE_TEMP } from '../../src/runner/state.js'
import { exited, own, spawned, watchProcess } from '../__fixtures__/processes.js'
import { removeTempDirs, tempDir, writeTree } from '../__fixtures__/temp.js'

const STATE = [`STATE_${STATE_TEMP}`, `STATE_${STATE_PATHS}`]

let watch: ReturnType<typeof watchProcess>
let saved: (string | undefined)[]
let printed: string[]
beforeEach(() => {
  watch = watchProcess()
  saved = STATE.map((name) => process.env[name])
  printed = []
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    printed.push(String(chunk))
    return true
  })
})
afterEach(async () => {
  jest.restoreAllMocks()
  STATE.forEach((name, i) => {
    if (saved[i] === undefined) delete process.env[name]
    else process.env[name] = saved[i]
  })
  await watch.restore() // kills any child a test left running
  removeTempDirs()
})

/** The state the main step leaves: its temp folder, and the other paths as JSON. */
function leaveState(temp: string, paths?: string): void {
  process.env[`STATE_${STATE_TEMP}`] = temp
  if (paths === undefined) delete process.env[`STATE_${STATE_PATHS}`]
  else process.env[`STATE_${STATE_PATHS}`] = paths
}

/** `sleep 30`, with RUN_MARKER=`marker` in its environment unless undefined. */
async function sleeper(marker: string | undefined): Promise<ChildProcess> {
  const environment: Record<string, string | undefined> = { ...process.env, [RUN_MARKER]: marker }
  if (marker === undefined) delete environment[RUN_MARKER]
  const child = own(spawn('sleep', ['30'], { env: environment, stdio: 'ignore' }))
  await spawned(child)
  return child
}

const running = (child: ChildProcess): boolean => child.exitCode === null && child.signalCode === null
const removedTemp = (temp: string): string =>
  `Removed ${temp} (left by this run: its docker credentials and temporary files).\n`

describe('post', () => {
  it("kills the run's leftover processes, leaves the others, and removes the temp folder and every listed path", async () => {
    const temp = writeTree(tempDir('run'), { 'docker-config/config.json': '{"auths":{}}' })
    const other = tempDir('other')
    const tarball = path.join(writeTree(other, { 'image.tar.gz.part': 'half' }), 'image.tar.gz.part')
    const lock = path.join(other, 'image.tar.gz.lock')
    fs.mkdirSync(path.join(lock, 'inside'), { recursive: true })
    // Not absolute (relative to the working directory), so not removed even though it exists.
    const relative = path.relative(process.cwd(), path.join(writeTree(tempDir('kept'), { keep: 'x' }), 'keep'))
    const missing = path.join(other, 'never-made')
    leaveState(temp, JSON.stringify([tarball, 7, lock, relative, missing, null]))

    const leftover = await sleeper(temp)
    const anotherRun = await sleeper(`${temp}-other`)
    const unmarked = await sleeper(undefined)

    await post()

    expect(await exited(leftover)).toEqual({ code: null, signal: 'SIGKILL' })
    expect(running(anotherRun)).toBe(true)
    expect(running(unmarked)).toBe(true)
    for (const gone of [temp, tarball, lock]) expect(fs.existsSync(gone)).toBe(false)
    expect(fs.existsSync(relative)).toBe(true)
    expect(printed).toEqual([
      `Stopped 1 process(es) of this run that were still running: ${leftover.pid}.\n`,
      removedTemp(temp),
      `Removed ${tarball} (left by this run).\n`,
      `Removed ${lock} (left by this run).\n`
    ])
  })

  it.each(['not json', '{"paths": ["/x"]}', '"/x"', ''])(
    'ignores the paths state %j, and still removes the temp folder',
    async (paths) => {
      const temp = tempDir('run')
      leaveState(temp, paths)
      await post()
      expect(fs.existsSync(temp)).toBe(false)
      expect(printed).toEqual([removedTemp(temp)])
    }
  )

  it('prints nothing when the main step already cleaned up', async () => {
    const temp = path.join(tempDir('run'), 'gone')
    leaveState(temp, JSON.stringify([path.join(temp, 'image.tar')]))
    await post()
    expect(printed).toEqual([])
  })

  it('does nothing without the temp state (the main step never got that far), not even for marked processes', async () => {
    const temp = tempDir('run')
    delete process.env[`STATE_${STATE_TEMP}`]
    const child = await sleeper('')
    await post()
    expect(running(child)).toBe(true)
    expect(fs.existsSync(temp)).toBe(true)
    expect(printed).toEqual([])
  })
})
