// What users read, end to end: the job summary (tables, times, the tarball's docker load
// line, what a failure leaves behind), the dry run, the log's groups and its noise,
// and build output that tries to start a workflow command.
import { describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {
  setup,
  commands,
  docker,
  dockerShim,
  eventEnv,
  fetchManifest,
  has,
  itWhere,
  makeWorkspace,
  parseCommandFile,
  runMain,
  uniqueName,
  visibleLog,
  world
} from './harness.js'

const { s, login } = setup()

describe('job summary', () => {
  it('has a table per repository, the phase times and the tarball, and nothing secret', async () => {
    const ws = makeWorkspace()
    const repositories = [`${s.plain}/${uniqueName('summary')}`, `${s.tls}/${uniqueName('summary')}`]
    const result = await runMain(ws, {
      images: repositories.join('\n'),
      tags: 'v1, latest',
      context: 'app',
      save: 'out/image.tar.gz',
      ...login
    })
    expect(result.code).toBe(0)
    const summary = fs.readFileSync(ws.summaryFile, 'utf8')
    const metadata = JSON.parse(result.outputs.metadata) as { images: { repository: string; digest: string }[] }
    expect(summary).toContain('### ship-image: pushed 2 repositories, saved a tarball')
    expect(summary).toContain('| repository | tags | digest | image size in the engine |')
    for (const image of metadata.images) {
      const row = summary.split('\n').find((l) => l.startsWith(`| \`${image.repository}\` |`))
      expect(row).toBeDefined()
      expect(row).toContain('`v1` `latest`')
      expect(row).toContain(`| \`${image.digest.slice(0, 19)}…\` |`)
      // A builder outside the engine pushed it itself: its size in the engine is not known.
      expect(row).toMatch(has.remoteBuilder ? /\| — \|$/ : /\| \d+(\.\d+)? (B|KB|MB) \|$/)
    }
    // Each repo@digest whole, in a block that can be copied.
    expect(summary).toContain(`\`\`\`text\n${result.outputs.refs}\n\`\`\``)
    expect(summary).toMatch(/\| login \| build \| save \| push \| total \|\n\|---\|---\|---\|---\|---\|\n\| \d+ (ms|s)/)
    const tarball = path.join(ws.workspace, 'out/image.tar.gz')
    expect(summary).toContain(`**Tarball** \`image.tar.gz\`: tarball size on disk `)
    expect(summary).toContain(`This job wrote it to \`${tarball}\``)
    expect(summary).toContain(`\`\`\`sh\ndocker load --input image.tar.gz\n\`\`\``)
    expect(summary).not.toContain(s.password)
    // The closing line lists what was pushed and saved.
    const last = result.stdout.trim().split('\n').pop()
    expect(last).toBe(
      `ship-image: ${result.outputs.refs
        .split('\n')
        .map((r) => `pushed ${r}`)
        .join('; ')}; saved ${tarball} (${last!.match(/\(([^)]+)\)\.$/)![1]}).`
    )
  })

  it('is not written with summary: false', async () => {
    const ws = makeWorkspace()
    const result = await runMain(ws, {
      images: `${s.plain}/${uniqueName('nosummary')}`,
      context: 'app',
      summary: 'false'
    })
    expect(result.code).toBe(0)
    expect(fs.readFileSync(ws.summaryFile, 'utf8')).toBe('')
  })
})

describe('the job summary', () => {
  it('names the step, the builder, the platform, the cache hits and the total time', async () => {
    const sha = 'c0ffee00112233445566778899aabbccddeeff00'
    const payload = { head_commit: { id: sha, timestamp: '2025-03-04T05:06:07+01:00' } }
    const repository = `${s.plain}/${uniqueName('summary')}`
    const first = makeWorkspace()
    const dockerfile = fs.readFileSync(path.join(first.workspace, 'app/Dockerfile'), 'utf8')
    const inputs = { images: repository, context: 'app', save: 'dist/image.tar.gz' }
    expect((await runMain(first, inputs, eventEnv(first, 'push', 'refs/heads/main', sha, payload))).code).toBe(0)
    const ws = makeWorkspace(dockerfile)
    const result = await runMain(ws, inputs, {
      ...eventEnv(ws, 'push', 'refs/heads/main', sha, payload),
      GITHUB_ACTION: '__ship-image_ship-image_2'
    })
    expect(result.code).toBe(0)
    const summary = fs.readFileSync(ws.summaryFile, 'utf8')
    const lines = summary.split('\n')
    expect(lines[0]).toBe('### ship-image `__ship-image_ship-image_2`: pushed 1 repository, saved a tarball')
    // The same commit again: every step from the cache.
    const made = lines[2].match(
      /^Version `main` · built `app\/Dockerfile` with (buildx|the classic builder) for the engine's platform · (\d+) of (\d+) steps cached · \d+(\.\d)? m?s in all\.$/
    )
    expect(made).not.toBeNull()
    expect(made![2]).toBe(made![3])
    expect(summary).toContain('| repository | tags | digest | image size in the engine |')
    expect(summary).toContain(`\`\`\`text\n${result.outputs.refs}\n\`\`\``)
    expect(summary).toContain('**Tarball** `image.tar.gz`: tarball size on disk ')
    expect(summary).toContain(`This job wrote it to \`${path.join(ws.workspace, 'dist/image.tar.gz')}\``)
    expect(summary).toContain('```sh\ndocker load --input image.tar.gz\n```')
  })
})

describe('the tarball’s docker load line', () => {
  it('the summary quotes the docker load line, and a path with backticks cannot break out of its code', async () => {
    const ws = makeWorkspace()
    const name = "we``` ird <b>it's<b>.tar"
    const result = await runMain(ws, {
      images: `${s.plain}/${uniqueName('quote')}`,
      context: 'app',
      push: 'false',
      save: name
    })
    expect(result.code).toBe(0)
    const summary = fs.readFileSync(ws.summaryFile, 'utf8')
    const file = path.join(ws.workspace, name)
    // The line a job that downloads the artifact runs: the tarball's name, quoted; where this job wrote it, in a code span.
    expect(summary).toContain(['````sh', `docker load --input '${name.replace(/'/g, "'\\''")}'`, '````'].join('\n'))
    expect(summary).toContain(`This job wrote it to \`\`\`\`${file}\`\`\`\`;`)
    expect(summary).not.toMatch(/^```\s*$/m)
    expect(spawnSync('sh', ['-c', `test -f '${file.replace(/'/g, "'\\''")}'`]).status).toBe(0)
  })
  it('says zstd for a .tar.zst, and its line loads the tarball on this engine (issue 23: 11)', async () => {
    const ws = makeWorkspace()
    const repository = `${s.plain}/${uniqueName('zstd-line')}`
    const result = await runMain(ws, {
      images: repository,
      tags: 'v1',
      context: 'app',
      push: 'false',
      save: 'out/image.tar.zst'
    })
    expect(result.code).toBe(0)
    const summary = fs.readFileSync(ws.summaryFile, 'utf8')
    expect(summary).not.toContain('gzip by zstd')
    expect(summary).toMatch(/^\*\*Tarball\*\* `image\.tar\.zst`: .*\bzstd\b/m)
    const line = /^```sh\n(.+)\n```$/m.exec(summary)?.[1]
    expect(line).toBeDefined()
    // The job that downloads the artifact runs the line beside it, with this engine (20.10 reads no zstd itself).
    docker(['image', 'rm', `${repository}:v1`])
    const loaded = spawnSync('sh', ['-c', line!], {
      cwd: path.join(ws.workspace, 'out'),
      encoding: 'utf8',
      env: process.env // this world's engine (Jest gives a child the process's own environment otherwise)
    })
    expect({ line, status: loaded.status, stderr: loaded.stderr }).toEqual({ line, status: 0, stderr: '' })
    expect(docker(['image', 'inspect', '--format', '{{.Id}}', `${repository}:v1`])).toBe(result.outputs.imageid)
  })
})

