// What users see, end to end: the job summary, Dockerfile annotations, the dry run,
// grouped logs and the closing line. Real engine and registries.
import { afterAll, describe, expect, it } from '@jest/globals'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {
  buildkit,
  commands,
  dockerShim,
  has,
  itWhere,
  makeWorkspace,
  removeWorkspaces,
  runMain,
  services,
  uniqueName,
  visibleLog,
  world
} from './harness.js'

const s = services()
const login = { registry: s.tls, username: s.username, password: s.password }

afterAll(removeWorkspaces)

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
      expect(row).toMatch(/\| \d+(\.\d+)? (B|KB|MB) \|$/)
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

describe('Dockerfile annotations', () => {
  const dockerfile = (bad: string): string => [`FROM ${s.baseImage}`, 'COPY hello.txt /hello.txt', bad, ''].join('\n')

  // The classic builder's words and its deprecation warning.
  itWhere(has.classicBuilder, 'buildx builds with BuildKit: no classic builder here')(
    'puts a failing RUN on its line (classic builder)',
    async () => {
      const ws = makeWorkspace(dockerfile('RUN exit 3'))
      const result = await runMain(ws, { images: `${s.plain}/${uniqueName('annotate')}`, context: 'app' })
      expect(result.code).toBe(1)
      expect(commands(result.log, 'error')).toEqual([
        '::error title=docker build failed,file=app/Dockerfile,line=3::app/Dockerfile:3: RUN exit 3 failed: exit code 3'
      ])
      expect(commands(result.log, 'warning')).toEqual([])
      expect(commands(result.log, 'notice')).toEqual([
        expect.stringContaining('classic builder, which Docker has deprecated')
      ])
    }
  )

  it('puts a failing RUN on its line (BuildKit)', async () => {
    const ws = makeWorkspace(dockerfile('RUN exit 3'))
    const result = await runMain(
      ws,
      { images: `${s.plain}/${uniqueName('annotate')}`, context: 'app', network: 'host' },
      buildkit()
    )
    expect(result.code).toBe(1)
    expect(commands(result.log, 'error')).toEqual([
      '::error title=docker build failed,file=app/Dockerfile,line=3::app/Dockerfile:3: RUN exit 3 failed: exit code 3'
    ])
    expect(commands(result.log, 'warning')).toEqual([])
  })

  it('puts an unknown instruction on its line (BuildKit)', async () => {
    const ws = makeWorkspace(dockerfile('RUNN exit 3'))
    const result = await runMain(
      ws,
      { images: `${s.plain}/${uniqueName('annotate')}`, context: 'app', network: 'host' },
      buildkit()
    )
    expect(result.code).toBe(1)
    // buildx's Dockerfile frontend adds a suggestion the CLI's built-in BuildKit does not.
    const suggestion = has.buildx ? ' (did you mean RUN?)' : ''
    expect(commands(result.log, 'error')).toEqual([
      `::error title=docker build failed,file=app/Dockerfile,line=3::app/Dockerfile:3: Dockerfile parse error: unknown instruction: RUNN${suggestion}`
    ])
    expect(commands(result.log, 'warning')).toEqual([])
  })

  it('puts a failing RUN of a Dockerfile given by file on its line (BuildKit)', async () => {
    const ws = makeWorkspace()
    fs.mkdirSync(path.join(ws.workspace, 'docker'))
    fs.writeFileSync(
      path.join(ws.workspace, 'docker/prod.Dockerfile'),
      [`FROM ${s.baseImage}`, '# fails', 'RUN echo start \\', '  && exit 4', ''].join('\n')
    )
    const result = await runMain(
      ws,
      {
        images: `${s.plain}/${uniqueName('annotate')}`,
        context: 'app',
        file: 'docker/prod.Dockerfile',
        network: 'host'
      },
      buildkit()
    )
    expect(result.code).toBe(1)
    expect(commands(result.log, 'error')).toEqual([
      '::error title=docker build failed,file=docker/prod.Dockerfile,line=3::docker/prod.Dockerfile:3: RUN echo start && exit 4 failed: exit code 4%0A  start'
    ])
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
        `^SHIP_IMAGE_SECRET_1='\\*\\*\\*' docker buildx build --load .* --tag ${repository}:2\\.1\\.0 .*--secret id=token,env=SHIP_IMAGE_SECRET_1 `,
        'm'
      )
    )
    for (const t of tags) expect(log).toContain(`docker push ${repository}:${t}`)
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
    expect(groups).toEqual([
      `::group::Logging in to ${s.tls} as ${s.username}`,
      `::group::Building ${repository}:v1`,
      `::group::Saving 1 reference to ${path.join(ws.workspace, 'i.tar')}`,
      `::group::Pushing ${repository}:v1`
    ])
    expect(result.stdout.split('\n').filter((l) => l === '::endgroup::')).toHaveLength(groups.length)
  })

  it('names every reference in the push group of several', async () => {
    const ws = makeWorkspace()
    const repository = `${s.plain}/${uniqueName('groups')}`
    const result = await runMain(ws, { images: repository, tags: 'a, b', context: 'app', summary: 'false' })
    expect(result.code).toBe(0)
    // The title is cut to 120 characters; the whole list is the group's first line.
    expect(result.stdout).toContain(
      `::group::Pushing 2 references, up to 4 at a time: ${repository}:a, … (1 more)\nPushing 2 references, up to 4 at a time: ${repository}:a, ${repository}:b\n`
    )
  })
})
