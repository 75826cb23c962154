// A failed build as the user sees it, end to end: the ::error:: annotation on the
// Dockerfile line that failed (the classic builder's and BuildKit's words, the stage
// that failed, a missing base image on its FROM line), and docker's reason first when
// no line is to blame.
import { describe, expect, it } from '@jest/globals'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { setup, buildkit, commands, has, itWhere, makeWorkspace, runMain, uniqueName } from './harness.js'

const { s } = setup()

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

describe('build annotations', () => {
  const twoStages = [
    `FROM ${s.baseImage} AS one`,
    'RUN touch /marker',
    'RUN echo checking >&2; ls /marker',
    '',
    `FROM ${s.baseImage} AS two`,
    'RUN echo checking >&2; ls /marker',
    ''
  ].join('\n')
  const failed = [
    'app/Dockerfile:6: RUN echo checking >&2; ls /marker failed: exit code 1',
    '  checking',
    '  ls: /marker: No such file or directory'
  ].join('%0A')
  const buildkit = { PATH: `/usr/bin:${process.env.PATH}`, DOCKER_BUILDKIT: '1' }

  it.each<[string, Record<string, string>]>([
    ['the classic builder', {}],
    ['BuildKit', buildkit]
  ])(
    'points the same instruction in two stages at the stage that failed, with its last lines (%s)',
    async (_label, extraEnv) => {
      const ws = makeWorkspace(twoStages)
      const result = await runMain(
        ws,
        { images: `${s.plain}/${uniqueName('stages')}`, context: 'app', network: 'host' },
        extraEnv
      )
      expect(result.code).toBe(1)
      expect(commands(result.log, 'error')).toEqual([
        `::error title=docker build failed,file=app/Dockerfile,line=6::${failed}`
      ])
    }
  )

  it('points a missing base image at its FROM line (BuildKit)', async () => {
    const missing = `${s.plain}/${uniqueName('no-such-base')}`
    const ws = makeWorkspace(
      [`ARG BASE=${missing}`, `FROM ${s.baseImage} AS tools`, 'FROM ${BASE}:1', 'RUN true', ''].join('\n')
    )
    const result = await runMain(
      ws,
      { images: `${s.plain}/${uniqueName('base')}`, context: 'app', network: 'host' },
      buildkit
    )
    expect(result.code).toBe(1)
    expect(commands(result.log, 'error')).toEqual([
      `::error title=docker build failed,file=app/Dockerfile,line=3::app/Dockerfile:3: FROM \${BASE}:1: the base image ${missing}:1 could not be loaded: ${missing}:1: not found`
    ])
  })
})

describe('a failed build without a Dockerfile line', () => {
  it('names the docker command and its error when the build fails without a Dockerfile line', async () => {
    const ws = makeWorkspace()
    // A remote context that does not answer: the build fails before any Dockerfile is read.
    const result = await runMain(ws, {
      images: `${s.plain}/${uniqueName('broken')}`,
      context: 'http://127.0.0.1:9/context.tar'
    })
    expect(result.code).toBe(1)
    const errors = commands(result.log, 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/^::error::.*127\.0\.0\.1:9.* \(docker (buildx )?build failed, exit code \d+\)$/)
    expect(errors[0]).not.toMatch(/^::error file=/)
    expect(fs.readdirSync(ws.runnerTemp)).toEqual([])
  })

  it('puts a missing base image on the FROM line', async () => {
    const base = `${s.plain}/${uniqueName('no-such-base')}:v1`
    const ws = makeWorkspace(`FROM ${base}\nRUN exit 3\n`)
    const result = await runMain(ws, { images: `${s.plain}/${uniqueName('broken')}`, context: 'app' })
    expect(result.code).toBe(1)
    // The engine's words (20.10) or BuildKit's (buildx), on the FROM line either way.
    const reason = has.classicBuilder
      ? ` failed: manifest for ${base} not found: manifest unknown`
      : `: the base image ${base} could not be loaded: ${base}: not found`
    expect(commands(result.log, 'error')).toEqual([
      `::error title=docker build failed,file=app/Dockerfile,line=1::app/Dockerfile:1: FROM ${base}${reason}`
    ])
  })

  it('a failed build with 200 tags gives docker’s reason first, in a short ::error::', async () => {
    const ws = makeWorkspace()
    const tags = Array.from({ length: 200 }, (_, i) => `t${i}`).join(',')
    const result = await runMain(ws, {
      images: `${s.plain}/${uniqueName('manytags')}`,
      tags,
      context: 'http://127.0.0.1:9/context.tar',
      push: 'false'
    })
    expect(result.code).toBe(1)
    const [error] = commands(result.log, 'error')
    // docker's own reason (the remote context it could not fetch) comes before the command.
    expect(error).toMatch(/^::error::[^(]*127\.0\.0\.1:9/)
    expect(error.length).toBeLessThan(400)
  })
})