describe('build output that tries to start a workflow command (issue 23: 10)', () => {
  itWhere(
    has.classicBuilder,
    'BuildKit starts each line of a RUN step’s output with its step and time (#5 0.2 ::warning::…), so none is a workflow command'
  )('reaches the log only where the runner takes no workflow command (::stop-commands::)', async () => {
    const ws = makeWorkspace(
      [`FROM ${s.baseImage}`, `RUN echo ${uniqueName('run')} && echo '::warning title=FROM-THE-BUILD::boo'`, ''].join(
        '\n'
      )
    )
    const result = await runMain(ws, {
      images: `${s.plain}/${uniqueName('stop-commands')}`,
      context: 'app',
      push: 'false'
    })
    expect(result.code).toBe(0)
    const injected = (l: string): boolean => l.startsWith('::warning title=FROM-THE-BUILD::')
    // Every line of docker's output goes to the step's standard output: none of it is elsewhere.
    const lines = result.stdout.split(/\r?\n/)
    expect(result.log.split(/\r?\n/).filter(injected).length).toBe(lines.filter(injected).length)
    const raw = lines.flatMap((l, i) => (injected(l) ? [i] : []))
    expect(raw.length).toBeGreaterThan(0)
    for (const at of raw) {
      // The section it is in: the last ::stop-commands::<token> before it, not ended by ::<token>:: before it.
      const stop = lines.slice(0, at).reduce((last, l, i) => (l.startsWith('::stop-commands::') ? i : last), -1)
      expect(stop).toBeGreaterThanOrEqual(0)
      const token = lines[stop].slice('::stop-commands::'.length)
      expect(token).toMatch(/^[0-9a-f-]{16,}$/)
      const resumed = lines.indexOf(`::${token}::`, stop)
      expect({ line: lines[at], sectionEndsAfterIt: resumed > at }).toEqual({
        line: lines[at],
        sectionEndsAfterIt: true
      })
    }
    // The runner obeys no workflow command of the build's: the step made no warning of its own.
    expect(commands(result.log, 'warning').filter((w) => !injected(w))).toEqual([])
  })
})

