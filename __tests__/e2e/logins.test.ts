// Logins and credentials, end to end: a login used and then gone (no credential in
// files, argv, logs or outputs), a wrong password, registry-auth's several logins,
// keep-login for the later steps of the job, the user's own docker setup (buildx,
// builders, logins already in ~/.docker, its credential store) left usable, and what
// the run's children and the build context can see.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { FaultProxy } from './fault-proxy.js'
import {
  setup,
  commands,
  docker,
  dockerAsync,
  dockerIn,
  dockerShim,
  dockerStatus,
  expectNoCredentials,
  expectNoCredentialsLeft,
  expectRegistryDigests,
  fetchManifest,
  has,
  itWhere,
  literally,
  makeWorkspace,
  parseCommandFile,
  proxyHostname,
  proxyTls,
  runMain,
  runPost,
  served,
  uniqueName,
  visibleLog,
  world
} from './harness.js'

import type { Workspace } from './harness.js'

const { s, login, basicAuth } = setup()

describe('a login for the run', () => {
  it('logs in to the TLS registry, pushes, and leaves no credentials behind', async () => {
    const ws = makeWorkspace()
    const userConfig = fs.readFileSync(path.join(ws.home, '.docker/config.json'), 'utf8')
    const repository = `${s.tls}/${uniqueName('secure')}`
    const result = await runMain(ws, { images: repository, tags: 'v2', context: 'app', ...login })
    expect(result.code).toBe(0)
    expect(result.log).toContain(`::add-mask::${s.password}`)
    expect(result.log).toMatch(new RegExp(`^::group::Logging in to ${literally(s.tls)} as ship`, 'm'))
    await expectRegistryDigests(result, [repository], ['v2'])
    // The credentials were in this run's DOCKER_CONFIG only: it is gone after the main step.
    expect(result.state.temp.startsWith(ws.runnerTemp)).toBe(true)
    expect(fs.existsSync(result.state.temp)).toBe(false)
    expectNoCredentialsLeft(ws, result, userConfig)
    // The registry refuses an anonymous read, so the push above really used the login.
    expect((await fetchManifest(s.tls, repository.slice(s.tls.length + 1), 'v2')).status).toBe(401)
  })

  it('gives docker the password on standard input only, never in an argument', async () => {
    const ws = makeWorkspace()
    // A `docker` first on PATH that records every argument vector, then runs the world's CLI.
    const shim = dockerShim(ws)
    const repository = `${s.tls}/${uniqueName('argv')}`
    const result = await runMain(
      ws,
      { images: repository, tags: 'v1', context: 'app', ...login },
      { PATH: `${shim.dir}:${process.env.PATH}` }
    )
    expect(result.code).toBe(0)
    const calls = shim.calls()
    expect(calls).toContain(`login --username ${s.username} --password-stdin ${s.tls}`)
    // The engine pushes, or the builder outside it does (buildx build --push).
    expect(calls.some((c) => c.startsWith(has.remoteBuilder ? 'buildx build --push ' : 'push '))).toBe(true)
    expect(calls.filter((c) => c.includes(s.password) || c.includes(basicAuth))).toEqual([])
  })

  it('fails a wrong password with a clear error, builds nothing, and leaves nothing behind', async () => {
    const ws = makeWorkspace()
    const userConfig = fs.readFileSync(path.join(ws.home, '.docker/config.json'), 'utf8')
    const wrong = 'not-the-password-' + uniqueName('x')
    const result = await runMain(ws, {
      images: `${s.tls}/${uniqueName('denied')}`,
      context: 'app',
      registry: s.tls,
      username: s.username,
      password: wrong
    })
    expect(result.code).toBe(1)
    const errors = commands(result.log, 'error')
    expect(errors).toHaveLength(1)
    // Engine 26 tries a refused login to a loopback registry again over plain HTTP, and reports that 400.
    const refused = world.engine.startsWith('20.') ? '401 Unauthorized' : '400 Bad Request'
    expect(errors[0]).toMatch(
      new RegExp(
        `^::error::Login to ${literally(s.tls)} as ship failed: .*${refused}.*Check the username and password inputs`
      )
    )
    expect(result.log).not.toMatch(/\[command\]\S+ (buildx )?build/)
    expect(result.log).toContain(`::add-mask::${wrong}`)
    expect(visibleLog(result.log)).not.toContain(wrong)
    expect(result.outputs).toEqual({})
    expect(fs.readdirSync(ws.runnerTemp)).toEqual([])
    expect(fs.readFileSync(path.join(ws.home, '.docker/config.json'), 'utf8')).toBe(userConfig)
  })
})

