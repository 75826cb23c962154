// Saving a tarball, end to end: every tag in it and docker load brings them back,
// gzip by pigz or Node's zlib at the level asked, an atomic write (a failed save or a
// full disk keeps the earlier file), the save path checked before any docker command,
// and runs saving to one path at once.
import { describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {
  setup,
  commands,
  docker,
  dockerShim,
  dockerStatus,
  fetchManifest,
  has,
  makeWorkspace,
  processesOf,
  realDocker,
  runMain,
  sha256File,
  uniqueName,
  until
} from './harness.js'

const { s } = setup()

describe('save', () => {
  // The .tar case replaces a tarball left by an earlier run; the .tar.gz case creates its folders.
  for (const file of ['out/image.tar', 'deep/er/image.tar.gz']) {
    it(`saves every tag to ${path.extname(file)} and docker load brings them back`, async () => {
      const ws = makeWorkspace()
      if (file.startsWith('out/')) {
        fs.mkdirSync(path.join(ws.workspace, 'out'))
        fs.writeFileSync(path.join(ws.workspace, file), 'an earlier run')
      }
      const repository = `${s.plain}/${uniqueName('saved')}`
      const result = await runMain(ws, { images: repository, tags: 'a,b', context: 'app', push: 'false', save: file })
      expect(result.code).toBe(0)
      const tarball = path.join(ws.workspace, file)
      expect(result.outputs.tarball).toBe(tarball)
      expect(result.outputs['tarball-digest']).toBe(sha256File(tarball))
      expect(result.outputs.digest).toBe('')
      expect(result.outputs.refs).toBe('')
      expect(fs.readdirSync(path.dirname(tarball))).toEqual([path.basename(tarball)])
      const magic = fs.readFileSync(tarball).subarray(0, 2).toString('hex')
      expect(magic === '1f8b').toBe(file.endsWith('.gz'))
      expect((await fetchManifest(s.plain, repository.slice(s.plain.length + 1), 'a')).status).toBe(404)

      docker(['image', 'rm', `${repository}:a`, `${repository}:b`])
      expect(dockerStatus(['image', 'inspect', `${repository}:a`])).not.toBe(0)
      const loaded = docker(['load', '--input', tarball])
      expect(loaded).toContain(`${repository}:a`)
      expect(loaded).toContain(`${repository}:b`)
      for (const tag of ['a', 'b'])
        expect(docker(['image', 'inspect', '--format', '{{.Id}}', `${repository}:${tag}`])).toBe(result.outputs.imageid)
    })
  }
})

describe('compression', () => {
  // pigz when installed (scripts/services.sh installs it), Node's zlib when not: both make a gzip file docker loads.
  for (const compressor of ['pigz', 'zlib'] as const) {
    it(`saves a .tar.gz with ${compressor} at the level asked for`, async () => {
      const ws = makeWorkspace()
      const repository = `${s.plain}/${uniqueName(`gz-${compressor}`)}`
      let env: Record<string, string> = {}
      if (compressor === 'zlib') {
        // A PATH with docker and nothing else, so pigz is not found.
        const bin = path.join(ws.root, 'bin')
        fs.mkdirSync(bin)
        fs.symlinkSync(realDocker(), path.join(bin, 'docker'))
        env = { PATH: bin }
      } else {
        expect(spawnSync('sh', ['-c', 'command -v pigz']).status).toBe(0)
      }
      const sizes: number[] = []
      for (const level of ['1', '9']) {
        const file = `image-${level}.tar.gz`
        const result = await runMain(
          ws,
          {
            images: repository,
            tags: 'gz',
            context: 'app',
            push: 'false',
            save: file,
            'save-compression-level': level
          },
          env
        )
        expect(result.code).toBe(0)
        expect(result.log).toContain(`gzip level ${level} by ${compressor},`)
        expect(JSON.parse(result.outputs.metadata).tarball.compressor).toBe(compressor)
        const tarball = path.join(ws.workspace, file)
        expect(result.outputs['tarball-digest']).toBe(sha256File(tarball))
        expect(spawnSync('gzip', ['--test', tarball]).status).toBe(0)
        expect(docker(['load', '--input', tarball])).toContain(`${repository}:gz`)
        sizes.push(fs.statSync(tarball).size)
      }
      // The containerd store saves its layers gzip-compressed already, so the level only shows on the classic store.
      if (!has.containerdStore) expect(sizes[1]).toBeLessThan(sizes[0])
    })
  }
})

describe('save is atomic', () => {
  it('keeps the earlier tarball and leaves no partial file when docker image save fails midway', async () => {
    const ws = makeWorkspace()
    // docker image save writes 64 KiB of its tarball, then fails.
    const shim = dockerShim(ws, {
      before: `if [ "$1 $2" = "image save" ]; then head -c 65536 /dev/urandom; echo "Error response from daemon: unexpected EOF" >&2; exit 1; fi`
    })
    const out = path.join(ws.workspace, 'out')
    fs.mkdirSync(out)
    fs.writeFileSync(path.join(out, 'image.tar.gz'), 'earlier')
    const result = await runMain(
      ws,
      { images: `${s.plain}/${uniqueName('atomic')}`, context: 'app', push: 'false', save: 'out/image.tar.gz' },
      { PATH: `${shim.dir}:${process.env.PATH}` }
    )
    expect(result.code).toBe(1)
    expect(commands(result.log, 'error')).toEqual([expect.stringContaining('docker image save')])
    expect(fs.readdirSync(out)).toEqual(['image.tar.gz'])
    expect(fs.readFileSync(path.join(out, 'image.tar.gz'), 'utf8')).toBe('earlier')
    expect(result.outputs.tarball).toBeUndefined()
  })
})

describe('a full disk', () => {
  it('says the disk is full, and leaves no partial tarball and the earlier one intact', async () => {
    const ws = makeWorkspace()
    const small = path.join(ws.workspace, 'small')
    fs.mkdirSync(small)
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', small], { encoding: 'utf8' })
    expect(mounted.stderr).toBe('')
    try {
      fs.writeFileSync(path.join(small, 'image.tar'), 'earlier')
      const result = await runMain(ws, {
        images: `${s.plain}/${uniqueName('full')}`,
        context: 'app',
        push: 'false',
        save: 'small/image.tar'
      })
      expect(result.code).toBe(1)
      expect(commands(result.log, 'error')).toEqual([
        `::error::Writing the tarball ${small}/image.tar failed: the disk is full (no space left on device); free some space or save somewhere else. No tarball was written; an earlier file at that path is unchanged.`
      ])
      expect(fs.readdirSync(small)).toEqual(['image.tar'])
      expect(fs.readFileSync(path.join(small, 'image.tar'), 'utf8')).toBe('earlier')
    } finally {
      spawnSync('umount', [small])
    }
  })
})

describe('a full disk while saving a .tar.gz with pigz', () => {
  it('ends the step with a plain error, no partial tarball and the earlier one intact', async () => {
    const ws = makeWorkspace()
    // pigz as GitHub's runners have it (services.sh installs it), behind a shim that says it ran.
    const pigz = spawnSync('sh', ['-c', 'command -v pigz'], { encoding: 'utf8' }).stdout.trim()
    expect(pigz).not.toBe('')
    const bin = path.join(ws.root, 'bin')
    fs.mkdirSync(bin)
    fs.writeFileSync(path.join(bin, 'pigz'), `#!/bin/sh\ntouch ${JSON.stringify(bin)}/ran\nexec ${pigz} "$@"\n`, {
      mode: 0o755
    })
    const small = path.join(ws.workspace, 'small')
    fs.mkdirSync(small)
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=600k', 'tmpfs', small]).status).toBe(0)
    try {
      fs.writeFileSync(path.join(small, 'image.tar.gz'), 'earlier')
      const started = Date.now()
      const result = await runMain(
        ws,
        { images: `${s.plain}/${uniqueName('fullpigz')}`, context: 'app', push: 'false', save: 'small/image.tar.gz' },
        { PATH: `${bin}:${process.env.PATH}` }
      )
      expect(Date.now() - started).toBeLessThan(60_000)
      expect(result.code).toBe(1)
      expect(fs.existsSync(path.join(bin, 'ran'))).toBe(true)
      expect(commands(result.log, 'error')).toEqual([
        `::error::Writing the tarball ${small}/image.tar.gz failed: the disk is full (no space left on device); free some space or save somewhere else. No tarball was written; an earlier file at that path is unchanged.`
      ])
      expect(fs.readdirSync(small).sort()).toEqual(['image.tar.gz'])
      expect(fs.readFileSync(path.join(small, 'image.tar.gz'), 'utf8')).toBe('earlier')
      expect(processesOf(result.state.temp)).toEqual([])
    } finally {
      spawnSync('umount', [small])
    }
  }, 90_000)
})

describe('runs saving to one path at once', () => {
  it('refuse the second run before any docker command, and the first one’s digest describes the file', async () => {
    const a = makeWorkspace()
    const b = makeWorkspace()
    const target = path.join(a.root, 'shared.tar')
    // The first run's save is slowed, so the second starts while it holds the path.
    const slow = dockerShim(a, { before: 'if [ "$1 $2" = "image save" ]; then sleep 3; fi' })
    const shimB = dockerShim(b)
    const first = runMain(
      a,
      { images: `${s.plain}/${uniqueName('lock-a')}`, context: 'app', push: 'false', save: target },
      { PATH: `${slow.dir}:${process.env.PATH}` }
    )
    await until(() => slow.calls().some((c) => c.startsWith('image save')))
    const second = await runMain(
      b,
      { images: `${s.plain}/${uniqueName('lock-b')}`, context: 'app', push: 'false', save: target },
      { PATH: `${shimB.dir}:${process.env.PATH}` }
    )
    expect(second.code).toBe(1)
    expect(commands(second.log, 'error')).toEqual([
      expect.stringMatching(
        /^::error::Input 'save': another run \(process \d+\) is writing .*shared\.tar right now\. Fix: /
      )
    ])
    expect(shimB.calls()).toEqual([])
    const done = await first
    expect(done.code).toBe(0)
    expect(sha256File(target)).toBe(done.outputs['tarball-digest'])
    expect(fs.readdirSync(a.root).filter((f) => f.includes('shared.tar'))).toEqual(['shared.tar'])
  }, 90_000)
})

describe('the save path and its options', () => {
  it('an unwritable save folder is found before any docker command, and nothing is pushed', async () => {
    const ws = makeWorkspace()
    const ro = path.join(ws.workspace, 'ro')
    fs.mkdirSync(ro)
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', ro]).status).toBe(0)
    try {
      const shim = dockerShim(ws)
      const repository = uniqueName('rosave')
      const result = await runMain(
        ws,
        { images: `${s.plain}/${repository}`, tags: 'v1', context: 'app', save: 'ro/image.tar' },
        { PATH: `${shim.dir}:${process.env.PATH}` }
      )
      expect(result.code).toBe(1)
      expect(commands(result.log, 'error')).toEqual([
        expect.stringMatching(/^::error::Input 'save': this run may not write into /)
      ])
      expect(shim.calls()).toEqual([])
      expect((await fetchManifest(s.plain, repository, 'v1')).status).toBe(404)
    } finally {
      spawnSync('umount', [ro])
    }
  })

  it('a plain .tar save does not warn about save-compression-level', async () => {
    const result = await runMain(makeWorkspace(), {
      images: `${s.plain}/${uniqueName('plaintar')}`,
      context: 'app',
      push: 'false',
      save: 'i.tar'
    })
    expect(result.code).toBe(0)
    expect(commands(result.log, 'warning').filter((w) => w.includes('save-compression-level'))).toEqual([])
  })
})
