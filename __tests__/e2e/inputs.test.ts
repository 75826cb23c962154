// Inputs refused or masked before any docker command, end to end: the bad input table
// (one ::error:: naming the input and the fix), values that try to start a workflow
// command, a token in a Git context URL, and the inputs checked against the engine or
// the Dockerfile.
import { describe, expect, it } from '@jest/globals'
import { randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { setup, commands, dockerShim, has, itWhere, makeWorkspace, runMain, uniqueName, visibleLog } from './harness.js'

const { s, login } = setup()

describe('bad input: one ::error:: naming the input and the fix, before any docker command', () => {
  const long = 'a'.repeat(129)
  const cases: [string, Record<string, string>, string][] = [
    ['no images', { images: '' }, 'images'],
    ['a repository with a tag', { images: 'localhost:5000/app:v1' }, 'images'],
    ['an uppercase registry host', { images: 'LOCALHOST:5000/app' }, 'images'],
    ['a repository with a digest', { images: `localhost:5000/app@sha256:${'a'.repeat(64)}` }, 'images'],
    ['an invalid path component', { images: 'localhost:5000/-app' }, 'images'],
    ['a Docker Hub name without an account', { images: 'app' }, 'images'],
    ['a repository with a space', { images: 'local host/app' }, 'images'],
    ['a tag starting with -', { tags: '-bad' }, 'tags'],
    ['a tag of 129 characters', { tags: long }, 'tags'],
    ['a tag with a space', { tags: 'v1 beta' }, 'tags'],
    ['a tag starting with .', { tags: 'ok,.dot' }, 'tags'],
    ['push: maybe', { push: 'maybe' }, 'push'],
    ['pull: yes', { pull: 'yes' }, 'pull'],
    ['no-cache: 1', { 'no-cache': '1' }, 'no-cache'],
    ['latest: sometimes', { latest: 'sometimes' }, 'latest'],
    ['build-args without =', { 'build-args': 'NOEQUALS' }, 'build-args'],
    ['a label without a key', { labels: '=x' }, 'labels'],
    ['a missing context', { context: 'missing' }, 'context'],
    ['a missing Dockerfile', { file: 'nope/Dockerfile' }, 'file'],
    ['a .zip save path', { save: 'out.zip' }, 'save'],
    ['save into a file', { save: 'app/Dockerfile/image.tar' }, 'save'],
    ['save onto a folder', { save: 'folder.tar' }, 'save'],
    ['compression level 0', { save: 'i.tar.gz', 'save-compression-level': '0' }, 'save-compression-level'],
    ['compression level fast', { save: 'i.tar.gz', 'save-compression-level': 'fast' }, 'save-compression-level'],
    ['retries: 0', { retries: '0' }, 'retries'],
    ['retries: many', { retries: 'many' }, 'retries'],
    ['a secret line without =', { secrets: 'not-a-pair' }, 'secrets'],
    // A registry spec is a cache-from (issue 24); one without its ref, or of a type buildx lacks, is not.
    ['a registry cache spec without ref', { 'cache-from': 'type=registry,mode=max' }, 'cache-from'],
    ['a cache type buildx does not know', { 'cache-to': 'type=redis,ref=x' }, 'cache-to'],
    ['a registry with a path', { registry: 'https://ghcr.io/org' }, 'registry'],
    // Several platforms: without buildx (the classic world) an error of their own; with it, not in a tarball.
    has.classicBuilder
      ? ['two platforms', { platforms: 'linux/amd64,linux/arm64' }, 'platforms']
      : ['a tarball of two platforms', { platforms: 'linux/amd64,linux/arm64', save: 'i.tar' }, 'save'],
    ['a platform that is not one', { platforms: 'linux' }, 'platforms'],
    ['provenance: yes', { provenance: 'yes' }, 'provenance'],
    ['a builder name with a space', { builder: 'my builder' }, 'builder'],
    ['a source image with a space', { 'source-image': 'bad image' }, 'source-image'],
    ['a target that is no stage name', { target: 'bad stage!' }, 'target'],
    // The test Dockerfile has one unnamed stage: issue 20's nosuchstage, refused before the login and the build.
    ['a target the Dockerfile does not have', { target: 'nosuchstage', ...login }, 'target'],
    ['a network that is no network name', { network: 'host;rm' }, 'network'],
    ['a user name with a colon', { username: 'ship:x', password: 'p' }, 'username'],
    ['a registry port out of range', { registry: 'localhost:99999' }, 'registry'],
    ['a repository on port 0', { images: 'localhost:0/app' }, 'images'],
    ['a line break in target', { target: 'prod\n::warning::x' }, 'target'],
    ['a carriage return in a label', { labels: 'a=b\rc' }, 'labels'],
    ['an escape character in the Dockerfile path', { file: 'Docker\u001bfile' }, 'file'],
    ['a secret value with no end', { secrets: 'key<<EOF\nline' }, 'secrets']
  ]

  it('has at least 40 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40)
  })

  for (const [label, inputs, input] of cases) {
    it(`${label} -> ${input}`, async () => {
      const ws = makeWorkspace()
      fs.mkdirSync(path.join(ws.workspace, 'folder.tar'))
      const shim = dockerShim(ws)
      const result = await runMain(
        ws,
        { images: `${s.plain}/ok`, context: 'app', ...inputs },
        { PATH: `${shim.dir}:${process.env.PATH}` }
      )
      expect(result.code).toBe(1)
      const errors = commands(result.log, 'error')
      expect(errors).toHaveLength(1)
      expect(errors[0]).toMatch(new RegExp(`^::error::Input '${input}': .+\\. Fix: .+\\.$`))
      expect(shim.calls()).toEqual([])
      expect(result.log).not.toMatch(/\n\s+at /)
      expect(fs.readdirSync(ws.runnerTemp)).toEqual([])
    })
  }
})

