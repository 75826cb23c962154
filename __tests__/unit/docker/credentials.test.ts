import { describe, expect, it, test } from '@jest/globals'
import { seedConfig } from '../../../src/docker/credentials.js'

type Config = Parameters<typeof seedConfig>[0]

const AUTH = { auth: 'YWxpY2U6c2VjcmV0' }

/** A config.json as a developer machine or a runner might have it. */
function userConfig(): Config {
  return {
    auths: {
      'https://index.docker.io/v1/': AUTH,
      'docker.io': AUTH,
      'ghcr.io': AUTH,
      'https://ghcr.io': AUTH,
      'localhost:5000': AUTH,
      'http://localhost:5000/v2/': AUTH,
      'localhost:5001': AUTH,
      'registry.example.com': {}
    },
    credHelpers: {
      'index.docker.io': 'desktop',
      'ghcr.io': 'gh',
      'localhost:5000': 'pass',
      '123456789012.dkr.ecr.us-east-1.amazonaws.com': 'ecr-login'
    },
    credsStore: 'desktop',
    aliases: { builder: 'buildx' },
    currentContext: 'rootless',
    proxies: { default: { httpProxy: 'http://proxy:3128' } },
    psFormat: 'table {{.ID}}'
  }
}

const KEPT = {
  aliases: { builder: 'buildx' },
  currentContext: 'rootless',
  proxies: { default: { httpProxy: 'http://proxy:3128' } },
  psFormat: 'table {{.ID}}'
}

describe('seedConfig', () => {
  test.each<[string, string[], string[]]>([
    [
      'docker.io',
      [
        'ghcr.io',
        'https://ghcr.io',
        'localhost:5000',
        'http://localhost:5000/v2/',
        'localhost:5001',
        'registry.example.com'
      ],
      ['ghcr.io', 'localhost:5000', '123456789012.dkr.ecr.us-east-1.amazonaws.com']
    ],
    [
      'ghcr.io',
      [
        'https://index.docker.io/v1/',
        'docker.io',
        'localhost:5000',
        'http://localhost:5000/v2/',
        'localhost:5001',
        'registry.example.com'
      ],
      ['index.docker.io', 'localhost:5000', '123456789012.dkr.ecr.us-east-1.amazonaws.com']
    ],
    [
      'localhost:5000',
      [
        'https://index.docker.io/v1/',
        'docker.io',
        'ghcr.io',
        'https://ghcr.io',
        'localhost:5001',
        'registry.example.com'
      ],
      ['index.docker.io', 'ghcr.io', '123456789012.dkr.ecr.us-east-1.amazonaws.com']
    ],
    [
      'quay.io',
      [
        'https://index.docker.io/v1/',
        'docker.io',
        'ghcr.io',
        'https://ghcr.io',
        'localhost:5000',
        'http://localhost:5000/v2/',
        'localhost:5001',
        'registry.example.com'
      ],
      ['index.docker.io', 'ghcr.io', 'localhost:5000', '123456789012.dkr.ecr.us-east-1.amazonaws.com']
    ]
  ])(
    'logging in to %s drops its entries, routes it to the file, and keeps the rest',
    (registry, auths, credHelpers) => {
      const seed = seedConfig(userConfig(), registry)
      expect(Object.keys(seed.auths ?? {})).toEqual(auths)
      // The user's credsStore stays for every other registry; an empty helper sends this one to the config file.
      const key = registry === 'docker.io' ? 'https://index.docker.io/v1/' : registry
      expect(seed.credHelpers).toEqual({
        ...Object.fromEntries(credHelpers.map((k) => [k, userConfig().credHelpers?.[k]])),
        [key]: ''
      })
      const { auths: _a, credHelpers: _c, ...rest } = seed
      expect(rest).toEqual({ ...KEPT, credsStore: 'desktop' })
    }
  )

  it('keeps the kept entries with their values', () => {
    const seed = seedConfig(userConfig(), 'docker.io')
    expect(seed.auths?.['ghcr.io']).toEqual(AUTH)
    expect(seed.auths?.['registry.example.com']).toEqual({})
    expect(seed.credHelpers?.['ghcr.io']).toBe('gh')
  })

  test.each([
    ['https://index.docker.io/v1/'],
    ['index.docker.io'],
    ['registry-1.docker.io'],
    ['https://registry-1.docker.io/v2/'],
    ['docker.io'],
    ['DOCKER.IO']
  ])('treats %s as Docker Hub', (key) => {
    const seed = seedConfig({ auths: { [key]: AUTH, 'ghcr.io': AUTH }, credHelpers: { [key]: 'desktop' } }, 'docker.io')
    expect(seed).toEqual({ auths: { 'ghcr.io': AUTH }, credHelpers: {} })
    const stored = seedConfig({ auths: { [key]: AUTH }, credsStore: 'desktop' }, 'docker.io')
    expect(stored).toEqual({ auths: {}, credsStore: 'desktop', credHelpers: { 'https://index.docker.io/v1/': '' } })
  })

  it('matches registry keys without regard to case', () => {
    expect(seedConfig({ auths: { 'GHCR.IO': AUTH, 'https://Ghcr.io/': AUTH } }, 'ghcr.io')).toEqual({ auths: {} })
  })

  it('does not take another port of the same host for the registry', () => {
    expect(seedConfig({ auths: { 'localhost:5000': AUTH, localhost: AUTH } }, 'localhost:5001')).toEqual({
      auths: { 'localhost:5000': AUTH, localhost: AUTH }
    })
  })

  test.each<[string, Config, Config]>([
    ['an empty config', {}, {}],
    [
      'a config with only credsStore',
      { credsStore: 'osxkeychain' },
      { credsStore: 'osxkeychain', credHelpers: { 'https://index.docker.io/v1/': '' } }
    ],
    [
      'a config with no auths or credHelpers',
      { currentContext: 'default', credsStore: 'pass' },
      { currentContext: 'default', credsStore: 'pass', credHelpers: { 'https://index.docker.io/v1/': '' } }
    ],
    ['empty auths', { auths: {} }, { auths: {} }]
  ])('handles %s', (_label, user, expected) => {
    const seed = seedConfig(user, 'docker.io')
    expect(seed).toEqual(expected)
    expect('auths' in seed).toBe('auths' in expected)
    expect('credHelpers' in seed).toBe('credHelpers' in expected)
  })

  it('does not mutate its input', () => {
    const user = userConfig()
    const before = structuredClone(user)
    const seed = seedConfig(user, 'docker.io')
    expect(user).toEqual(before)
    expect(seed.auths).not.toBe(user.auths)
    expect(seed.credHelpers).not.toBe(user.credHelpers)
    expect(user.credHelpers).not.toHaveProperty(['https://index.docker.io/v1/'])
  })
})
