// Case 2b: the action's save at gzip levels 1, 3, 6 and 9 on an image like a real one,
// the numbers behind the default save-compression-level.
import { MB } from './context.mjs'
import { median, stats } from './measure.mjs'
import { span } from './report.mjs'
import { saveWithAction } from './save.mjs'

/**
 * The action's save at each gzip level, on an image like a real one: shared
 * libraries (this machine's), log-like text and incompressible data. The numbers
 * behind the default save-compression-level.
 */
export async function benchLevels(ctx, w) {
  const levels = [1, 3, 6, 9]
  const dir = w.makeContext('levels', 'levels', { randomLayers: 1, layerMb: 8, textLayerMb: 8, binariesMb: 24 })
  const source = `${ctx.services.plain}/${ctx.ns}/levels-source:1`
  await w.prebuild([{ dir, tag: source }])
  ctx.removeContext('levels')
  const repository = `${ctx.services.plain}/${ctx.ns}/levels`
  const sides = Object.fromEntries(
    levels.map((level) => [
      `level ${level}`,
      (i) => saveWithAction(ctx, w, source, repository, `out/levels-${level}-${i}.tar.gz`, level)
    ])
  )
  const samples = await ctx.alternate('levels', sides, Math.min(ctx.runs, 3))
  const six = stats(samples['level 6'])
  const sizeOf = (level) => median(samples[`level ${level}`].map((s) => s.bytes))
  const rows = levels.map((level) => {
    const st = stats(samples[`level ${level}`])
    return { level, st, bytes: sizeOf(level) }
  })
  const uncompressed = Number(w.docker(['image', 'inspect', '--format', '{{.Size}}', source]).stdout.trim())
  const table = [
    '| level | action median (min–max) | time vs level 6 | tarball | size vs level 6 |',
    '|---|---|---|---|---|',
    ...rows.map(
      ({ level, st, bytes }) =>
        `| ${level} | ${span(st, 's')} | ${(st.median / six.median).toFixed(2)}× | ${(bytes / MB).toFixed(2)} MiB | ${((bytes / sizeOf(6) - 1) * 100).toFixed(1)} % |`
    )
  ].join('\n')
  return {
    name: 'levels',
    title: 'Compression levels: what the default save-compression-level trades',
    method: [
      `Image: \`FROM ${w.info.baseImage}\` plus 24 MB of this machine's shared libraries (from /usr/lib), 8 MB of log-like text and 8 MB of random data; ${(uncompressed / MB).toFixed(1)} MB uncompressed. The action saves it (\`source-image\`, \`push: false\`, \`save: x.tar.gz\`) at each level, main + post step; the levels rotate each run (${Math.min(ctx.runs, 3)} runs each).`
    ],
    rows: [],
    tables: [table],
    notes: [
      `Compressor: ${[
        ...new Set(
          Object.values(samples)
            .flat()
            .map((s) => s.compressor)
        )
      ].join(', ')}.`
    ]
  }
}
