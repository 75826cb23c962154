// The sign phase: cosign signs each repository's pushed digest (never a tag), one
// after another, its key (or the OIDC token request) in the cosign process's
// environment alone. What was pushed stays pushed when a signature fails: the
// error names the digests that are not signed.
import type { CommandRunner } from '../docker/docker.js'
import { errorSummary } from '../docker/output.js'
import { DockerError } from '../domain/errors.js'
import type { Pushed } from '../domain/image.js'
import * as render from '../plan/render.js'
import type { SignStep } from '../plan/steps.js'
import * as log from '../runner/log.js'

/** The repositories' `repository@digest`, once each, in order. */
export function signedRefs(pushed: Pushed[]): string[] {
  return [...new Set(pushed.map((p) => `${p.target.repository.name}@${p.digest}`))]
}

export async function signAll(
  cosign: CommandRunner,
  step: SignStep,
  pushed: Pushed[],
  env: Record<string, string>,
  signed: (ref: string) => void
): Promise<void> {
  const refs = signedRefs(pushed)
  if (refs.length === 0) return
  await log.group(`Signing ${log.counted(refs.length, 'digest')} with cosign (${step.mode})`, async () => {
    for (const [i, ref] of refs.entries()) {
      const result = await cosign.run(render.cosignSignArgs(ref, step), { env })
      if (result.exitCode !== 0) {
        const unsigned = refs.slice(i)
        throw new DockerError(
          `cosign could not sign ${ref}: ${errorSummary(result.stderr, result.stdout)}. Pushed and not signed: ${unsigned.join(', ')}.`
        )
      }
      signed(ref)
      log.info(`Signed ${ref}.`)
    }
  })
}