describe('refused before any docker command', () => {
  it('refuses bad input with one ::error:: per problem before any docker command', async () => {
    const ws = makeWorkspace()
    const result = await runMain(ws, {
      images: 'LOCALHOST:5000/app, ok/app:v1',
      tags: 'good, -bad',
      push: 'maybe',
      context: 'missing-folder',
      save: 'x.zip'
    })
    expect(result.code).toBe(1)
    const errors = commands(result.log, 'error')
    expect(errors.map((e) => /^::error::Input '([a-z-]+)'/.exec(e)?.[1])).toEqual([
      'images',
      'images',
      'tags',
      'push',
      'context',
      'save'
    ])
    for (const e of errors) expect(e).toContain('Fix: ')
    expect(result.log).not.toContain('[command]')
    expect(result.log).not.toMatch(/\n\s+at /) // no stack trace
    expect(fs.readdirSync(ws.runnerTemp)).toEqual([])
  })

  // With BuildKit (buildx) a named network is refused as an input before any docker command.
  itWhere(has.classicBuilder, 'BuildKit refuses a named network as an input')(
    'a network the engine does not have is the network input’s error, not the RUN line’s',
    async () => {
      const result = await runMain(makeWorkspace(), {
        images: `${s.plain}/${uniqueName('nonet')}`,
        context: 'app',
        network: 'no-such-network',
        push: 'false'
      })
      expect(result.code).toBe(1)
      expect(commands(result.log, 'error')).toEqual([
        expect.stringMatching(/^::error::Input 'network': the engine has no network 'no-such-network'/)
      ])
    }
  )

  it('build args named like credentials are warned about by whole word, and the Dockerfile can silence it', async () => {
    const args =
      'GH_PAT=x\nDB_PASS=y\nNPM_CONFIG__AUTH=z\nKEYCLOAK_URL=u\nTOKENIZER_MODEL=m\nCACHE_KEY_PREFIX=p\nMONKEY_PATCH=1'
    const warned = await runMain(makeWorkspace(), {
      images: `${s.plain}/${uniqueName('argwords')}`,
      context: 'app',
      push: 'false',
      'build-args': args,
      'dry-run': 'true'
    })
    const names = commands(warned.log, 'warning').map((w) => /The build arg (\S+) looks like a credential/.exec(w)?.[1])
    expect(names).toEqual(['GH_PAT', 'DB_PASS', 'NPM_CONFIG__AUTH'])
    const silenced = await runMain(makeWorkspace(`# check=skip=SecretsUsedInArgOrEnv\nFROM ${s.baseImage}\n`), {
      images: `${s.plain}/${uniqueName('argskip')}`,
      context: 'app',
      'build-args': args,
      'dry-run': 'true'
    })
    expect(commands(silenced.log, 'warning')).toEqual([])
  })
})

