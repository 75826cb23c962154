// runner/environment.ts: what the run reads of the machine and the runner's variables (paths,
// the event payload, buildx, the commit time), on real temp folders, and where its temp folder goes.
import { afterEach, describe, expect, it, test } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import {
  findExecutable,
  gitCommitTime,
  isInside,
  nodeFs,
  readEnvironment,
  tempBase
} from '../../../src/runner/environment.js'
import type { Environment } from '../../../src/runner/environment.js'
import { removeTempDirs, tempDir, writeTree } from '../../__fixtures__/temp.js'
import { env } from '../../__fixtures__/environment.js'
import { dockerConfig, systemBuildx } from '../../__fixtures__/docker-config.js'

afterEach(removeTempDirs)

describe('readEnvironment: paths and variables', () => {
  it('falls back to the working directory, the system temp folder and ~/.docker', () => {
    const { environment, warnings } = readEnvironment({})
    expect(environment).toMatchObject({
      workspace: process.cwd(),
      runnerTemp: os.tmpdir(),
      dockerConfig: { dir: path.join(os.homedir(), '.docker') },
      buildxConfig: path.join(os.homedir(), '.docker', 'buildx'),
      dockerHost: undefined,
      buildkitEnv: false,
      tools: { docker: undefined, pigz: undefined }
    })
    expect(environment.fs).toBe(nodeFs)
    expect(warnings).toEqual([])
  })

  it("uses the runner's variables when they are set", () => {
    const config = dockerConfig({})
    const { environment } = readEnvironment({
      GITHUB_WORKSPACE: '/home/runner/work/app/app',
      RUNNER_TEMP: '/home/runner/work/_temp',
      DOCKER_CONFIG: config,
      BUILDX_CONFIG: '/opt/buildx',
      DOCKER_HOST: 'tcp://docker:2376',
      DOCKER_BUILDKIT: '1'
    })
    expect(environment).toMatchObject({
      workspace: '/home/runner/work/app/app',
      runnerTemp: '/home/runner/work/_temp',
      dockerConfig: { dir: config, json: {}, registries: [], credsStore: undefined },
      buildxConfig: '/opt/buildx',
      dockerHost: 'tcp://docker:2376',
      buildkitEnv: true
    })
  })

  it('treats empty variables as unset', () => {
    const { environment } = readEnvironment({ GITHUB_WORKSPACE: '', RUNNER_TEMP: '', DOCKER_HOST: '' })
    expect(environment.workspace).toBe(process.cwd())
    expect(environment.runnerTemp).toBe(os.tmpdir())
    expect(environment.dockerHost).toBeUndefined()
  })

  test.each(['0', 'true', ''])('DOCKER_BUILDKIT=%j is not BuildKit (only 1 is)', (value) => {
    expect(readEnvironment({ DOCKER_BUILDKIT: value }).environment.buildkitEnv).toBe(false)
  })

  it('keeps buildx builders in the config folder unless BUILDX_CONFIG says otherwise', () => {
    expect(readEnvironment({ DOCKER_CONFIG: '/cfg' }).environment.buildxConfig).toBe('/cfg/buildx')
  })

  it('finds docker and pigz on PATH', () => {
    const bin = writeTree(tempDir('bin'), { docker: '#!/bin/sh\n', pigz: '#!/bin/sh\n' }, 0o755)
    const { tools } = readEnvironment({ PATH: `/nonexistent${path.delimiter}${bin}` }).environment
    expect(tools).toEqual({ docker: path.join(bin, 'docker'), pigz: path.join(bin, 'pigz') })
  })
})

describe('readEnvironment: the event payload', () => {
  const PR_VARS = {
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_REF: 'refs/pull/42/merge',
    GITHUB_SHA: 'merge0000000000000000000000000000000000000',
    GITHUB_REPOSITORY: 'octo-org/app'
  }

  it('reads the pull request head commit from the payload', () => {
    const dir = tempDir('event')
    const file = path.join(dir, 'event.json')
    fs.writeFileSync(file, JSON.stringify({ pull_request: { number: 42, head: { sha: 'head1111' } } }))
    const { environment, warnings } = readEnvironment({ ...PR_VARS, GITHUB_EVENT_PATH: file })
    expect(environment.event).toEqual({
      name: 'pull_request',
      ref: 'refs/pull/42/merge',
      sha: 'head1111',
      pullRequest: 42,
      sourceUrl: 'https://github.com/octo-org/app',
      title: 'app'
    })
    expect(warnings).toEqual([])
  })

  test.each([
    ['missing', (_file: string) => undefined, /ENOENT/],
    ['not JSON', (file: string) => fs.writeFileSync(file, '{"pull_request": '), /JSON/]
  ])('warns, and falls back to GITHUB_SHA, when the payload is %s', (_what, make, why) => {
    const file = path.join(tempDir('event'), 'event.json')
    make(file)
    const { environment, warnings } = readEnvironment({ ...PR_VARS, GITHUB_EVENT_PATH: file })
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(
      new RegExp(`^Could not read the event payload ${file} \\(.+\\); pull request tags fall back to GITHUB_SHA\\.$`)
    )
    expect(warnings[0]).toMatch(why)
    expect(environment.event.sha).toBe(PR_VARS.GITHUB_SHA)
    expect(environment.event.pullRequest).toBe(42)
  })

  it('reads no payload when GITHUB_EVENT_PATH is unset', () => {
    const { environment, warnings } = readEnvironment({ GITHUB_SHA: 'abc' })
    expect(environment.event.sha).toBe('abc')
    expect(warnings).toEqual([])
  })
})

