// Cases promote and merge (issue 13), in the hosted world: an image already in a
// registry copied to another repository registry-side (`source-image` pushed with
// buildx: `docker buildx imagetools create`) vs `docker pull` + `docker tag` +
// `docker push`; and the merge step of two pushed parts (`merge: part` per platform,
// then `merge: linux/amd64, linux/arm64`), ≤ 1 s.
import { randomBytes } from 'node:crypto'
import * as path from 'node:path'
import { LAYER_MB, dirBytes } from './context.mjs'
import { commandName, countDownloads } from './logs.mjs'
import { compare, formatMs, median, tail } from './measure.mjs'

export const PROMOTE_TARGET = 0.2
export const MERGE_TARGET_MS = 1000

/**
 * The registry of the promote and merge cases: the plain one. buildx's own registry
 * client (imagetools) reaches a loopback registry over plain HTTP and does not read
 * /etc/docker/certs.d, so it cannot use the TLS registry on localhost:5443 here
 * (it gets 400 from the TLS port); a real registry is TLS with a public certificate.
 * The plain registry accepts any login, so the action still logs in as in a workflow.
 */
function registryOf(ctx) {
  return ctx.services.plain
}

/** The promote case's section: the action's registry-side copy vs pull + tag + push. */
export async function benchPromote(ctx, w) {
  const title = 'Promote: an image in a registry copied to another repository, registry-side'
  const label = 'promote a 120 MB image index registry-side vs `docker pull` + `docker tag` + `docker push`'
  const singleLabel =
    'promote a 120 MB single image manifest (engine path with buildx 0.13) vs `docker pull` + `docker tag` + `docker push` (information)'
  const registry = registryOf(ctx)
  const name = `promote-${w.name}`
  const builder = ctx.world('classic')
  const dir = builder.makeContext(name, 'promote', { binariesMb: 60, randomLayers: 3, layerMb: LAYER_MB })
  const manifest = `${registry}/${ctx.ns}/${name}-source:1`
  const index = `${registry}/${ctx.ns}/${name}-index:1`
  // Built and pushed by the classic engine, so this world's engine has never held its
  // layers (its build cache would keep them, and every pull would find them there).
  ctx.progress(`promote ${w.name}: building and pushing the 120 MB source image (classic engine)`)
  await builder.prebuild([{ dir, tag: manifest }])
  const size = dirBytes(dir)
  ctx.removeContext(name)
  builder.docker(['push', manifest])
  builder.removeRefs([manifest])
  // The same image as an index (what buildx pushes by default, with several platforms or an
  // attestation), made registry-side from the manifest: no layer reaches this engine either.
  w.docker(['buildx', 'imagetools', 'create', '--tag', index, manifest])
  const made = [manifest, index]
  const forget = () => w.removeRefs(made)
  const paths = { index: new Set(), manifest: new Set() }
  const action = (kind, source) => async (i) => {
    forget()
    const target = `${registry}/${ctx.ns}/${name}-action-${kind}-${i}`
    made.push(`${target}:v1`)
    const run = await w.runAction({
      registry,
      username: ctx.services.username,
      password: ctx.services.password,
      images: target,
      tags: 'v1',
      latest: 'false',
      'source-image': source
    })
    if (!run.outputs.digest) throw new Error(`the action set no digest output:\n${tail(run.log)}`)
    const commands = [...run.log.matchAll(/^\[command\]\S*docker (.*)$/gm)].map((m) => commandName(m[1]))
    paths[kind].add(commands.join(' → '))
    return { ms: run.ms, downloaded: countDownloads(run.log) }
  }
  const script = (kind, source) => async (i) => {
    forget()
    const target = `${registry}/${ctx.ns}/${name}-script-${kind}-${i}:v1`
    made.push(target)
    const run = await w.bash(
      'docker login --username "$3" --password-stdin "$4" <"$5" && docker pull "$1" && docker tag "$1" "$2" && docker push "$2" && docker logout "$4"',
      [source, target, ctx.services.username, registry, ctx.services.passwordFile]
    )
    return { ms: run.ms, downloaded: countDownloads(run.stdout) }
  }
  const samples = await ctx.alternate(`promote ${w.name}`, {
    'action, index': action('index', index),
    'pull + tag + push, index': script('index', index),
    'action, manifest': action('manifest', manifest),
    'pull + tag + push, manifest': script('manifest', manifest)
  })
  forget()
  const downloads = (side) => samples[side].map((s) => s.downloaded).join(', ')
  return {
    name: 'promote',
    title,
    method: [
      `Source: \`FROM ${builder.info.baseImage}\` plus 60 MB of shared libraries and 3 × ${LAYER_MB} MB random layers (${(size / 1024 / 1024).toFixed(0)} MB of files), built and pushed once by the classic engine as a plain image manifest (so this engine never held its layers), and the same image as an image index made from it registry-side (\`buildx imagetools create\`). Both are removed from this engine before every run, so that every pull really downloads (the notes count the layers). Each run promotes one of them to a new repository of the same registry.`,
      'Registry: the plain loopback one. buildx 0.13’s registry client (imagetools) speaks plain HTTP to a loopback registry and does not read /etc/docker/certs.d, so it cannot reach the TLS registry on localhost:5443; both sides log in (the plain registry accepts any login).',
      'Action: `registry`/`username`/`password`, `images` = the new repository, `tags: v1`, `latest: false`, `source-image` = the source reference; main + post step. Script: `docker login --password-stdin`, `docker pull SRC && docker tag SRC DST && docker push DST`, `docker logout` — the user’s way without the action.',
      'The target row is the index: buildx copies it registry-side. A single manifest is copied registry-side only by a buildx with `--prefer-index=false` (0.14 and later; GitHub’s runners have 0.36); with this world’s 0.13 the action takes the engine path for it (pull, tag, push, with a warning if the digest changes), so that row is for information.'
    ],
    rows: [
      compare(label, samples['action, index'], samples['pull + tag + push, index'], {
        target: PROMOTE_TARGET,
        baselineName: 'pull + tag + push'
      }),
      compare(singleLabel, samples['action, manifest'], samples['pull + tag + push, manifest'], {
        baselineName: 'pull + tag + push'
      })
    ],
    notes: [
      `The action's docker commands, index: ${[...paths.index].map((p) => `\`${p}\``).join('; ')}; single manifest: ${[...paths.manifest].map((p) => `\`${p}\``).join('; ')}.`,
      `Layers downloaded per run: index, action ${downloads('action, index')}, script ${downloads('pull + tag + push, index')}; single manifest, action ${downloads('action, manifest')}, script ${downloads('pull + tag + push, manifest')}.`
    ]
  }
}

/** The merge case's section: the action's merge step of two pushed parts, ≤ 1 s. */
export async function benchMerge(ctx, w) {
  const title = 'Merge: one image index from two pushed parts'
  const label = 'merge step of two already-pushed parts (linux/amd64, linux/arm64), loopback'
  const registry = registryOf(ctx)
  const login = { registry, username: ctx.services.username, password: ctx.services.password }
  const platforms = ['linux/amd64', 'linux/arm64']
  const parts = []
  // Every run merges parts of its own: a repository per run, both parts pushed first (untimed).
  for (let i = 0; i < ctx.runs; i++) {
    const repo = `${registry}/${ctx.ns}/merge-${w.name}-${i}`
    // The parts and the merge of one run are of one commit, as in a workflow run.
    const sha = randomBytes(20).toString('hex')
    const digests = []
    for (const platform of platforms) {
      const name = `merge-${w.name}-${i}-${platform.replace('/', '-')}`
      const dir = w.makeContext(name, 'merge', { from: 'scratch', randomLayers: 1, layerMb: 4 })
      const run = await w.runAction(
        {
          ...login,
          images: repo,
          tags: 'v1',
          latest: 'false',
          context: path.relative(ctx.workspace, dir),
          platforms: platform,
          merge: 'part'
        },
        { sha }
      )
      ctx.removeContext(name)
      digests.push(run.outputs.digest)
    }
    parts.push({ repo, digests, sha })
  }
  const samples = await ctx.alternate(
    `merge ${w.name}`,
    Object.fromEntries([
      [
        'action',
        async (i) => {
          const run = await w.runAction(
            {
              ...login,
              images: parts[i].repo,
              tags: 'v1',
              latest: 'false',
              merge: platforms.join(', ')
            },
            { sha: parts[i].sha }
          )
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
                  [
                    repo,
                    ctx.services.username,
                    registry,
                    ctx.services.passwordFile,
                    ...digests.map((d) => `${repo}@${d}`)
                  ]
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
      `Parts: for each run a new repository on the plain loopback registry (buildx 0.13’s imagetools cannot reach the TLS one on localhost, see the promote case), and two action runs into it, \`merge: part\` with \`platforms: linux/amd64\` and \`linux/arm64\` (\`FROM scratch\` plus a 4 MB file, so no emulation is needed), untimed.`,
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