describe('values that try to start a workflow command', () => {
  const injected = '::warning title=INJECTED::boo'
  const cases: [string, Record<string, string>][] = [
    ['target', { target: `prod\n${injected}` }],
    ['network', { network: `host\n${injected}` }],
    ['context', { context: `app\n${injected}` }],
    ['save', { save: `i.tar\n${injected}` }],
    ['username', { username: `ship\n${injected}`, password: 'x' }],
    ['build-args', { 'build-args': `A=1\r${injected}` }],
    ['labels', { labels: `a=b\r${injected}` }]
  ]
  for (const [input, values] of cases) {
    it(`are refused in ${input}, and nothing the runner would read as a command is printed`, async () => {
      const ws = makeWorkspace()
      const shim = dockerShim(ws)
      const result = await runMain(
        ws,
        { images: `${s.plain}/${uniqueName('inject')}`, context: 'app', ...values },
        { PATH: `${shim.dir}:${process.env.PATH}` }
      )
      expect(result.code).toBe(1)
      expect(commands(result.log, 'error')).toEqual([expect.stringMatching(new RegExp(`^::error::Input '${input}': `))])
      // The runner reads a command at the start of a line, after a \n or a \r.
      expect(result.log.split(/\r\n|\r|\n/).filter((l) => l.includes('INJECTED') && /^\s*::/.test(l))).toEqual([])
      expect(shim.calls()).toEqual([])
    })
  }
})

describe('a token in a Git context URL', () => {
  const token = `ghp_${randomBytes(12).toString('hex')}`
  const context = `https://x-access-token:${token}@127.0.0.1:1/org/repo.git#main`
  // buildx gets the token as BuildKit's Git auth secret and the URL without it (issue 23: 2);
  // the classic builder can take it only in the URL, masked.
  const shown = has.buildx
    ? '--secret id=GIT_AUTH_TOKEN,env=SHIP_IMAGE_GIT_AUTH_TOKEN '
    : 'https://***@127.0.0.1:1/org/repo.git'

  it('is masked first, and printed by the action nowhere: not in the [command] line nor the ::error::', async () => {
    const ws = makeWorkspace()
    const result = await runMain(ws, { images: `${s.plain}/${uniqueName('tokenctx')}`, context })
    expect(result.code).toBe(1)
    const lines = result.log.split('\n')
    const firstMention = lines.findIndex((l) => l.includes(token) && !l.startsWith('::add-mask::'))
    const mask = lines.indexOf(`::add-mask::${token}`)
    expect(mask).toBeGreaterThanOrEqual(0)
    if (firstMention >= 0) expect(mask).toBeLessThan(firstMention) // docker's own output is then hidden by the runner
    for (const line of lines.filter((l) => l.includes('[command]') || l.startsWith('::error'))) {
      expect(line).not.toContain(token)
    }
    expect(lines.some((l) => l.includes('[command]') && l.includes(shown))).toBe(true)
  })

  it('is not in the dry run’s commands or summary', async () => {
    const ws = makeWorkspace()
    const result = await runMain(ws, { images: `${s.plain}/${uniqueName('tokendry')}`, context, 'dry-run': 'true' })
    expect(result.code).toBe(0)
    expect(visibleLog(result.log)).not.toContain(token)
    expect(fs.readFileSync(ws.summaryFile, 'utf8')).not.toContain(token)
    expect(fs.readFileSync(ws.summaryFile, 'utf8')).toContain(shown)
  })
})