describe('what a failure leaves behind', () => {
  it('a failed build: a summary with the phase and the error, and no outputs (nothing is live)', async () => {
    const ws = makeWorkspace(
      [`FROM ${s.baseImage}`, 'RUN echo "compiling…"; echo "error: no such file"; exit 2', ''].join('\n')
    )
    const result = await runMain(
      ws,
      { images: `${s.plain}/${uniqueName('failed')}`, context: 'app' },
      { GITHUB_ACTION: 'build-image' }
    )
    expect(result.code).toBe(1)
    const summary = fs.readFileSync(ws.summaryFile, 'utf8')
    expect(summary).toContain('### ship-image `build-image`: failed in the build phase, nothing pushed\n')
    expect(summary).toContain(
      [
        '**Failed in the build phase.**',
        '',
        '```text',
        `app/Dockerfile:2: RUN echo "compiling…"; echo "error: no such file"; exit 2 failed: exit code 2`,
        '  compiling…',
        '  error: no such file',
        '```'
      ].join('\n')
    )
    expect(summary).toMatch(/\| build \| total \|\n\|---\|---\|\n\| \d+(\.\d)? m?s \| \d+(\.\d)? m?s \|/)
    expect(result.outputs).toEqual({})
  })

  it('a push that one registry refuses: the outputs and the summary of the repository that was pushed', async () => {
    const ws = makeWorkspace()
    const pushedRepo = `${s.plain}/${uniqueName('partly')}`
    const refusedRepo = `${s.tls}/${uniqueName('partly')}`
    // No credentials: the plain registry takes the push, the TLS one wants a login.
    const result = await runMain(
      ws,
      { images: `${pushedRepo}\n${refusedRepo}`, tags: 'v1', context: 'app' },
      { GITHUB_ACTION: 'publish' }
    )
    expect(result.code).toBe(1)
    // docker push's words, or BuildKit's when the builder outside the engine pushes.
    const refused = has.remoteBuilder ? '401 Unauthorized' : 'no basic auth credentials'
    expect(commands(result.log, 'error')).toEqual([expect.stringContaining(refused)])
    const live = await fetchManifest(s.plain, pushedRepo.slice(s.plain.length + 1), 'v1')
    expect(live.status).toBe(200)
    // The outputs say what is live, for an `if: failure()` step.
    expect(result.outputs.refs).toBe(`${pushedRepo}@${live.header}`)
    expect(result.outputs.digest).toBe(live.header)
    expect(result.outputs.tags).toBe(`${pushedRepo}:v1\n${refusedRepo}:v1`)
    const metadata = JSON.parse(result.outputs.metadata) as { images: { repository: string; digest: string | null }[] }
    expect(metadata.images.map((i) => [i.repository, i.digest])).toEqual([
      [pushedRepo, live.header],
      [refusedRepo, null]
    ])
    const summary = fs.readFileSync(ws.summaryFile, 'utf8')
    // A builder outside the engine pushes in its build (each name in turn): the build phase failed.
    const phase = has.remoteBuilder ? 'build' : 'push'
    expect(summary).toContain(`### ship-image \`publish\`: failed in the ${phase} phase, pushed 1 repository\n`)
    expect(summary).toContain(`**Failed in the ${phase} phase.** What it did before is live, in the outputs and below.`)
    expect(summary).toContain(`\`\`\`text\n${pushedRepo}@${live.header}\n\`\`\``)
    expect(summary).toContain(`| \`${refusedRepo}\` | \`v1\` | — |`)
  })
})

