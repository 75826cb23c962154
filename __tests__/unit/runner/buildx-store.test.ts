// Which builder buildx uses, read from its store as buildx itself reads it
// (store/store.go, util/dockerutil/context.go of docker/buildx): the files a
// setup-buildx-action step or `docker buildx create --use` leaves.
import { afterEach, describe, expect, it, test } from '@jest/globals'
import { createHash } from 'node:crypto'
import { driverOf, endpointKey, readBuildxStore } from '../../../src/runner/buildx-store.js'
import { removeTempDirs, tempDir, writeTree } from '../../__fixtures__/temp.js'

afterEach(removeTempDirs)

const SOCKET = 'unix:///var/run/docker.sock'
const instance = (name: string, driver: string): string =>
  JSON.stringify({ Name: name, Driver: driver, Nodes: [{ Name: `${name}0`, Endpoint: 'tcp://127.0.0.1:1234' }] })

/** A store as `docker buildx create --name builder-1 --driver docker-container --use` leaves it. */
function store(current: object | undefined, extra: Record<string, string> = {}): string {
  return writeTree(tempDir('buildx'), {
    'instances/builder-1': instance('builder-1', 'docker-container'),
    'instances/remote': instance('remote', 'remote'),
    ...(current ? { current: JSON.stringify(current) } : {}),
    ...extra
  })
}

describe('endpointKey', () => {
  test.each<[string, Record<string, string>, Record<string, unknown>, string]>([
    ['the default socket', {}, {}, SOCKET],
    ['DOCKER_HOST', { DOCKER_HOST: 'unix:///run/other.sock' }, {}, 'unix:///run/other.sock'],
    ['DOCKER_CONTEXT', { DOCKER_CONTEXT: 'colima' }, {}, 'colima'],
    ["the config's currentContext", {}, { currentContext: 'desktop-linux' }, 'desktop-linux'],
    ['DOCKER_HOST over a context', { DOCKER_HOST: 'tcp://h:2376', DOCKER_CONTEXT: 'x' }, {}, 'tcp://h:2376']
  ])('is %s', (_label, vars, config, key) => {
    expect(endpointKey(vars, config)).toBe(key)
  })
})

describe('readBuildxStore and driverOf', () => {
  it('finds the builder `buildx create --use` made current for this endpoint, and its driver', () => {
    const s = readBuildxStore(store({ Key: SOCKET, Name: 'builder-1', Global: false }), SOCKET)
    expect(s).toEqual({ current: 'builder-1', drivers: { 'builder-1': 'docker-container', remote: 'remote' } })
    expect(driverOf(s, '')).toBe('docker-container')
  })

  it('ignores a current builder of another endpoint, unless it is global', () => {
    const other = { Key: 'unix:///elsewhere.sock', Name: 'builder-1', Global: false }
    expect(driverOf(readBuildxStore(store(other), SOCKET), '')).toBe('docker')
    expect(driverOf(readBuildxStore(store({ ...other, Global: true }), SOCKET), '')).toBe('docker-container')
  })

  it("falls back to the endpoint's default (buildx use --default), filed under a hash of the key", () => {
    const hash = createHash('sha256').update(SOCKET).digest('hex').slice(0, 20)
    const dir = store(undefined, { [`defaults/${hash}`]: 'remote' })
    expect(driverOf(readBuildxStore(dir, SOCKET), '')).toBe('remote')
  })

  it('gives a named builder its own driver (the builder input, BUILDX_BUILDER), case-insensitively', () => {
    const s = readBuildxStore(store({ Key: SOCKET, Name: 'builder-1', Global: false }), SOCKET)
    expect(driverOf(s, 'REMOTE')).toBe('remote')
    // A name the store does not hold is a docker context: the engine's own builder.
    expect(driverOf(s, 'default')).toBe('docker')
  })

  test.each([
    ['no store at all', undefined],
    ['a current file that is not JSON', '{'],
    ['a current builder that no instance has', JSON.stringify({ Key: SOCKET, Name: 'gone' })]
  ])('is the docker driver with %s', (_label, current) => {
    const dir = current === undefined ? tempDir('empty') : writeTree(tempDir('buildx'), { current })
    expect(driverOf(readBuildxStore(dir, SOCKET), '')).toBe('docker')
  })
})