describe('registry-auth: two registries that each need a login, in one step', () => {
  // The second registry is the TLS one again behind a proxy on another port: another
  // host to docker, which asks for its own login (and to BuildKit where it pushes).
  const proxy = new FaultProxy({
    upstream: `https://${s.tls}`,
    caFile: s.caFile,
    ...proxyTls(),
    hostname: proxyHostname()
  })
  let second = ''
  beforeAll(async () => {
    second = await proxy.start()
  })
  afterAll(() => proxy.close())

  it('logs in to both, pushes to both, and leaves no credential anywhere', async () => {
    const ws = makeWorkspace()
    const userConfig = fs.readFileSync(path.join(ws.home, '.docker/config.json'), 'utf8')
    const name = uniqueName('two-logins')
    const registryAuth = [
      `- registry: ${s.tls}`,
      `  username: ${s.username}`,
      `  password: ${s.password}`,
      `- registry: ${second}`,
      `  username: "${s.username}"`,
      `  password: '${s.password}'`
    ].join('\n')
    const result = await runMain(ws, {
      images: `${s.tls}/${name}\n${second}/${name}-2`,
      tags: 'v1',
      context: 'app',
      'registry-auth': registryAuth
    })
    expect({ code: result.code, errors: commands(result.log, 'error') }).toEqual({ code: 0, errors: [] })
    const groups = result.stdout.split('\n').filter((l) => l.startsWith('::group::Logging in'))
    expect(groups).toEqual([
      `::group::Logging in to ${s.tls} as ${s.username}`,
      `::group::Logging in to ${second} as ${s.username}`
    ])
    expect(result.log).toContain(`::add-mask::${s.password}`)
    const metadata = JSON.parse(result.outputs.metadata) as { images: { repository: string; digest: string }[] }
    expect(await served(s.tls, name, 'v1')).toBe(metadata.images[0].digest)
    expect(await served(s.tls, `${name}-2`, 'v1')).toBe(metadata.images[1].digest)
    expect(fs.readFileSync(path.join(ws.home, '.docker/config.json'), 'utf8')).toBe(userConfig)
    expectNoCredentials(ws, result)
  })
})

describe('keep-login', () => {
  it('lets a later step of the job pull the private image it pushed, and the post step removes the login', async () => {
    const ws = makeWorkspace()
    const envFile = path.join(ws.root, 'github-env')
    fs.writeFileSync(envFile, '')
    const repository = `${s.tls}/${uniqueName('keep')}`
    const result = await runMain(
      ws,
      { images: repository, tags: 'v1', context: 'app', 'keep-login': 'true', ...login },
      { GITHUB_ENV: envFile }
    )
    expect(result.code).toBe(0)
    const exported = parseCommandFile(fs.readFileSync(envFile, 'utf8'))
    expect(exported.DOCKER_CONFIG).toBe(path.join(result.state.temp, 'docker-config'))
    expect(exported.BUILDX_CONFIG).toBeDefined()
    // A later `run:` step, as the runner gives it the exported variables: the image is pulled from the registry.
    // (A builder outside the engine pushed it without loading it: there is no local copy to remove.)
    if (!has.remoteBuilder) docker(['image', 'rm', `${repository}:v1`])
    const later = { ...process.env, HOME: ws.home, DOCKER_CONFIG: exported.DOCKER_CONFIG }
    docker(['pull', `${repository}:v1`], later)
    // Without the kept login the same pull is refused: the registry wants one.
    docker(['image', 'rm', `${repository}:v1`])
    expect(dockerStatus(['pull', `${repository}:v1`])).not.toBe(0)
    // The post step, at the end of the job, removes the folder with the login.
    const post = await runPost(ws, result)
    expect(post.code).toBe(0)
    expect(fs.existsSync(exported.DOCKER_CONFIG)).toBe(false)
    expect(fs.readFileSync(path.join(ws.home, '.docker/config.json'), 'utf8')).not.toContain(s.tls)
  })
})