describe('dry run', () => {
  it('prints the commands with secrets masked, sets tags, version and metadata, and runs no docker command', async () => {
    const ws = makeWorkspace(`FROM ${s.baseImage}\nRUN --mount=type=secret,id=token cat /run/secrets/token\n`)
    const shim = dockerShim(ws)
    // buildx as the dry run sees it: a plugin in the user's cli-plugins (it is never run). A
    // workspace of a world with buildx has the real one there already.
    if (world.pluginsDir === null) {
      fs.mkdirSync(path.join(ws.home, '.docker/cli-plugins'))
      fs.writeFileSync(path.join(ws.home, '.docker/cli-plugins/docker-buildx'), '#!/bin/sh\nexit 1\n', {
        mode: 0o755
      })
    }
    const repository = `${s.tls}/${uniqueName('dry')}`
    const sha = 'abcdef0123456789abcdef0123456789abcdef01'
    const result = await runMain(
      ws,
      {
        images: repository,
        context: 'app',
        'dry-run': 'true',
        save: 'image.tar.gz',
        secrets: 'token=s3cr3t-dry-value',
        ...login
      },
      {
        PATH: `${shim.dir}:${process.env.PATH}`,
        GITHUB_EVENT_NAME: 'push',
        GITHUB_REF: 'refs/tags/v2.1.0',
        GITHUB_SHA: sha,
        GITHUB_REPOSITORY: 'octo/app'
      }
    )
    expect(result.code).toBe(0)
    expect(shim.calls()).toEqual([])
    const tags = ['2.1.0', '2.1', '2', 'latest', 'sha-abcdef0']
    expect(result.outputs.tags).toBe(tags.map((t) => `${repository}:${t}`).join('\n'))
    expect(result.outputs.version).toBe('2.1.0')
    expect(result.outputs.digest).toBeUndefined()
    const metadata = JSON.parse(result.outputs.metadata) as {
      images: { digest: null; tags: { digest: null }[] }[]
      labels: Record<string, string>
    }
    expect(metadata.images[0].digest).toBeNull()
    expect(metadata.labels['org.opencontainers.image.version']).toBe('2.1.0')
    const log = visibleLog(result.log)
    expect(log).toContain('::group::Dry run: the docker commands this run would make')
    expect(log).toContain(`echo '***' | docker login --username ${s.username} --password-stdin ${s.tls}`)
    expect(log).toMatch(
      new RegExp(
        `^SHIP_IMAGE_SECRET_1='\\*\\*\\*' docker buildx build ${has.remoteBuilder ? '--push --load' : '--load'} .* --tag ${repository}:2\\.1\\.0 .*--secret id=token,env=SHIP_IMAGE_SECRET_1 `,
        'm'
      )
    )
    // The engine pushes each tag, or the builder outside it pushed them all in the build.
    for (const t of tags) expect(log.includes(`docker push ${repository}:${t}`)).toBe(!has.remoteBuilder)
    // pigz where it is installed (services.sh installs it, as GitHub's runners have it).
    expect(log).toContain('| pigz -3 > ')
    expect(log).not.toContain(s.password)
    expect(log).not.toContain('s3cr3t-dry-value')
    expect(fs.readdirSync(ws.runnerTemp)).toEqual([])
    expect(fs.existsSync(path.join(ws.workspace, 'image.tar.gz'))).toBe(false)
    expect(fs.readFileSync(ws.summaryFile, 'utf8')).toContain('### ship-image: dry run: nothing was run')
  })
})

