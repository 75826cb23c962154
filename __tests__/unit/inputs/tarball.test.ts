// inputs/tarball.ts: the save input (where the tarball goes, its format and compression level,
// whether .dockerignore leaves it out of the context) and a tarball given as source-image
// (through parseInputs), with the plan that saves or loads it.
import { describe, expect, it, test } from '@jest/globals'
import * as path from 'node:path'
import { parseInputs } from '../../../src/inputs/inputs.js'
import type { ParseResult } from '../../../src/inputs/inputs.js'
import type { Warning } from '../../../src/inputs/parse.js'
import { DEFAULT_TREE, env } from '../../__fixtures__/environment.js'
import { ACTION_DEFAULTS, inputsOf, onlyProblem, parse, raw } from '../../__fixtures__/inputs.js'
import { makePlan } from '../../../src/plan/plan.js'
import { formatOf } from '../../../src/domain/image.js'
import { isIgnored } from '../../../src/inputs/tarball.js'
import { loadArgs } from '../../../src/plan/render.js'
import type { LoadStep } from '../../../src/plan/steps.js'
import { PLAN_FACTS_ZSTD } from '../../__fixtures__/plan.js'

describe('parseInputs: save', () => {
  test.each<[string, string, string]>([
    ['image.tar', '/ws/image.tar', 'tar'],
    ['out/image.tar.gz', '/ws/out/image.tar.gz', 'gzip'],
    ['image.tgz', '/ws/image.tgz', 'gzip'],
    ['IMAGE.TAR.GZ', '/ws/IMAGE.TAR.GZ', 'gzip'],
    ['Image.TAR', '/ws/Image.TAR', 'tar'],
    ['/tmp/abs.tar', '/tmp/abs.tar', 'tar'],
    ['deep/missing/folders/image.tgz', '/ws/deep/missing/folders/image.tgz', 'gzip'],
    ['image.tar.zst', '/ws/image.tar.zst', 'zstd'],
    ['out/IMAGE.TAR.ZST', '/ws/out/IMAGE.TAR.ZST', 'zstd']
  ])('%s -> %s (%s)', (save, path, format) => {
    expect(
      inputsOf(parse({ save }, { '/': 'directory', '/ws': 'directory', '/ws/Dockerfile': 'file', '/tmp': 'directory' }))
        .save
    ).toEqual({ path, format, level: 3 })
  })

  it('accepts a tarball whose folders do not exist anywhere', () => {
    expect(
      inputsOf(parse({ save: '/nowhere/at/all/image.tar' }, { '/ws': 'directory', '/ws/Dockerfile': 'file' })).save
    ).toEqual({
      path: '/nowhere/at/all/image.tar',
      format: 'tar',
      level: 3
    })
  })

  it('accepts an existing file (it is replaced)', () => {
    expect(
      inputsOf(parse({ save: 'image.tar' }, { '/ws': 'directory', '/ws/Dockerfile': 'file', '/ws/image.tar': 'file' }))
        .save
    ).toEqual({
      path: '/ws/image.tar',
      format: 'tar',
      level: 3
    })
  })

  test.each(['image.zip', 'image', 'image.tar.bz2', 'image.gz', 'tar'])('%j has the wrong extension', (save) => {
    expect(onlyProblem(parse({ save }), 'save')).toBe(
      `Input 'save': '${save}' does not end in .tar, .tar.gz, .tgz or .tar.zst. Fix: name the tarball file.tar, or file.tar.gz / file.tgz (gzip) or file.tar.zst (zstd) to compress it.`
    )
  })

  it('is a problem when the path is a folder', () => {
    const tree = { '/ws': 'directory', '/ws/Dockerfile': 'file', '/ws/images.tar': 'directory' } as const
    expect(onlyProblem(parse({ save: 'images.tar' }, tree), 'save')).toBe(
      "Input 'save': 'images.tar' is a folder. Fix: give a file path such as image.tar.gz."
    )
  })

  test.each([
    ['directly under a file', 'Dockerfile/image.tar', '/ws/Dockerfile'],
    ['under a missing folder under a file', 'Dockerfile/sub/dir/image.tar.gz', '/ws/Dockerfile']
  ])('is a problem %s', (_label, save, blocker) => {
    expect(onlyProblem(parse({ save }), 'save')).toBe(
      `Input 'save': '${blocker}' is a file, so '${save}' cannot be created inside it. Fix: choose a path whose parent folders are folders.`
    )
  })

  describe('with read-only folders', () => {
    const tree = { ...DEFAULT_TREE, '/ro': 'directory', '/ws/dist': 'directory' } as const
    const parseWith = (save: string): ParseResult =>
      parseInputs(raw({ save }), env(tree, undefined, { readOnly: ['/ro', '/ws/dist'] }))

    // The folder that refuses the tarball, or '' where it can be created (missing folders under a writable one).
    test.each<[string, string]>([
      ['/ro/image.tar', '/ro'],
      ['/ro/new/deeper/image.tar.gz', '/ro'],
      ['dist/image.tgz', '/ws/dist'],
      ['dist/sub/image.tar', '/ws/dist'],
      ['out/new/image.tar', ''],
      ['/ws/built/image.tgz', '']
    ])('%s: refused by %j', (save, folder) => {
      const result = parseWith(save)
      if (folder === '') expect(inputsOf(result).save?.path).toBe(path.resolve('/ws', save))
      else
        expect(onlyProblem(result, 'save')).toBe(
          `Input 'save': this run may not write into '${folder}', so '${save}' cannot be created. Fix: choose a path in a folder the runner can write to, such as one in the workspace.`
        )
    })
  })
})

