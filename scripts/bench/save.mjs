// Case save: the action writing .tar.gz and .tar.zst of an image of at least 310 MB,
// vs what a user types: `docker image save REF | pigz -3 > f && sha256sum f`, and the
// engine's own floor `docker image save -o f.tar REF`.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { MB, dirBytes, takeFile, which } from './context.mjs'
import { compare, formatMs, median } from './measure.mjs'

/** Issue 16's image: at least this many bytes, of libraries, text and random data. */
export const SAVE_IMAGE_MIN_MB = 310

/** The save case's report section for world `w`. */
export async function benchSave(ctx, w) {
  const pigz = which('pigz')
  const zstd = which('zstd')
  if (!pigz || !zstd)
    throw new Error(`the save case needs pigz and zstd (pigz: ${pigz ?? 'missing'}, zstd: ${zstd ?? 'missing'})`)
  const name = `save-${w.name}`
  // 160 MB of this machine's shared libraries, 80 MB of log-like text, 4 × 20 MB random.
  const dir = w.makeContext(name, 'save', { binariesMb: 160, textLayerMb: 80, randomLayers: 4, layerMb: 20 })
  const source = `${ctx.services.plain}/${ctx.ns}/${name}-source:1`
  ctx.progress(`save ${w.name}: building the image`)
  await w.prebuild([{ dir, tag: source }])
  const files = dirBytes(dir)
  ctx.removeContext(name)
  // The action tags the source as <images>:<tags> and saves that reference; the
  // baselines save the same reference (tagged here so it exists from the start).
  const repository = `${ctx.services.plain}/${ctx.ns}/${name}`
  const ref = `${repository}:s`
  w.docker(['image', 'tag', source, ref])
  const size = imageSize(w, source) // uncompressed on the classic store, compressed on containerd's
  const uncompressed = files + imageSize(w, w.info.baseImage)
  const out = (file) => path.join(ctx.workspace, 'out', file)
  fs.mkdirSync(out(''), { recursive: true })
  const samples = await ctx.alternate(`save ${w.name}`, {
    'action .tar.gz': (i) => saveWithAction(ctx, w, source, repository, `out/action-${i}.tar.gz`),
    'save | pigz -3, sha256sum': (i) =>
      viaBash(w, 'docker image save "$1" | pigz -3 > "$2" && sha256sum "$2" >/dev/null', [
        ref,
        out(`pigz-${i}.tar.gz`)
      ]),
    'action .tar.zst': (i) => saveWithAction(ctx, w, source, repository, `out/action-${i}.tar.zst`),
    'save -o': (i) => viaBash(w, 'docker image save -o "$2" "$1"', [ref, out(`plain-${i}.tar`)]),
    // For information: the compression floor of the .tar.zst row, without the action or a hash.
    'save | zstd -T0 -3': (i) =>
      viaBash(w, 'docker image save "$1" | zstd -T0 -3 --quiet > "$2"', [ref, out(`zstd-${i}.tar.zst`)])
  })
  const sizeOf = (side) => median(samples[side].map((s) => s.bytes))
  const compressors = new Set(Object.values(samples).flatMap((list) => list.map((s) => s.compressor).filter(Boolean)))
  return {
    name: 'save',
    title: 'Save: the action writing .tar.gz and .tar.zst vs docker image save',
    method: [
      `Image: \`FROM ${w.info.baseImage}\` plus 160 MB of this machine's shared libraries (/usr/lib), 80 MB of log-like text and 4 layers of 20 MB of random bytes; ${(uncompressed / MB).toFixed(0)} MB uncompressed (${uncompressed >= SAVE_IMAGE_MIN_MB * MB ? 'at least' : 'LESS than'} the ${SAVE_IMAGE_MIN_MB} MB asked for; the engine gives its size as ${(size / MB).toFixed(0)} MB${w.info.containerdStore ? ', the compressed content it stores' : ''}). Built once up front.`,
      'Action: `source-image` = the built image (nothing is built), `push: false`, `save: out/x.tar.gz` or `out/x.tar.zst` at the default `save-compression-level` (3), main + post step; it also outputs the tarball’s sha256 (`tarball-digest`). Baselines, in bash, saving the same reference: `docker image save REF | pigz -3 > f.tar.gz && sha256sum f.tar.gz` (what a user types for the same file and digest), and `docker image save -o f.tar REF`, the engine’s floor (no compression, no hash). A fifth side, `docker image save REF | zstd -T0 -3 > f.tar.zst`, shows what the compression alone costs beside the floor. The sides rotate; each file is deleted after its size is read.',
      ...(w.info.containerdStore
        ? [
            'On the containerd image store `docker image save` writes the layers as the store keeps them, already gzip-compressed, so compressing the tarball again gains little and the `.tar` floor is not an uncompressed tarball; the rows are run anyway.'
          ]
        : [])
    ],
    rows: [
      compare(
        '`.tar.gz` vs `docker image save | pigz -3 > f && sha256sum f`',
        samples['action .tar.gz'],
        samples['save | pigz -3, sha256sum'],
        {
          target: 1.0,
          baselineName: 'save | pigz -3, sha256sum'
        }
      ),
      compare(
        `\`.tar.zst\` (image ≥ ${SAVE_IMAGE_MIN_MB} MB) vs \`docker image save -o f.tar\``,
        samples['action .tar.zst'],
        samples['save -o'],
        {
          target: 1.25,
          baselineName: 'docker image save -o'
        }
      ),
      compare(
        '`docker image save | zstd -T0 -3 > f` (no hash, no action) vs `docker image save -o f.tar` (information: the compression floor on this machine)',
        samples['save | zstd -T0 -3'],
        samples['save -o'],
        { baselineName: 'docker image save -o' }
      )
    ],
    tables: [
      [
        '| file | median size | median time |',
        '|---|---|---|',
        ...Object.keys(samples).map(
          (side) =>
            `| ${side.replace(/\|/g, '\\|')} | ${(sizeOf(side) / MB).toFixed(1)} MiB | ${formatMs(median(samples[side].map((s) => s.ms)))} |`
        )
      ].join('\n')
    ],
    notes: [
      `Compressors the action ran (its descendant processes seen in /proc): ${[...compressors].join(', ') || 'none seen (in-process)'}; pigz ${pigz}, zstd ${zstd}.`
    ]
  }
}

/** The engine's size of an image, in bytes. */
function imageSize(w, ref) {
  return Number(w.docker(['image', 'inspect', '--format', '{{.Size}}', ref]).stdout.trim())
}

/**
 * One save by the action (`source-image`, `push: false`, `save: file`): its time,
 * the tarball's size (the file is then deleted) and the compressor it ran.
 */
export async function saveWithAction(ctx, w, source, repository, file, level) {
  const inputs = { images: repository, tags: 's', latest: 'false', push: 'false', 'source-image': source, save: file }
  if (level !== undefined) inputs['save-compression-level'] = String(level)
  const run = await w.runAction(inputs, { watch: true })
  const compressor = [...run.seen].filter((c) => ['pigz', 'gzip', 'zstd'].includes(c)).join('+') || undefined
  return { ms: run.ms, bytes: takeFile(path.join(ctx.workspace, file)), compressor }
}

async function viaBash(w, script, args) {
  const run = await w.bash(script, args)
  return { ms: run.ms, bytes: takeFile(args[1]) }
}
