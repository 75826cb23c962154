import { afterEach, beforeEach, describe, expect, it, test } from '@jest/globals'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { remove, removeAll, track, tracked, untrack } from '../../../src/docker/cleanup.js'
import { exited, freshModules, own, spawned, watchProcess } from '../../__fixtures__/processes.js'
import { removeTempDirs, tempDir, until, writeTree } from '../../__fixtures__/temp.js'
import { captureWorkflow } from '../../__fixtures__/workflow.js'
import type { Capture } from '../../__fixtures__/workflow.js'

/** A run's temp folder: a docker config with a credential in it. */
const runFolder = (): string => writeTree(tempDir('run'), { 'docker-config/config.json': '{"auths":{}}' })

afterEach(() => {
  for (const p of tracked()) untrack(p)
  removeTempDirs()
})

describe('track, untrack, remove, removeAll', () => {
  it('remove deletes a folder with everything in it, and forgets it', () => {
    const dir = runFolder()
    track(dir)
    remove(dir)
    expect(fs.existsSync(dir)).toBe(false)
    expect(tracked()).toEqual([])
  })

  it('remove does not mind a path that is already gone', () => {
    const gone = path.join(tempDir('run'), 'gone')
    track(gone)
    expect(() => remove(gone)).not.toThrow()
    expect(tracked()).toEqual([])
  })

  it('removeAll removes every tracked path, and nothing else', () => {
    const [a, b, kept, untracked] = [runFolder(), runFolder(), runFolder(), runFolder()]
    const file = path.join(kept, 'image.tar.partial')
    fs.writeFileSync(file, 'x')
    for (const p of [a, b, file, untracked]) track(p)
    untrack(untracked)
    expect(tracked()).toEqual([a, b, file])
    removeAll()
    expect([a, b, file, untracked].map((p) => fs.existsSync(p))).toEqual([false, false, false, true])
    expect(fs.existsSync(kept)).toBe(true)
    expect(tracked()).toEqual([])
  })

  it('tracks a path once however often it is tracked', () => {
    const dir = runFolder()
    track(dir)
    track(dir)
    expect(tracked()).toEqual([dir])
  })
})

describe('removeOnSignals', () => {
  let capture: Capture
  let watch: ReturnType<typeof watchProcess>
  beforeEach(() => {
    capture = captureWorkflow()
    watch = watchProcess()
  })
  afterEach(async () => {
    await watch.restore()
    capture.restore()
  })

  /** A run in progress: its temp folder tracked, a docker command (sleep) running, the handlers installed. */
  async function runInProgress() {
    const { children, cleanup } = await freshModules()
    const dir = runFolder()
    cleanup.track(dir)
    const child = own(children.startChild('sleep', ['30'], { env: children.childEnvironment(), stdio: 'ignore' }))
    await spawned(child)
    // Whether the folder was still there when the child exited: it must be (the child could still use it).
    const folderAtChildExit = exited(child).then(() => fs.existsSync(dir))
    cleanup.removeOnSignals()
    return { cleanup, dir, child, folderAtChildExit }
  }

  const stoppedLine = (signal: string): string =>
    `Stopped by ${signal}; stopped this run's docker commands and removed its temporary files and credentials.`

  test.each([
    ['SIGTERM', 143],
    ['SIGINT', 130]
  ] as const)(
    'on %s stops the docker commands, then removes the tracked paths, and exits with %d',
    async (signal, code) => {
      const run = await runInProgress()
      process.emit(signal)
      await until(() => watch.exit.mock.calls.length > 0, 5000, 'process.exit')
      expect(watch.exit.mock.calls).toEqual([[code]])
      expect(run.child.signalCode).toBe('SIGTERM')
      await expect(run.folderAtChildExit).resolves.toBe(true)
      expect(fs.existsSync(run.dir)).toBe(false)
      expect(run.cleanup.tracked()).toEqual([])
      expect(capture.lines()).toEqual([stoppedLine(signal)])
    }
  )

  it('finishes the clean-up of the first signal when a second one comes', async () => {
    const run = await runInProgress()
    process.emit('SIGINT')
    // The runner follows SIGINT with SIGTERM; the child has not exited yet.
    process.emit('SIGTERM')
    process.emit('SIGINT')
    expect(watch.exit).not.toHaveBeenCalled()
    await until(() => watch.exit.mock.calls.length > 0, 5000, 'process.exit')
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(watch.exit.mock.calls).toEqual([[130]])
    expect(fs.existsSync(run.dir)).toBe(false)
    expect(capture.lines()).toEqual([stoppedLine('SIGINT')])
  })

  it('installs its handlers once', async () => {
    const { cleanup } = await freshModules()
    const before = process.listenerCount('SIGTERM')
    cleanup.removeOnSignals()
    cleanup.removeOnSignals()
    expect(process.listenerCount('SIGTERM')).toBe(before + 1)
  })
})
