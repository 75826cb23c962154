// buildx-version's pure parts: the version buildx prints, and the run's own plugin
// folder (the user's plugins, and this run's buildx first).
import { afterEach, describe, expect, it, test } from '@jest/globals'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { pluginFolder, versionOf } from '../../../src/setup/buildx.js'
import { removeTempDirs, tempDir, writeTree } from '../../__fixtures__/temp.js'
import { env } from '../../__fixtures__/environment.js'

afterEach(removeTempDirs)

describe('versionOf', () => {
  test.each([
    ['github.com/docker/buildx v0.29.1 1234abcd', '0.29.1'],
    ['github.com/docker/buildx 0.29.1+ds1 0.29.1+ds1-1', '0.29.1'],
    ['github.com/docker/buildx v0.13.1 dd9d6d1', '0.13.1'],
    ["docker: 'buildx' is not a docker command.", undefined]
  ])('%j is %j', (printed, version) => {
    expect(versionOf(printed)).toBe(version)
  })
})

describe('pluginFolder', () => {
  it("links the user's plugins, the first folder's winning, and this run's buildx instead of theirs", () => {
    const first = writeTree(tempDir('extra'), { 'docker-compose': 'a', 'docker-buildx': 'theirs' }, 0o755)
    const second = writeTree(
      tempDir('config'),
      { 'docker-compose': 'b', 'docker-scan': 'c', 'not-a-plugin': 'd' },
      0o755
    )
    const environment = env()
    environment.dockerConfig = { ...environment.dockerConfig, pluginDirs: [first, second, '/nonexistent'] }
    const buildx = writeTree(tempDir('cache'), { 'docker-buildx': 'ours' }, 0o755)
    const dir = pluginFolder(path.join(tempDir('run'), 'cli-plugins'), environment, path.join(buildx, 'docker-buildx'))
    expect(fs.readdirSync(dir).sort()).toEqual(['docker-buildx', 'docker-compose', 'docker-scan'])
    expect(fs.readFileSync(path.join(dir, 'docker-buildx'), 'utf8')).toBe('ours')
    expect(fs.readFileSync(path.join(dir, 'docker-compose'), 'utf8')).toBe('a')
    expect((fs.statSync(dir).mode & 0o777).toString(8)).toBe('700')
  })
})
