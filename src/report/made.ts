// What made the image, as the summary's first line says it: the builder, the
// Dockerfile, the stage and the platforms of a build; the image retagged, the
// tarball loaded, or the parts merged. From the plan's typed steps. Pure.
import * as path from 'node:path'
import type { Plan } from '../plan/steps.js'
import type { Made } from './summary.js'

export function madeOf(plan: Plan): Made {
  const image = plan.image
  if (image.kind === 'retag') return { kind: 'retag', source: image.source }
  if (image.kind === 'load') return { kind: 'load', source: image.path }
  if (image.kind === 'merge') {
    const platforms = image.repositories[0]?.parts.map((p) => p.platform) ?? []
    return { kind: 'merge', platforms, imagetools: image.tool === 'imagetools' }
  }
  const dockerfile = image.dockerfile && path.relative(plan.workspace, image.dockerfile)
  return {
    kind: 'build',
    builder: plan.builder === 'buildx' ? 'buildx' : plan.buildkit ? 'BuildKit' : 'the classic builder',
    dockerfile: dockerfile && (dockerfile.startsWith('..') ? image.dockerfile : dockerfile),
    target: image.target,
    platforms: image.platforms
  }
}