describe('logs', () => {
  it('has one group per phase, each saying what happens to which reference', async () => {
    const ws = makeWorkspace()
    const repository = `${s.tls}/${uniqueName('groups')}`
    const result = await runMain(ws, { images: repository, tags: 'v1', context: 'app', save: 'i.tar', ...login })
    expect(result.code).toBe(0)
    const groups = result.stdout.split('\n').filter((l) => l.startsWith('::group::'))
    const saving = `::group::Saving 1 reference to ${path.join(ws.workspace, 'i.tar')}`
    expect(groups).toEqual(
      has.remoteBuilder
        ? [
            `::group::Logging in to ${s.tls} as ${s.username}`,
            `::group::Building and pushing ${repository}:v1`,
            '::group::Reading back 1 repository from the registry',
            saving
          ]
        : [
            `::group::Logging in to ${s.tls} as ${s.username}`,
            `::group::Building ${repository}:v1`,
            saving,
            `::group::Pushing ${repository}:v1`
          ]
    )
    expect(result.stdout.split('\n').filter((l) => l === '::endgroup::')).toHaveLength(groups.length)
  })

  it('names every reference in the push group of several', async () => {
    const ws = makeWorkspace()
    const repository = `${s.plain}/${uniqueName('groups')}`
    const result = await runMain(ws, { images: repository, tags: 'a, b', context: 'app', summary: 'false' })
    expect(result.code).toBe(0)
    // The title is cut to 120 characters; the whole list is the group's first line. A builder
    // outside the engine pushes in the build: its group names them.
    if (has.remoteBuilder)
      expect(result.stdout).toContain(`::group::Building and pushing ${repository}:a, ${repository}:b\n`)
    else
      expect(result.stdout).toContain(
        `::group::Pushing 2 references, up to 4 at a time: ${repository}:a, … (1 more)\nPushing 2 references, up to 4 at a time: ${repository}:a, ${repository}:b\n`
      )
  })
})

describe('log noise', () => {
  // Only the classic builder has the message.
  itWhere(has.classicBuilder, 'buildx builds with BuildKit, not the classic builder')(
    'says "classic builder" once per job, as a notice: a later step of the job sees the marker',
    async () => {
      const ws = makeWorkspace()
      const envFile = path.join(ws.root, 'github-env')
      fs.writeFileSync(envFile, '')
      const inputs = { images: `${s.plain}/${uniqueName('noise')}`, context: 'app', push: 'false', summary: 'false' }
      const first = await runMain(ws, inputs, { GITHUB_ENV: envFile })
      expect(first.code).toBe(0)
      const classic = (log: string) =>
        [...commands(log, 'warning'), ...commands(log, 'notice')].filter((l) => l.includes('classic builder'))
      expect(classic(first.log)).toEqual([expect.stringMatching(/^::notice::docker build here is the classic builder/)])
      // The runner gives the next steps of the job what a step wrote to GITHUB_ENV.
      const exported = parseCommandFile(fs.readFileSync(envFile, 'utf8'))
      expect(exported).toEqual({ SHIP_IMAGE_CLASSIC_BUILDER_NOTED: 'true' })
      const second = await runMain(ws, inputs, { GITHUB_ENV: envFile, ...exported })
      expect(second.code).toBe(0)
      expect(classic(second.log)).toEqual([])
    }
  )

  it('keeps group titles to 120 characters, the whole list inside, and says "manifest unknown" once', async () => {
    const ws = makeWorkspace()
    const repository = `${s.plain}/${uniqueName('octo-org-long-repository-name')}`
    const tags = Array.from({ length: 8 }, (_, i) => `release-candidate-${i}`)
    const result = await runMain(ws, {
      images: repository,
      tags: tags.join(','),
      context: 'app',
      'cache-from': `${repository}:main`,
      summary: 'false'
    })
    expect(result.code).toBe(0)
    const lines = result.stdout.split('\n')
    const groups = lines.filter((l) => l.startsWith('::group::'))
    expect(groups.length).toBeGreaterThanOrEqual(2)
    for (const group of groups) expect(group.length - '::group::'.length).toBeLessThanOrEqual(120)
    const building = lines.findIndex((l) => l.startsWith('::group::Building '))
    expect(lines[building]).toMatch(/, … \(\d+ more\)$/)
    const title = has.remoteBuilder ? 'Building and pushing' : 'Building'
    expect(lines[building + 1]).toBe(`${title} ${tags.map((t) => `${repository}:${t}`).join(', ')}`)
    // The classic builder pulls cache-from first (BuildKit reads it from the registry and says so in its own output).
    const pulled = result.log.includes(`pull ${repository}:main`)
    expect(commands(result.log, 'notice').filter((n) => n.includes('cache-from'))).toEqual(
      pulled
        ? [
            `::notice::cache-from: ${repository}:main could not be pulled: it is not in the registry (yet: on a first run, or before that tag is pushed); building without it.`
          ]
        : []
    )
    // docker's own output says it twice; what the action says, once.
    const said = ['error', 'warning', 'notice'].flatMap((kind) => commands(result.log, kind))
    expect(said.join('\n')).not.toMatch(/manifest unknown: manifest unknown/)
  })
})