describe('the user’s credential store (credsStore) (issue 23: 9)', () => {
  // The second registry is the TLS one again behind a proxy on another port: another
  // host to docker, whose login the user's credential store holds.
  const proxy = new FaultProxy({ upstream: `https://${s.tls}`, caFile: s.caFile, ...proxyTls() })
  let second = ''
  beforeAll(async () => {
    second = await proxy.start()
  })
  afterAll(() => proxy.close())

  /**
   * A credential helper `docker-credential-shipfake` (what `credsStore: shipfake`
   * runs) holding the login of the second registry, and a user config that uses it.
   * Its calls are recorded: `get <server>`, `store <server>`, `list`, `erase <server>`.
   */
  function credentialStore(ws: Workspace): { dir: string; calls: () => string[] } {
    const dir = path.join(ws.root, 'helper-bin')
    const record = path.join(ws.root, 'helper-calls')
    fs.mkdirSync(dir)
    fs.writeFileSync(record, '')
    const script = [
      '#!/bin/sh',
      `calls=${JSON.stringify(record)}`,
      'case "$1" in',
      '  get)',
      '    read -r server',
      '    echo "get $server" >> "$calls"',
      `    if [ "$server" = ${JSON.stringify(second)} ] || [ "$server" = ${JSON.stringify(`https://${second}`)} ]; then`,
      `      printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}\\n' "$server" ${JSON.stringify(s.username)} ${JSON.stringify(s.password)}`,
      '    else echo "credentials not found in native keychain"; exit 1; fi ;;',
      '  store)',
      `    echo "store $(sed -n 's/.*"ServerURL":"\\([^"]*\\)".*/\\1/p')" >> "$calls" ;;`,
      '  list)',
      '    echo list >> "$calls"',
      `    printf '{"%s":"%s"}\\n' ${JSON.stringify(second)} ${JSON.stringify(s.username)} ;;`,
      '  erase)',
      '    read -r server',
      '    echo "erase $server" >> "$calls" ;;',
      'esac',
      ''
    ]
    fs.writeFileSync(path.join(dir, 'docker-credential-shipfake'), script.join('\n'), { mode: 0o755 })
    fs.writeFileSync(
      path.join(ws.home, '.docker/config.json'),
      JSON.stringify({ auths: { [second]: {} }, credsStore: 'shipfake' }, null, 2)
    )
    return {
      dir,
      calls: () =>
        fs
          .readFileSync(record, 'utf8')
          .split('\n')
          .filter((l) => l !== '')
    }
  }

  /** A private image on the second registry (pushed to the TLS one, which it is). */
  async function privateImage(prefix: string): Promise<string> {
    const name = uniqueName(prefix)
    const pushed = await runMain(makeWorkspace(), { images: `${s.tls}/${name}`, tags: 'v1', context: 'app', ...login })
    expect(pushed.code).toBe(0)
    return name
  }

  it('keeps the logins it holds for the later steps of a keep-login run', async () => {
    const name = await privateImage('in-store')
    const ws = makeWorkspace()
    const store = credentialStore(ws)
    const userConfig = fs.readFileSync(path.join(ws.home, '.docker/config.json'), 'utf8')
    const envFile = path.join(ws.root, 'github-env')
    fs.writeFileSync(envFile, '')
    const PATH = `${store.dir}:${process.env.PATH}`
    const result = await runMain(
      ws,
      { images: `${s.tls}/${uniqueName('keep-store')}`, tags: 'v1', context: 'app', 'keep-login': 'true', ...login },
      { GITHUB_ENV: envFile, PATH }
    )
    expect(result.code).toBe(0)
    const exported = parseCommandFile(fs.readFileSync(envFile, 'utf8'))
    // A later `run:` step pulls from the registry whose login is in the user's store.
    const later = { ...process.env, HOME: ws.home, DOCKER_CONFIG: exported.DOCKER_CONFIG, PATH }
    const pulled = await dockerAsync(['pull', `${second}/${name}:v1`], later)
    expect({ code: pulled.code, stderr: pulled.stderr }).toEqual({ code: 0, stderr: '' })
    expect(store.calls()).toContain(`get ${second}`)
    // The run's own login went into its own file, not into the user's store; the user's config is as it was.
    expect(store.calls().filter((c) => c.startsWith('store') || c.startsWith('erase'))).toEqual([])
    expect(fs.readFileSync(path.join(ws.home, '.docker/config.json'), 'utf8')).toBe(userConfig)
    expect(fs.readFileSync(path.join(exported.DOCKER_CONFIG, 'config.json'), 'utf8')).not.toContain(s.password)
    expect((await runPost(ws, result)).code).toBe(0)
  })

  // The engine (classic builder) or its BuildKit (docker driver) pulls the base image with the CLI's logins.
  itWhere(
    !has.remoteBuilder,
    'the builder outside the engine speaks plain HTTP to a registry on a loopback port, where this second registry speaks TLS'
  )('keeps the logins it holds for the build: FROM a private image of another registry', async () => {
    const name = await privateImage('base-in-store')
    const ws = makeWorkspace(`FROM ${second}/${name}:v1\nLABEL from=the-store\n`)
    const store = credentialStore(ws)
    const result = await runMain(
      ws,
      { images: `${s.tls}/${uniqueName('built-from-store')}`, tags: 'v1', context: 'app', ...login },
      { PATH: `${store.dir}:${process.env.PATH}` }
    )
    expect({ code: result.code, errors: commands(result.log, 'error') }).toEqual({ code: 0, errors: [] })
    // The base image's login came from the user's store.
    expect(store.calls().filter((c) => c === `get ${second}` || c === 'list')).not.toEqual([])
    expect(store.calls().filter((c) => c.startsWith('store') || c.startsWith('erase'))).toEqual([])
  })
})