describe('parseInputs: save-compression-level', () => {
  it('has no default in action.yml, so the runner passes nothing unless the workflow sets it', () => {
    expect(ACTION_DEFAULTS).not.toHaveProperty('save-compression-level')
    expect(
      parse({ ...ACTION_DEFAULTS, save: 'i.tar' }).warnings.filter((w) => w.input === 'save-compression-level')
    ).toEqual([])
  })

  test.each<[string, number]>([
    ['', 3],
    ['1', 1],
    ['3', 3],
    ['9', 9]
  ])('%j gives level %d', (level, expected) => {
    expect(inputsOf(parse({ save: 'i.tar.gz', 'save-compression-level': level })).save?.level).toBe(expected)
  })

  test.each(['0', '10', 'fast', '3.5', '-1', ' 3x'])('%j is a problem', (level) => {
    expect(onlyProblem(parse({ save: 'i.tar.gz', 'save-compression-level': level }), 'save-compression-level')).toBe(
      `Input 'save-compression-level': '${level}' is not a compression level. Fix: write a whole number from 1 (fastest) to 9 (smallest).`
    )
  })

  const ignored = (save: string): Warning => ({
    input: 'save-compression-level',
    message: `save-compression-level is ignored: '${save}' is not compressed (name it .tar.gz or .tar.zst to compress it).`
  })

  test.each<[string, string, Warning[]]>([
    ['i.tar', '9', [ignored('i.tar')]],
    ['out/Image.TAR', '1', [ignored('out/Image.TAR')]],
    ['i.tar', '', []],
    ['i.tar.gz', '9', []],
    ['i.tgz', '1', []],
    ['i.tar.zst', '9', []],
    ['', '9', []]
  ])('save %j with level %j warns %j', (save, level, warnings) => {
    const result = parse({ save, 'save-compression-level': level })
    expect(result.warnings.filter((w) => w.input === 'save-compression-level')).toEqual(warnings)
  })
})

