// Cases promote and merge (issue 13), in the buildx world: an image already in a
// registry copied to another repository registry-side (`source-image` pushed with
// buildx: `docker buildx imagetools create`) vs `docker pull` + `docker tag` +
// `docker push`; and the merge step of two pushed parts (`merge: part` per platform,
// then `merge: linux/amd64, linux/arm64`), ≤ 1 s. Both need a bundle whose action.yml
// has the `merge` input; otherwise their rows say "not available in this bundle".
// BENCH_FORCE=promote,merge runs them anyway (against a bundle without the feature
// they then measure what it does instead, or fail).
import * as path from 'node:path'
import { hasInput } from './bundle.mjs'
import { LAYER_MB } from './context.mjs'
import { commandName, countDownloads } from './logs.mjs'
import { compare, formatMs, median, tail, unavailableRow } from './measure.mjs'

export const PROMOTE_TARGET = 0.2
export const MERGE_TARGET_MS = 1000
const NOT_AVAILABLE = 'not available in this bundle'

/** Whether this checkout's action.yml has the merge input (and with it the registry-side copy). */
function bundleHasMerge() {
  return hasInput('merge')
}

function forced(name) {
  return (process.env.BENCH_FORCE ?? '').split(',').includes(name)
}

/** A section whose target rows are not measured: the bundle lacks the feature. */
function unavailable(name, title, rows, why) {
  return { name, title, method: [why], rows, notes: [], unavailable: true }
}

/** Logs in to the TLS registry (untimed set-up), runs `fn`, logs out. */
async function loggedIn(ctx, w, fn) {
  w.docker(['login', '--username', ctx.services.username, '--password-stdin', ctx.services.tls], {
    input: ctx.services.password
  })
  try {
    return await fn()
  } finally {
    w.docker(['logout', ctx.services.tls], { allowFail: true })
  }
}

