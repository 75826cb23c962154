import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { cliRunner, Docker } from '../../../src/docker/docker.js'
import type { CommandRunner, RunOptions } from '../../../src/docker/docker.js'
import { DockerError, EngineUnreachable } from '../../../src/domain/errors.js'
import {
  ENGINE_DOWN,
  failure,
  FakeDocker,
  instantTiming,
  pushed,
  UNAUTHORIZED,
  UNAVAILABLE
} from '../../__fixtures__/docker.js'
import { variableForEachTest } from '../../__fixtures__/processes.js'
import { removeTempDirs, tempDir, writeTree } from '../../__fixtures__/temp.js'
import { captureWorkflow } from '../../__fixtures__/workflow.js'
import type { Capture } from '../../__fixtures__/workflow.js'

let capture: Capture
beforeEach(() => {
  capture = captureWorkflow()
})
afterEach(() => capture.restore())
afterAll(removeTempDirs)

const REF = 'localhost:5000/app:v1'
const RETRY = { registry: 'localhost:5000', attempts: 3 }

describe('Docker over a runner', () => {
  let fake: FakeDocker
  let timing: ReturnType<typeof instantTiming>
  let docker: Docker
  beforeEach(() => {
    fake = new FakeDocker()
    timing = instantTiming()
    docker = new Docker(fake, undefined, timing)
  })

  describe('tryRun and run', () => {
    it('hands the arguments and options to the runner as they are', async () => {
      const options: RunOptions = { input: 'pw', silent: true, env: { A: '1' } }
      await docker.tryRun(['login', '--password-stdin'], options)
      expect(fake.calls.map((c) => [c.args, c.options])).toEqual([[['login', '--password-stdin'], options]])
    })

    it('tryRun gives a failed result instead of throwing', async () => {
      fake.on(['image', 'inspect'], failure('Error response from daemon: No such image: app:v1\n'))
      await expect(docker.tryRun(['image', 'inspect', 'app:v1'])).resolves.toEqual({
        exitCode: 1,
        stdout: '',
        stderr: 'Error response from daemon: No such image: app:v1\n'
      })
    })

    it('run gives the result of a command that succeeds', async () => {
      fake.on(['image', 'inspect'], { stdout: 'sha256:abc\n' })
      await expect(docker.run(['image', 'inspect', 'app:v1'])).resolves.toMatchObject({ stdout: 'sha256:abc\n' })
    })

    it('run throws the end of its error output, then which command it was, when it fails', async () => {
      fake.on(['image', 'tag'], failure('Error response from daemon: No such image: app:v1\n', 2))
      const failed = docker.run(['image', 'tag', 'app:v1', REF])
      await expect(failed).rejects.toThrow(DockerError)
      await expect(failed).rejects.toThrow(
        `Error response from daemon: No such image: app:v1 (docker image tag ${REF} failed, exit code 2)`
      )
    })
  })

  describe('failed', () => {
    it("reads stdout when stderr is empty (the classic builder's errors)", () => {
      const err = docker.failed(['build', '.'], { exitCode: 1, stdout: 'Step 1/2 : FROM x\nboom\n', stderr: '' })
      expect(err.message).toBe('Step 1/2 : FROM x | boom (docker build failed, exit code 1)')
    })

    it('is the engine-unreachable sentence, DOCKER_HOST shown without its credentials', () => {
      const remote = new Docker(fake, 'tcp://user:secret@docker.example:2376', timing)
      const err = remote.failed(['push', REF], { exitCode: 1, stdout: '', stderr: ENGINE_DOWN.stderr ?? '' })
      expect(err).toBeInstanceOf(EngineUnreachable)
      expect(err.message).toBe(
        'The Docker engine is not reachable at DOCKER_HOST=tcp://docker.example:2376. Start the engine (on a self-hosted runner: systemctl start docker), or point DOCKER_HOST at a running one.'
      )
    })
  })

  describe('runRetrying', () => {
    const retryWarning = (attempt: number, seconds: string): string =>
      `::warning::docker push to localhost:5000 failed on attempt ${attempt} of 3 (the registry answered 503 Service Unavailable); trying again in ${seconds} s.`

    it('tries a transient failure again, saying so, and gives the success', async () => {
      const onLine = (): void => undefined
      fake.on(['push'], UNAVAILABLE, UNAVAILABLE, pushed(REF))
      const result = await docker.runRetrying(['push', REF], RETRY, { onLine })
      expect(result.stdout).toBe(pushed(REF).stdout)
      expect(fake.calls.map((c) => [c.args, c.options.onLine])).toEqual([
        [['push', REF], onLine],
        [['push', REF], onLine],
        [['push', REF], onLine]
      ])
      expect(capture.commands('warning')).toEqual([retryWarning(1, '0.5'), retryWarning(2, '1.0')])
      expect(timing.slept).toEqual([500, 1000])
    })

    it('gives up after the attempts, saying how many', async () => {
      fake.on(['push'], UNAVAILABLE)
      await expect(docker.runRetrying(['push', REF], RETRY)).rejects.toThrow(
        /received unexpected HTTP status: 503 Service Unavailable \(docker push localhost:5000\/app:v1 failed, exit code 1; localhost:5000: gave up after 3 attempts\)$/
      )
      expect(fake.calls).toHaveLength(3)
      expect(capture.commands('warning')).toHaveLength(2)
    })

    it('runs once with attempts: 1', async () => {
      fake.on(['push'], UNAVAILABLE, pushed(REF))
      await expect(docker.runRetrying(['push', REF], { ...RETRY, attempts: 1 })).rejects.toThrow(
        /503 Service Unavailable \(docker push localhost:5000\/app:v1 failed, exit code 1\)$/
      )
      expect(fake.calls).toHaveLength(1)
      expect(capture.commands('warning')).toEqual([])
    })

    it("throws a permanent failure at once, as the caller's failure says it", async () => {
      fake.on(['login'], UNAUTHORIZED, { stdout: 'Login Succeeded\n' })
      const retry = { ...RETRY, failure: () => new DockerError('wrong password') }
      await expect(docker.runRetrying(['login'], retry)).rejects.toThrow(/^wrong password$/)
      expect(fake.calls).toHaveLength(1)
      expect(capture.commands('warning')).toEqual([])
    })

    it('retries a build that pushes only for a fault in its push (faultIn), not for one of its own steps', async () => {
      const refused = failure(
        'ERROR: failed to build: failed to solve: failed to read downloaded context: failed to load cache key: Get "http://127.0.0.1:9/context.tar": dial tcp 127.0.0.1:9: connect: connection refused\n'
      )
      const pushRefused = failure(
        'ERROR: failed to build: failed to solve: failed to push localhost:5000/app:v1: failed to do request: Head "http://localhost:5000/v2/app/blobs/sha256:86e9": dial tcp 127.0.0.1:5000: connect: connection refused\n'
      )
      const retry = { ...RETRY, faultIn: /\bfailed to push\b/ }
      fake.on(['buildx', 'build'], refused, pushed(REF))
      await expect(docker.runRetrying(['buildx', 'build', '--push', '.'], retry)).rejects.toThrow(/connection refused/)
      expect(fake.calls).toHaveLength(1)
      fake.on(['buildx', 'build'], pushRefused, pushed(REF))
      await expect(docker.runRetrying(['buildx', 'build', '--push', '.'], retry)).resolves.toMatchObject({
        exitCode: 0
      })
      expect(fake.calls).toHaveLength(3)
      expect(capture.commands('warning')).toEqual([expect.stringContaining('(connection refused)')])
    })

    it('does not retry an engine that is not there, and says so plainly', async () => {
      fake.on(['push'], ENGINE_DOWN, pushed(REF))
      const failed = docker.runRetrying(['push', REF], RETRY)
      await expect(failed).rejects.toThrow(EngineUnreachable)
      await expect(failed).rejects.toThrow(/^The Docker engine is not reachable at the default socket/)
      expect(fake.calls).toHaveLength(1)
    })

    it('stops at an engine that goes away after a retry, still as the engine-unreachable error', async () => {
      fake.on(['push'], UNAVAILABLE, ENGINE_DOWN, pushed(REF))
      const failed = docker.runRetrying(['push', REF], RETRY)
      await expect(failed).rejects.toThrow(EngineUnreachable)
      await expect(failed).rejects.toThrow(
        /^The Docker engine is not reachable at the default socket .* at a running one\.$/
      )
      expect(fake.calls).toHaveLength(2)
    })

    it('does not retry once the run is being stopped (a cancelled job)', async () => {
      // children.ts's "stopping" is for the whole process: a fresh copy of the modules keeps it in this test.
      await jest.isolateModulesAsync(async () => {
        const children = await import('../../../src/docker/children.js')
        const fresh = await import('../../../src/docker/docker.js')
        await children.stopChildren()
        fake.on(['push'], UNAVAILABLE, pushed(REF))
        await expect(new fresh.Docker(fake, undefined, timing).runRetrying(['push', REF], RETRY)).rejects.toThrow(
          /503 Service Unavailable \(docker push localhost:5000\/app:v1 failed, exit code 1\)$/
        )
      })
      expect(fake.calls).toHaveLength(1)
    })
  })

  it('stream hands the call to the runner', async () => {
    fake.onStream(['image', 'save'], { chunks: [Buffer.from('tar')] })
    const streamed = docker.stream(['image', 'save', REF])
    const chunks: Buffer[] = []
    for await (const chunk of streamed.stdout) chunks.push(chunk as Buffer)
    await streamed.done
    expect(Buffer.concat(chunks).toString()).toBe('tar')
    expect(fake.calls.map((c) => [c.kind, c.args])).toEqual([['stream', ['image', 'save', REF]]])
  })
})