describe('readEnvironment: the buildx plugin', () => {
  const buildxWith = (config: string): boolean => readEnvironment({ DOCKER_CONFIG: config }).environment.buildx

  it("is found in the config folder's cli-plugins (where setup-buildx-action puts it)", () => {
    expect(buildxWith(dockerConfig({ 'cli-plugins/docker-buildx': '#!/bin/sh\n' }))).toBe(true)
  })

  it('is not found when the file there is not executable', () => {
    expect(buildxWith(dockerConfig({ 'cli-plugins/docker-buildx': '#!/bin/sh\n' }, 0o644))).toBe(systemBuildx)
  })

  it('is not found when docker-buildx is a folder', () => {
    const config = dockerConfig({})
    fs.mkdirSync(path.join(config, 'cli-plugins', 'docker-buildx'), { recursive: true, mode: 0o755 })
    expect(buildxWith(config)).toBe(systemBuildx)
  })

  it("is found in a folder of config.json's cliPluginsExtraDirs", () => {
    const extra = writeTree(tempDir('plugins'), { 'docker-buildx': '#!/bin/sh\n' }, 0o755)
    const config = dockerConfig({ 'config.json': JSON.stringify({ cliPluginsExtraDirs: ['/nonexistent', extra] }) })
    expect(buildxWith(config)).toBe(true)
  })
})

describe('findExecutable', () => {
  it('gives the first executable file of that name, in PATH order', () => {
    const notExecutable = writeTree(tempDir('bin'), { docker: '' }, 0o644)
    const folder = tempDir('bin')
    fs.mkdirSync(path.join(folder, 'docker'))
    const first = writeTree(tempDir('bin'), { docker: '' }, 0o755)
    const second = writeTree(tempDir('bin'), { docker: '' }, 0o755)
    const searchPath = ['', notExecutable, folder, first, second].join(path.delimiter)
    expect(findExecutable('docker', searchPath)).toBe(path.join(first, 'docker'))
  })

  it('is undefined when no folder has it, and for an empty PATH', () => {
    expect(findExecutable('docker', tempDir('bin'))).toBeUndefined()
    expect(findExecutable('docker', '')).toBeUndefined()
    expect(findExecutable('docker')).toBeUndefined()
  })
})

describe('nodeFs', () => {
  it('tells files, folders, other things and missing paths apart', () => {
    const dir = writeTree(tempDir('fs'), { file: 'x' })
    expect(nodeFs.kind(path.join(dir, 'file'))).toBe('file')
    expect(nodeFs.kind(dir)).toBe('directory')
    expect(nodeFs.kind('/dev/null')).toBe('other')
    expect(nodeFs.kind(path.join(dir, 'missing'))).toBe('missing')
  })
})