/** The promote case's section: the action's registry-side copy vs pull + tag + push. */
export async function benchPromote(ctx, w) {
  const title = 'Promote: an image in a registry copied to another repository, registry-side'
  const label = 'promote a 120 MB image registry-side vs `docker pull` + `docker tag` + `docker push`'
  if (!bundleHasMerge() && !forced('promote'))
    return unavailable(
      'promote',
      title,
      [unavailableRow(label, `≤ ${PROMOTE_TARGET.toFixed(2)}×`, NOT_AVAILABLE)],
      `action.yml has no \`merge\` input, so this bundle has neither the merge nor the registry-side copy of issue 13: ${NOT_AVAILABLE}. The case runs by itself once it has.`
    )
  const tls = ctx.services.tls
  const name = `promote-${w.name}`
  const dir = ctx.makeContext(name, 'promote', { binariesMb: 60, randomLayers: 3, layerMb: LAYER_MB })
  const source = `${tls}/${ctx.ns}/${name}-source:1`
  // Built and pushed by the classic engine, so this world's engine has never held its
  // layers (its build cache would keep them, and every pull would find them there),
  // and a plain image manifest, as a promoted release usually is: buildx's default
  // attestation would make it an index whose attestation a pull does not fetch.
  const builder = ctx.world('classic')
  ctx.progress(`promote ${w.name}: building and pushing the 120 MB source image (classic engine)`)
  builder.prebuild(dir, source)
  const size = ctx.dirBytes(dir)
  ctx.removeContext(name)
  await loggedIn(ctx, builder, async () => builder.docker(['push', source]))
  builder.removeRefs([source])
  const made = [source]
  const forget = () => w.removeRefs(made)
  const paths = new Set()
  const samples = await ctx.alternate(`promote ${w.name}`, {
    action: async (i) => {
      forget()
      made.push(`${tls}/${ctx.ns}/${name}-action-${i}:v1`)
      const run = await w.runAction({
        registry: tls,
        username: ctx.services.username,
        password: ctx.services.password,
        images: `${tls}/${ctx.ns}/${name}-action-${i}`,
        tags: 'v1',
        latest: 'false',
        'source-image': source
      })
      if (!run.outputs.digest) throw new Error(`the action set no digest output:\n${tail(run.log)}`)
      const commands = [...run.log.matchAll(/^\[command\]\S*docker (.*)$/gm)].map((m) => commandName(m[1]))
      paths.add(commands.join(' → '))
      return { ms: run.ms, downloaded: countDownloads(run.log) }
    },
    'pull + tag + push': async (i) => {
      forget()
      made.push(`${tls}/${ctx.ns}/${name}-script-${i}:v1`)
      const run = await w.bash(
        'docker login --username "$3" --password-stdin "$4" <"$5" && docker pull "$1" && docker tag "$1" "$2" && docker push "$2" && docker logout "$4"',
        [source, `${tls}/${ctx.ns}/${name}-script-${i}:v1`, ctx.services.username, tls, ctx.services.passwordFile]
      )
      return { ms: run.ms, downloaded: countDownloads(run.stdout) }
    }
  })
  forget()
  return {
    name: 'promote',
    title,
    method: [
      `Source: \`FROM ${ctx.services.baseImage}\` plus 60 MB of shared libraries and 3 × ${LAYER_MB} MB random layers (${(size / 1024 / 1024).toFixed(0)} MB of files), built and pushed once to the TLS registry by the classic engine (so this engine never held its layers, and it is a plain image manifest), and removed from this engine before every run, so that every pull really downloads (the notes count the layers). Each run promotes it to a new repository on the same registry (with login).`,
      'Action: `registry`/`username`/`password`, `images` = the new repository, `tags: v1`, `latest: false`, `source-image` = the source reference; main + post step. Script: `docker login --password-stdin`, `docker pull SRC && docker tag SRC DST && docker push DST`, `docker logout` — the user’s way without the action.'
    ],
    rows: [
      compare(label, samples.action, samples['pull + tag + push'], {
        target: PROMOTE_TARGET,
        baselineName: 'pull + tag + push'
      })
    ],
    notes: [
      `The action's docker commands: ${[...paths].map((p) => `\`${p}\``).join('; ')}.`,
      `Layers downloaded per run: action ${samples.action.map((s) => s.downloaded).join(', ')}; script ${samples['pull + tag + push'].map((s) => s.downloaded).join(', ')}.`
    ]
  }
}

/** The merge case's section: the action's merge step of two pushed parts, ≤ 1 s. */
export async function benchMerge(ctx, w) {
  const title = 'Merge: one image index from two pushed parts'
  const label = 'merge step of two already-pushed parts (linux/amd64, linux/arm64), loopback'
  if (!bundleHasMerge() && !forced('merge'))
    return unavailable(
      'merge',
      title,
      [unavailableRow(label, `≤ ${formatMs(MERGE_TARGET_MS)}`, NOT_AVAILABLE)],
      `action.yml has no \`merge\` input: ${NOT_AVAILABLE}. The case runs by itself once it has.`
    )
  const tls = ctx.services.tls
  const login = { registry: tls, username: ctx.services.username, password: ctx.services.password }
  const platforms = ['linux/amd64', 'linux/arm64']
  const parts = []
  // Every run merges parts of its own: a repository per run, both parts pushed first (untimed).
  for (let i = 0; i < ctx.runs; i++) {
    const repo = `${tls}/${ctx.ns}/merge-${w.name}-${i}`
    const digests = []
    for (const platform of platforms) {
      const name = `merge-${w.name}-${i}-${platform.replace('/', '-')}`
      const dir = ctx.makeContext(name, 'merge', { from: 'scratch', randomLayers: 1, layerMb: 4 })
      const run = await w.runAction({
        ...login,
        images: repo,
        tags: 'v1',
        latest: 'false',
        context: path.relative(ctx.workspace, dir),
        platforms: platform,
        merge: 'part'
      })
      ctx.removeContext(name)
      digests.push(run.outputs.digest)
    }
    parts.push({ repo, digests })
  }
  const samples = await ctx.alternate(
    `merge ${w.name}`,
    Object.fromEntries([
      [
        'action',
        async (i) => {
          const run = await w.runAction({
            ...login,
            images: parts[i].repo,
            tags: 'v1',
            latest: 'false',
            merge: platforms.join(', ')
          })
          if (!run.outputs.digest) throw new Error(`the merge step set no digest output:\n${tail(run.log)}`)
          return { ms: run.ms }
        }
      ],
      ...(parts.every((p) => p.digests.every(Boolean))
        ? [
            [
              'imagetools create',
              async (i) => {
                const { repo, digests } = parts[i]
                const run = await w.bash(
                  'docker login --username "$2" --password-stdin "$3" <"$4" && docker buildx imagetools create --tag "$1:by-hand" "${@:5}" && docker logout "$3"',
                  [repo, ctx.services.username, tls, ctx.services.passwordFile, ...digests.map((d) => `${repo}@${d}`)]
                )
                return { ms: run.ms }
              }
            ]
          ]
        : [])
    ])
  )
  return {
    name: 'merge',
    title,
    method: [
      `Parts: for each run a new repository on the TLS registry, and two action runs into it, \`merge: part\` with \`platforms: linux/amd64\` and \`linux/arm64\` (\`FROM scratch\` plus a 4 MB file, so no emulation is needed), untimed.`,
      'Timed: the action’s merge step, `registry`/`username`/`password`, `images`, `tags: v1`, `latest: false`, `merge: linux/amd64, linux/arm64`; main + post step; target ≤ 1 s on loopback. For information, beside it: `docker login`, `docker buildx imagetools create --tag REPO:by-hand PART1@DIGEST PART2@DIGEST`, `docker logout` — the index a user makes by hand from the parts’ digests.'
    ],
    rows: [
      compare(label, samples.action, samples['imagetools create'] ?? [], {
        absoluteTarget: MERGE_TARGET_MS,
        baselineName: 'imagetools create by hand'
      })
    ],
    notes: [`Median of the action's merge step: ${formatMs(median(samples.action.map((s) => s.ms)))}.`]
  }
}
