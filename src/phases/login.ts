// The login phase: `docker login` to one registry, the password on standard input,
// into this run's own docker config; a refused password is said in words that fit.
import type { Docker, RunResult } from '../docker/docker.js'
import { loginFailure } from '../docker/output.js'
import type { DockerError } from '../domain/errors.js'
import * as render from '../plan/render.js'
import type { Login } from '../plan/steps.js'
import * as log from '../runner/log.js'

export async function logIn(docker: Docker, login: Login, password: string, attempts: number): Promise<void> {
  const { registry, username } = login
  await log.group(`Logging in to ${registry} as ${username}`, async () => {
    const failure = (result: RunResult): DockerError => loginFailure(registry, username, result.stderr)
    await docker.runRetrying(
      render.loginArgs(login),
      { registry, attempts, failure },
      { input: password, silent: true }
    )
    log.info(`Logged in to ${registry} as ${username}.`)
  })
}