// A stand-in for the docker CLI: a shell script whose first argument says what it does.
const STAND_IN = `#!/bin/sh
case "$1" in
  args) shift; printf '%s\\n' "$@" ;;
  stdin) cat ;;
  env) env ;;
  fail) printf 'partial output\\n'; echo 'Error response from daemon: reference does not exist' >&2; exit "$2" ;;
  down) echo 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?' >&2; exit 1 ;;
  chunks) printf 'one\\ntw'; sleep 0.2; printf 'o\\r\\nthr'; printf 'err ' >&2; sleep 0.2; printf 'ee'; printf 'line\\n' >&2 ;;
  cat) cat "$2" ;;
  hang) exec sleep 30 ;;
esac
`

describe('cliRunner', () => {
  let docker: string
  let runner: CommandRunner
  beforeAll(() => {
    docker = path.join(writeTree(tempDir('cli'), { docker: STAND_IN }, 0o755), 'docker')
  })
  beforeEach(() => {
    runner = cliRunner(docker, {}, undefined)
  })

  it('throws a plain sentence when the docker CLI is not installed', () => {
    expect(() => cliRunner(undefined, {}, undefined)).toThrow(DockerError)
    expect(() => cliRunner(undefined, {}, undefined)).toThrow(
      'The docker CLI is not installed or not on PATH. Run the action on a runner with Docker (ubuntu-latest has it), or install Docker first.'
    )
  })

  describe('run', () => {
    it('passes each argument as it is, with no shell between', async () => {
      const result = await runner.run(['args', 'two words', '$HOME', "it's;ls"], { silent: true })
      expect(result).toEqual({ exitCode: 0, stdout: "two words\n$HOME\nit's;ls\n", stderr: '' })
    })

    it('returns the exit code and both outputs of a failed command', async () => {
      await expect(runner.run(['fail', '3'], { silent: true })).resolves.toEqual({
        exitCode: 3,
        stdout: 'partial output\n',
        stderr: 'Error response from daemon: reference does not exist\n'
      })
    })

    it('writes `input` to standard input, and closes it when there is none', async () => {
      expect((await runner.run(['stdin'], { input: 'pa55\nword', silent: true })).stdout).toBe('pa55\nword')
      expect((await runner.run(['stdin'], { silent: true })).stdout).toBe('')
    })

    it('echoes the command and passes its output to the log', async () => {
      await runner.run(['args', 'x'], {})
      // docker's own output comes with workflow commands stopped (a build's RUN output may hold ::error::).
      const token = /::stop-commands::(\S+)/.exec(capture.text())?.[1]
      expect(capture.text()).toBe(`[command]${docker} args x\n::stop-commands::${token}\nx\n::${token}::\n`)
    })

    it('prints nothing when silent, yet captures the output', async () => {
      const result = await runner.run(['args', 'x'], { silent: true })
      expect(result.stdout).toBe('x\n')
      expect(capture.text()).toBe('')
    })

    it('gives onLine the echo and whole lines of stdout and stderr, however the chunks fall', async () => {
      const lines: string[] = []
      const result = await runner.run(['chunks'], { onLine: (line) => lines.push(line) })
      expect(lines[0]).toBe(`[command]${docker} chunks`)
      expect(lines.slice(1).sort()).toEqual(['err line', 'one', 'three', 'two'])
      expect(result.stdout).toBe('one\ntwo\r\nthree')
      expect(capture.text()).toBe('')
    })

    it('gives a docker that cannot start as exit code 127', async () => {
      const missing = cliRunner(path.join(tempDir('cli'), 'docker'), {}, undefined)
      const result = await missing.run(['version'], { silent: true })
      expect(result.exitCode).toBe(127)
      expect(result.stderr).toMatch(/^could not start docker: spawn .*docker ENOENT$/)
    })
  })

  describe('the environment docker gets', () => {
    const variables = async (r: CommandRunner, options: RunOptions = {}): Promise<Record<string, string>> => {
      const { stdout } = await r.run(['env'], { ...options, silent: true })
      return Object.fromEntries(
        stdout.split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)])
      )
    }

    variableForEachTest('INPUT_PASSWORD', 'hunter2-from-the-inputs')

    it("is the step's, without any INPUT_ variable, plus the run's extra variables", async () => {
      const env = await variables(cliRunner(docker, { DOCKER_CONFIG: '/tmp/run/docker-config' }, undefined))
      expect(Object.keys(env).filter((k) => k.startsWith('INPUT_'))).toEqual([])
      expect(Object.values(env)).not.toContain('hunter2-from-the-inputs')
      expect(env.DOCKER_CONFIG).toBe('/tmp/run/docker-config')
      expect(env.PATH).toBe(process.env.PATH)
    })

    it("has a call's own variables in that call only", async () => {
      expect((await variables(runner, { env: { SHIP_IMAGE_SECRET_1: 's3cr3t' } })).SHIP_IMAGE_SECRET_1).toBe('s3cr3t')
      expect(await variables(runner)).not.toHaveProperty('SHIP_IMAGE_SECRET_1')
    })
  })

  describe('stream', () => {
    const read = async (stream: NodeJS.ReadableStream): Promise<Buffer> => {
      const chunks: Buffer[] = []
      for await (const chunk of stream) chunks.push(chunk as Buffer)
      return Buffer.concat(chunks)
    }

    it('streams the standard output, and done resolves when docker exits with 0', async () => {
      const file = path.join(tempDir('cli'), 'image.tar')
      const bytes = Buffer.from(Array.from({ length: 200_000 }, (_, i) => i % 251))
      fs.writeFileSync(file, bytes)
      const streamed = runner.stream(['cat', file])
      expect((await read(streamed.stdout)).equals(bytes)).toBe(true)
      await expect(streamed.done).resolves.toBeUndefined()
      expect(capture.text()).toBe(`[command]${docker} cat ${file}\n`)
    })

    it("rejects done with docker's error when it fails", async () => {
      const streamed = runner.stream(['fail', '1'])
      await read(streamed.stdout)
      await expect(streamed.done).rejects.toThrow(
        'Error response from daemon: reference does not exist (docker fail failed, exit code 1)'
      )
    })

    it('rejects done with the engine-unreachable sentence when the engine is not there', async () => {
      const streamed = cliRunner(docker, {}, 'unix:///run/user/docker.sock').stream(['down'])
      await read(streamed.stdout)
      await expect(streamed.done).rejects.toThrow(
        /^The Docker engine is not reachable at DOCKER_HOST=unix:\/\/\/run\/user\/docker.sock\./
      )
    })

    it('kill stops docker, and done rejects', async () => {
      const streamed = runner.stream(['hang'])
      streamed.stdout.resume()
      streamed.kill()
      await expect(streamed.done).rejects.toThrow(DockerError)
    })
  })
})
