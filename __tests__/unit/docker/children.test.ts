import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import type { ChildProcess } from 'node:child_process'
import { exited, freshModules, own, spawned, variableForEachTest, watchProcess } from '../../__fixtures__/processes.js'
import type { Children } from '../../__fixtures__/processes.js'

let children: Children
let watch: ReturnType<typeof watchProcess>
beforeEach(async () => {
  ;({ children } = await freshModules())
  watch = watchProcess()
})
afterEach(() => watch.restore())

/** Starts `sh -c script` through startChild, its stdout piped. */
function sh(script: string, env = children.childEnvironment()): ChildProcess {
  return own(children.startChild('sh', ['-c', script], { env, stdio: ['ignore', 'pipe', 'ignore'] }))
}

async function outputOf(child: ChildProcess): Promise<string> {
  let out = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (out += chunk))
  await exited(child)
  return out
}

describe('childEnvironment', () => {
  variableForEachTest('INPUT_PASSWORD', 'from-the-inputs')

  it("is the step's environment without the inputs", () => {
    const env = children.childEnvironment()
    expect(Object.keys(env).filter((k) => k.startsWith('INPUT_'))).toEqual([])
    expect(env.PATH).toBe(process.env.PATH)
  })

  it('adds the extra variables, which win', () => {
    expect(children.childEnvironment({ DOCKER_CONFIG: '/run/cfg', PATH: '/only' })).toMatchObject({
      DOCKER_CONFIG: '/run/cfg',
      PATH: '/only'
    })
  })

  it('is what a started child sees', async () => {
    const out = await outputOf(
      sh('echo "$DOCKER_CONFIG ${INPUT_PASSWORD:-none}"', children.childEnvironment({ DOCKER_CONFIG: '/c' }))
    )
    expect(out).toBe('/c none\n')
  })
})

describe('stopChildren', () => {
  it('stops a running child with SIGTERM and resolves once it has exited', async () => {
    const child = sh('exec sleep 30')
    await spawned(child)
    const start = Date.now()
    await children.stopChildren(10_000)
    expect(child.signalCode).toBe('SIGTERM')
    expect(Date.now() - start).toBeLessThan(5000)
  })

  it('kills a child that ignores SIGTERM once the grace period is over', async () => {
    const child = sh('trap "" TERM; echo ready; exec sleep 30')
    await new Promise((resolve) => child.stdout?.once('data', resolve))
    const start = Date.now()
    await children.stopChildren(300)
    expect(child.signalCode).toBe('SIGKILL')
    expect(Date.now() - start).toBeGreaterThanOrEqual(290)
  })

  it('does not wait for children that have already exited', async () => {
    await exited(sh('exit 0'))
    await expect(children.stopChildren(10_000)).resolves.toBeUndefined()
  })

  it('lets no child start afterwards', async () => {
    expect(children.isStopping()).toBe(false)
    await children.stopChildren()
    expect(children.isStopping()).toBe(true)
    expect(() => sh('echo too late')).toThrow('the run is being stopped; no new command is started')
  })
})
