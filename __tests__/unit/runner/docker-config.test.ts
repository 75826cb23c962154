// runner/docker-config.ts: what the run reads of the user's docker config folder (its plugin
// folders, the registries it is logged in to), on real temp folders.
import { afterEach, describe, expect, it, test } from '@jest/globals'
import * as path from 'node:path'
import { readDockerConfig } from '../../../src/runner/docker-config.js'
import { removeTempDirs, tempDir } from '../../__fixtures__/temp.js'
import { dockerConfig, SYSTEM_PLUGIN_DIRS } from '../../__fixtures__/docker-config.js'

afterEach(removeTempDirs)

const pluginDirs = (dir: string): string[] => readDockerConfig(dir).pluginDirs

describe('readDockerConfig: pluginDirs', () => {
  it("lists cliPluginsExtraDirs, then the config's cli-plugins, then the system folders", () => {
    const config = dockerConfig({ 'config.json': JSON.stringify({ cliPluginsExtraDirs: ['/a', 7, '/b'] }) })
    expect(pluginDirs(config)).toEqual(['/a', '/b', path.join(config, 'cli-plugins'), ...SYSTEM_PLUGIN_DIRS])
  })

  test.each([
    ['no config.json', {}],
    ['a config.json that is not JSON', { 'config.json': '{' }],
    ['a config.json that is null', { 'config.json': 'null' }],
    ['cliPluginsExtraDirs that is not a list', { 'config.json': '{"cliPluginsExtraDirs": "/a"}' }]
  ])('uses the defaults with %s', (_what, files) => {
    const config = dockerConfig(files)
    expect(pluginDirs(config)).toEqual([path.join(config, 'cli-plugins'), ...SYSTEM_PLUGIN_DIRS])
  })
})

const loginsOf = (dir: string): { registries: string[]; store: boolean } => {
  const config = readDockerConfig(dir)
  return { registries: config.registries, store: config.credsStore !== undefined }
}

describe('readDockerConfig: the registries the user is logged in to', () => {
  it('reads auths and credHelpers, Docker Hub as docker.io, and whether a credsStore is set', () => {
    const dir = dockerConfig({
      'config.json': JSON.stringify({
        auths: { 'https://index.docker.io/v1/': {}, 'ghcr.io': {} },
        credHelpers: { 'quay.io': 'secretservice', 'ghcr.io': 'x' },
        credsStore: 'desktop'
      })
    })
    expect(loginsOf(dir)).toEqual({ registries: ['docker.io', 'ghcr.io', 'quay.io'], store: true })
  })

  test.each(['', 'not json', '[]', 'null'])('has none for a config.json of %j', (text) => {
    expect(loginsOf(dockerConfig({ 'config.json': text }))).toEqual({ registries: [], store: false })
  })

  it('has none without a config', () => {
    expect(loginsOf(tempDir('empty'))).toEqual({ registries: [], store: false })
  })
})