describe('tarballs', () => {
  test.each([
    ['a.tar', 'tar'],
    ['a.TAR.GZ', 'gzip'],
    ['a.tgz', 'gzip'],
    ['dir/a.tar.zst', 'zstd'],
    ['a.zst', undefined],
    ['a.tar.bz2', undefined],
    ['alpine:3.20', undefined]
  ])('%s is %s', (file, format) => {
    expect(formatOf(file)).toBe(format)
  })

  it('needs zstd to save a .tar.zst, before any docker command', () => {
    const environment = {
      ...env(),
      tools: { docker: '/usr/bin/docker', pigz: undefined, zstd: undefined, cosign: undefined }
    }
    const result = parseInputs(raw({ save: 'image.tar.zst' }), environment)
    expect(result.ok ? [] : result.problems.map((p) => p.message)).toEqual([
      "Input 'save': 'image.tar.zst' is a zstd tarball, but zstd is not installed on this runner. Fix: install zstd (it is on GitHub-hosted runners; apt-get install zstd), or save as .tar.gz."
    ])
  })

  it('saves a .tar.zst through zstd at the level given', () => {
    const { plan } = makePlan(inputsOf(parse({ save: 'i.tar.zst', 'save-compression-level': '7' })), PLAN_FACTS_ZSTD)
    expect(plan.save).toMatchObject({
      target: { format: 'zstd', level: 7 },
      compressor: { kind: 'zstd', path: '/usr/bin/zstd' }
    })
  })

  test.each<[string, string, boolean]>([
    ['', 'out/image.tar', false],
    ['out/\n', 'out/image.tar', true],
    ['*.tar\n', 'image.tar', true],
    ['*.tar\n', 'out/image.tar', false],
    ['**/*.tar', 'out/image.tar', true],
    ['out\n!out/image.tar\n', 'out/image.tar', false],
    ['# out\n', 'out/image.tar', false],
    ['/out', 'out/image.tar', true],
    ['image.ta?', 'image.tar', true]
  ])('.dockerignore %j leaves %s out: %s', (dockerignore, relative, ignored) => {
    expect(isIgnored(dockerignore, relative)).toBe(ignored)
  })

  it('loads a tarball source, through zstd where it is one, and tags the loaded image as each target', () => {
    const tree = { '/': 'directory', '/ws': 'directory', '/ws/a.tar.zst': 'file', '/ws/b.tgz': 'file' } as const
    const zst = inputsOf(parse({ 'source-image': 'a.tar.zst', tags: 'v1,v2' }, tree))
    expect(zst.source).toEqual({ kind: 'tarball', path: '/ws/a.tar.zst', format: 'zstd' })
    const load = makePlan(zst, PLAN_FACTS_ZSTD).plan.image
    expect(load).toEqual({
      kind: 'load',
      path: '/ws/a.tar.zst',
      decompress: { program: '/usr/bin/zstd', args: ['-dc', '--quiet', '/ws/a.tar.zst'] }
    })
    // The action streams every tarball into docker load itself, its names taken out (phases/load.ts).
    expect(loadArgs()).toEqual(['load'])
    const tgz = makePlan(inputsOf(parse({ 'source-image': 'b.tgz' }, tree)), PLAN_FACTS_ZSTD).plan.image as LoadStep
    expect(tgz).toMatchObject({ kind: 'load', decompress: undefined })
  })
})

describe('a .tar.zst source without zstd (issue 23)', () => {
  it('is an input error before any docker command: the action decompresses it itself', () => {
    const tree = { '/': 'directory', '/ws': 'directory', '/ws/a.tar.zst': 'file' } as const
    const environment = {
      ...env(tree),
      tools: { docker: '/usr/bin/docker', pigz: undefined, zstd: undefined, cosign: undefined }
    }
    expect(onlyProblem(parseInputs(raw({ 'source-image': 'a.tar.zst' }), environment), 'source-image')).toBe(
      "Input 'source-image': 'a.tar.zst' is a zstd tarball, but zstd is not installed on this runner. Fix: install zstd (it is on GitHub-hosted runners; apt-get install zstd), or pass the image as .tar.gz."
    )
  })
})