describe('readEnvironment: the commit time (the created label)', () => {
  const SHA = 'c0ffee00112233445566778899aabbccddeeff00'

  /** A Git repository with one commit made at `date`; returns its folder and the commit. */
  function repository(date: string): { dir: string; sha: string } {
    const dir = tempDir('git')
    const git = (...args: string[]): string => {
      const result = spawnSync('git', ['-C', dir, ...args], {
        encoding: 'utf8',
        env: { ...process.env, GIT_COMMITTER_DATE: date, GIT_AUTHOR_DATE: date, HOME: dir }
      })
      if (result.status !== 0) throw new Error(result.stderr)
      return result.stdout.trim()
    }
    git('init', '-q')
    git('-c', 'user.name=t', '-c', 'user.email=t@example.test', 'commit', '-q', '--allow-empty', '-m', 'x')
    return { dir, sha: git('rev-parse', 'HEAD') }
  }

  function payloadFile(payload: unknown): string {
    const file = path.join(tempDir('event'), 'event.json')
    fs.writeFileSync(file, JSON.stringify(payload))
    return file
  }

  it("takes the event's head commit time, in UTC", () => {
    const { environment } = readEnvironment({
      GITHUB_SHA: SHA,
      GITHUB_WORKSPACE: tempDir('no-git'),
      GITHUB_EVENT_PATH: payloadFile({ head_commit: { id: SHA, timestamp: '2025-03-04T05:06:07+01:00' } })
    })
    expect(environment.created).toEqual({ date: new Date('2025-03-04T04:06:07Z'), source: 'head commit' })
  })

  it('takes SOURCE_DATE_EPOCH before the event', () => {
    const { environment } = readEnvironment({
      SOURCE_DATE_EPOCH: '1700000000',
      GITHUB_SHA: SHA,
      GITHUB_EVENT_PATH: payloadFile({ head_commit: { id: SHA, timestamp: '2025-03-04T05:06:07+01:00' } })
    })
    expect(environment.created).toEqual({ date: new Date(1700000000 * 1000), source: 'SOURCE_DATE_EPOCH' })
  })

  it('asks git log in the workspace when the event has no time (a pull request, a dispatch)', () => {
    const { dir, sha } = repository('2024-02-03T04:05:06-08:00')
    const { environment } = readEnvironment({ GITHUB_WORKSPACE: dir, GITHUB_SHA: sha, PATH: process.env.PATH })
    expect(environment.created).toEqual({ date: new Date('2024-02-03T12:05:06Z'), source: 'git log' })
    expect(gitCommitTime(dir, sha, { PATH: process.env.PATH })).toBe('2024-02-03T04:05:06-08:00')
  })

  it("falls back to HEAD when the commit built is not in the clone (a pull request's merge checkout)", () => {
    const { dir } = repository('2024-02-03T04:05:06Z')
    expect(gitCommitTime(dir, SHA, { PATH: process.env.PATH })).toBe('2024-02-03T04:05:06+00:00')
  })

  it('is now, in whole seconds, without git history or git', () => {
    const before = Math.floor(Date.now() / 1000) * 1000
    const { environment } = readEnvironment({ GITHUB_WORKSPACE: tempDir('no-git'), PATH: '' })
    expect(environment.created.source).toBe('now')
    expect(environment.created.date.getTime() % 1000).toBe(0)
    expect(environment.created.date.getTime()).toBeGreaterThanOrEqual(before)
    expect(gitCommitTime(tempDir('no-git'), '', { PATH: process.env.PATH })).toBeUndefined()
  })

  it('warns about a SOURCE_DATE_EPOCH that is no number of seconds', () => {
    const { environment, warnings } = readEnvironment({
      SOURCE_DATE_EPOCH: 'soon',
      GITHUB_WORKSPACE: tempDir('no-git')
    })
    expect(environment.created.source).toBe('now')
    expect(warnings).toEqual([expect.stringContaining("SOURCE_DATE_EPOCH='soon' is not a whole number of seconds")])
  })
})

describe('isInside', () => {
  const INSIDE: [string, string][] = [
    ['/a', '/a'],
    ['/a/', '/a'],
    ['/a/b/c', '/a'],
    ['/a', '/'],
    ['/a/./b', '/a/'],
    ['/a/..b', '/a'],
    ['/a/.../c', '/a']
  ]
  const OUTSIDE: [string, string][] = [
    ['/ab', '/a'],
    ['/a/../b', '/a'],
    ['/', '/a'],
    ['/b/a', '/a']
  ]
  describe.each<[boolean, [string, string][]]>([
    [true, INSIDE],
    [false, OUTSIDE]
  ])('is %s', (inside, pairs) => {
    test.each(pairs)('for %s in %s', (inner, outer) => {
      expect(isInside(inner, outer)).toBe(inside)
    })
  })
})

describe('tempBase', () => {
  /** RUNNER_TEMP /runner/temp, then /tmp and /dev/shm, all writable unless `readOnly` says otherwise. */
  function machine(readOnly: string[] = [], runnerTemp = '/runner/temp'): Environment {
    const folders = ['/', '/ws', runnerTemp, '/tmp', '/dev/shm']
    const tree = Object.fromEntries(folders.map((folder) => [folder, 'directory' as const]))
    return { ...env(tree, undefined, { readOnly }), runnerTemp }
  }

  test.each<[string, string | undefined, string | undefined]>([
    ['a context beside it', '/ws', '/runner/temp'],
    ['a context under /tmp', '/tmp/ctx', '/runner/temp'],
    ['a context that holds RUNNER_TEMP', '/runner', '/tmp'],
    ['a context that is RUNNER_TEMP', '/runner/temp', '/tmp'],
    ['the context /', '/', undefined],
    ['a remote context', 'https://github.com/o/r.git', '/runner/temp'],
    ['no context (a retag)', undefined, '/runner/temp']
  ])('%s (%s) -> %s', (_label, context, base) => {
    expect(tempBase(machine(), context)).toBe(base)
  })

  it('skips a candidate this run may not write to', () => {
    expect(tempBase(machine(['/tmp']), '/runner')).toBe('/dev/shm')
    expect(tempBase(machine(['/tmp', '/dev/shm']), '/runner')).toBeUndefined()
  })

  it('takes the next candidate when the workspace holds RUNNER_TEMP', () => {
    expect(tempBase(machine([], '/ws/_temp'), '/ws')).toBe('/tmp')
    // A folder whose name starts with .. is inside too: COPY . would take the docker login into the image.
    expect(tempBase(machine([], '/ws/..temp'), '/ws')).toBe('/tmp')
  })
})