describe('the user docker setup stays usable', () => {
  // Real buildx, found through this run's DOCKER_CONFIG (the login makes one; its
  // cli-plugins and contexts are the user's), with the user's builders through
  // BUILDX_CONFIG.
  itWhere(has.buildx, 'no buildx to find')(
    'finds buildx through this run’s DOCKER_CONFIG, and keeps its state in the user’s BUILDX_CONFIG',
    async () => {
      const ws = makeWorkspace()
      const repository = `${s.tls}/${uniqueName('plugin')}`
      const result = await runMain(ws, { images: repository, tags: 'p1', context: 'app', ...login })
      expect(result.code).toBe(0)
      // (--load and docker push, or --push: builds.test.ts's builder outside the engine says which.)
      expect(result.log).toMatch(/\[command\]\S+docker buildx build --(load|push) --provenance=false --file /)
      // The current builder: buildx's docker driver, or the one setup-buildx-action made current.
      expect(result.log).toContain(
        `building with "${world.builder!.name}" instance using ${world.builder!.driver} driver`
      )
      await expectRegistryDigests(result, [repository], ['p1'])
      // The run's own config folder is gone; buildx wrote its state into the user's buildx folder.
      expect(fs.existsSync(result.state.temp)).toBe(false)
      expect(fs.readdirSync(path.join(ws.home, '.docker/buildx'))).toEqual(expect.arrayContaining(['activity']))
    }
  )

  // A builder that does not exist is buildx's error; the builder world runs a real one (the next test).
  itWhere(has.buildx, 'without buildx the builder input is refused as an input (inputs.test.ts)')(
    'passes builder to buildx, which names a builder it does not have',
    async () => {
      const ws = makeWorkspace()
      const shim = dockerShim(ws)
      const repository = `${s.plain}/${uniqueName('builder')}`
      const result = await runMain(
        ws,
        { images: repository, tags: 'b1', context: 'app', builder: 'no-such-builder' },
        { PATH: `${shim.dir}:${process.env.PATH}` }
      )
      expect(result.code).toBe(1)
      expect(shim.calls().find((c) => c.startsWith('buildx build '))).toMatch(
        /^buildx build --builder no-such-builder --load /
      )
      expect(commands(result.log, 'error')).toEqual([expect.stringContaining('no-such-builder')])
    }
  )

  itWhere(has.remoteBuilder, 'the builder world has the only builder besides buildx’s default one')(
    'builds on the builder it is given, when another one is current',
    async () => {
      const ws = makeWorkspace()
      // buildx's own default (the engine's docker driver) is current, as without setup-buildx-action's `use`.
      fs.rmSync(path.join(ws.home, '.docker/buildx/current'))
      expect(dockerIn(ws, ['buildx', 'inspect'])).toMatch(/^Driver: +docker$/m)
      const name = world.builder!.name
      const repository = `${s.tls}/${uniqueName('named-builder')}`
      const result = await runMain(ws, { images: repository, tags: 'b1', context: 'app', builder: name, ...login })
      expect(result.code).toBe(0)
      expect(result.log).toMatch(new RegExp(`\\[command\\]\\S+docker buildx build --builder ${name} `))
      expect(result.log).toContain(`building with "${name}" instance using remote driver`)
      await expectRegistryDigests(result, [repository], ['b1'])
    }
  )

  it('uses the logins already in the user’s config when it is given no credentials', async () => {
    const ws = makeWorkspace()
    const config = path.join(ws.home, '.docker/config.json')
    fs.writeFileSync(config, JSON.stringify({ auths: { [s.tls]: { auth: basicAuth } } }))
    const before = fs.readFileSync(config, 'utf8')
    const repository = `${s.tls}/${uniqueName('prelogged')}`
    const result = await runMain(ws, { images: repository, tags: 'x', context: 'app' })
    expect(result.code).toBe(0)
    expect(result.log).not.toContain('Logging in')
    await expectRegistryDigests(result, [repository], ['x'])
    expect(fs.readFileSync(config, 'utf8')).toBe(before)
  })
})

