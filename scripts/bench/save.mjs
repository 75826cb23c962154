// Case 2: the action's save to .tar.gz vs docker image save | gzip, and save -o then
// gzip (and pigz, when installed), at the default save-compression-level and at 1.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { ROOT } from '../lib/step-runner.mjs'
import { LAYER_MB, MB, RANDOM_LAYERS, takeFile, which } from './context.mjs'
import { compare, median } from './measure.mjs'
import { renderSizes } from './report.mjs'

/** The save case's report section: the action's .tar.gz vs the shell pipelines, per level, and the sizes. */
export async function benchSave(ctx) {
  const { level: defaultLevel, from } = defaultCompressionLevel()
  const levels = [...new Set([defaultLevel, 1])]
  ctx.makeContext('save', 'save', { randomLayers: RANDOM_LAYERS, textLayerMb: LAYER_MB })
  const source = `${ctx.services.plain}/${ctx.ns}/save-source:1`
  ctx.docker(['build', '--quiet', '--tag', source, ctx.contextDir('save')])
  // The action tags the source as <images>:<tags> and saves that reference; the
  // baselines save the same reference (tagged here so it exists from the start).
  const repository = `${ctx.services.plain}/${ctx.ns}/save`
  const ref = `${repository}:s`
  ctx.docker(['image', 'tag', source, ref])
  const pigz = which('pigz')

  const rows = []
  const sizes = []
  const compressors = new Set()
  for (const level of levels) {
    const sides = {
      action: (i) => saveWithAction(ctx, source, repository, level, i),
      'save | gzip': (i) => saveWithPipe(ctx, ref, 'gzip', level, i),
      'save -o, gzip': (i) => saveWithTwoSteps(ctx, ref, level, i)
    }
    if (pigz) sides['save | pigz'] = (i) => saveWithPipe(ctx, ref, 'pigz', level, i)
    const samples = await ctx.alternate(`save level ${level}`, sides)
    for (const s of samples.action) compressors.add(s.compressor)
    rows.push(
      compare(`level ${level}: vs \`docker image save | gzip -${level}\``, samples.action, samples['save | gzip'], {
        target: 1.0,
        baselineName: 'save | gzip'
      })
    )
    rows.push(
      compare(
        `level ${level}: vs \`docker image save -o x.tar && gzip -${level} x.tar\``,
        samples.action,
        samples['save -o, gzip'],
        { baselineName: 'save -o, gzip' }
      )
    )
    if (pigz)
      rows.push(
        compare(
          `level ${level}: vs \`docker image save | pigz -${level}\` (information)`,
          samples.action,
          samples['save | pigz'],
          { baselineName: 'save | pigz' }
        )
      )
    for (const [side, list] of Object.entries(samples))
      sizes.push({ level, side, bytes: median(list.map((s) => s.bytes)) })
  }
  const uncompressed = Number(ctx.docker(['image', 'inspect', '--format', '{{.Size}}', source]).stdout.trim())
  const notes = [
    `Compressor the action used (child processes of the action seen in /proc, and its \`[command]\` lines): ${[...compressors].join(', ')}. pigz on this machine: ${pigz ?? 'not installed'}.`,
    `Compression level: default ${defaultLevel} (${from}), and 1. The action gets it as \`save-compression-level\`; a bundle without that input ignores it.`,
    ...levelHonoured(sizes, levels)
  ]
  return {
    name: 'save',
    title: 'Save: the action writing .tar.gz vs docker image save piped to gzip',
    method: [
      `Image: \`FROM ${ctx.services.baseImage}\` plus ${RANDOM_LAYERS} incompressible layers of ${LAYER_MB} MB and one compressible ${LAYER_MB} MB text layer (log-like lines; realistic images have both kinds); ${(uncompressed / MB).toFixed(1)} MB uncompressed. Built once up front.`,
      'Action: `push: false`, `source-image` = the built image (so nothing is built), `save: out/x.tar.gz`, `save-compression-level: L`; main + post step. Baselines, in bash: `docker image save REF | gzip -L > x.tar.gz` and `docker image save -o x.tar REF && gzip -L x.tar`, REF being the reference the action saves. Each file is deleted after its size is read.'
    ],
    rows,
    tables: [renderSizes(sizes, levels)],
    notes
  }
}

/**
 * One save by the action (`source-image`, `push: false`, `save: out/…tar.gz` at `level`):
 * its time, the tarball's size (the file is then deleted) and the compressor it used.
 */
export async function saveWithAction(ctx, source, repository, level, i) {
  const file = `out/action-${level}-${i}.tar.gz`
  const run = await ctx.runAction(
    {
      images: repository,
      tags: 's',
      latest: 'false',
      push: 'false',
      'source-image': source,
      save: file,
      'save-compression-level': String(level)
    },
    { watch: true }
  )
  const fromLog = [...run.log.matchAll(/^\[command\]\S*\/(pigz|gzip)\b/gm)].map((m) => m[1])
  const seen = [...run.seen].filter((c) => c === 'pigz' || c === 'gzip')
  const compressor = [...new Set([...seen, ...fromLog])].join('+') || 'Node zlib (in-process)'
  return { ms: run.ms, bytes: takeFile(path.join(ctx.workspace, file)), compressor }
}

async function saveWithPipe(ctx, ref, compressor, level, i) {
  const file = path.join(ctx.workspace, `out/${compressor}-pipe-${level}-${i}.tar.gz`)
  const run = await ctx.bash(`docker image save "$1" | ${compressor} -"$2" > "$3"`, [ref, String(level), file])
  return { ms: run.ms, bytes: takeFile(file) }
}

async function saveWithTwoSteps(ctx, ref, level, i) {
  const tar = path.join(ctx.workspace, `out/two-step-${level}-${i}.tar`)
  const run = await ctx.bash('docker image save -o "$3" "$1" && gzip -"$2" "$3"', [ref, String(level), tar])
  return { ms: run.ms, bytes: takeFile(`${tar}.gz`) }
}

/** Whether the action's tarball at each level is nearest in size to gzip's at that level. */
function levelHonoured(sizes, levels) {
  if (levels.length < 2) return []
  const size = (side, level) => sizes.find((s) => s.side === side && s.level === level)?.bytes
  return levels.map((level) => {
    const nearest = levels.reduce((best, l) =>
      Math.abs(size('action', level) - size('save | gzip', l)) <
      Math.abs(size('action', level) - size('save | gzip', best))
        ? l
        : best
    )
    return `Asked for level ${level}, the action's tarball is nearest in size to \`gzip -${nearest}\`'s${nearest === level ? '' : ' — the level was NOT applied'}.`
  })
}

/** The level the action uses when save-compression-level is not set (DEFAULT_COMPRESSION_LEVEL in src/inputs.ts). */
function defaultCompressionLevel() {
  const source = fs.readFileSync(path.join(ROOT, 'src/inputs.ts'), 'utf8')
  const level = /export const DEFAULT_COMPRESSION_LEVEL = (\d)\b/.exec(source)?.[1]
  if (level === undefined) throw new Error('src/inputs.ts has no DEFAULT_COMPRESSION_LEVEL')
  return { level: Number(level), from: "the action's default, src/inputs.ts" }
}