describe('a build context that holds RUNNER_TEMP', () => {
  it('keeps the run’s login out of the image: COPY . finds no docker config', async () => {
    const ws = makeWorkspace()
    // The hosted layout: the workspace and RUNNER_TEMP side by side, and `context: ..` holds both.
    fs.writeFileSync(path.join(ws.root, 'Dockerfile'), `FROM ${s.baseImage}\nCOPY . /ctx\n`)
    const repository = `${s.tls}/${uniqueName('ctxtemp')}`
    const result = await runMain(ws, { images: repository, tags: 'v1', context: '..', file: '../Dockerfile', ...login })
    expect(result.code).toBe(0)
    expect(result.state.temp.startsWith(ws.root)).toBe(false)
    // A builder outside the engine pushed it without loading it: the engine pulls it, with a login.
    if (has.remoteBuilder) {
      const config = path.join(ws.root, 'reader-config')
      fs.mkdirSync(config)
      fs.writeFileSync(path.join(config, 'config.json'), JSON.stringify({ auths: { [s.tls]: { auth: basicAuth } } }))
      docker(['pull', `${repository}:v1`], { ...process.env, DOCKER_CONFIG: config })
    }
    const found = docker(['run', '--rm', '--network', 'none', `${repository}:v1`, 'sh', '-c', 'ls -R /ctx'])
    expect(found).not.toMatch(/docker-config|config\.json/)
    expect(found).toContain('runner-temp')
    const post = await runPost(ws, result)
    expect(post.code).toBe(0)
    expect(fs.existsSync(result.state.temp)).toBe(false)
  })
})

describe('the run’s children', () => {
  it('children of the run get no INPUT_* variable: docker and pigz see neither the password nor the secrets', async () => {
    const ws = makeWorkspace(`FROM ${s.baseImage}\nRUN --mount=type=secret,id=tok true\n`)
    const dumps = path.join(ws.root, 'env-dumps')
    fs.mkdirSync(dumps)
    const shim = dockerShim(ws, { target: '/usr/bin/docker', before: `env > ${JSON.stringify(dumps)}/docker-$$` })
    // A pigz first on PATH that dumps its environment, then compresses.
    const pigz = spawnSync('sh', ['-c', 'command -v pigz'], { encoding: 'utf8' }).stdout.trim()
    fs.writeFileSync(
      path.join(shim.dir, 'pigz'),
      `#!/bin/sh\nenv > ${JSON.stringify(dumps)}/pigz-$$\nexec ${pigz} "$@"\n`,
      {
        mode: 0o755
      }
    )
    const secret = `s3cr3t-${randomBytes(6).toString('hex')}`
    const result = await runMain(
      ws,
      {
        images: `${s.tls}/${uniqueName('envdump')}`,
        context: 'app',
        network: 'host',
        secrets: `tok=${secret}`,
        save: 'i.tar.gz',
        ...login
      },
      { PATH: `${shim.dir}:/usr/bin:${process.env.PATH}`, DOCKER_BUILDKIT: '1' }
    )
    expect(result.code).toBe(0)
    const files = fs.readdirSync(dumps)
    expect(files.some((f) => f.startsWith('pigz-'))).toBe(true)
    expect(files.filter((f) => f.startsWith('docker-')).length).toBeGreaterThan(2)
    for (const file of files) {
      const text = fs.readFileSync(path.join(dumps, file), 'utf8')
      expect({ file, inputs: text.split('\n').filter((l) => l.startsWith('INPUT_')) }).toEqual({ file, inputs: [] })
      expect({ file, password: text.includes(s.password) }).toEqual({ file, password: false })
      // The build's own environment carries the secret by design (--secret id=tok,env=SHIP_IMAGE_SECRET_1); no other.
      const isBuild = text.includes('SHIP_IMAGE_SECRET_1=')
      expect({ file, secret: text.includes(secret) }).toEqual({ file, secret: isBuild })
    }
  })
})
