// A pull request from a fork, end to end: no secrets, so push: true builds the image
// and skips the push with a warning.
import { describe, expect, it } from '@jest/globals'
import * as fs from 'node:fs'
import { setup, commands, docker, eventEnv, fetchManifest, makeWorkspace, runMain, uniqueName } from './harness.js'

const { s } = setup()

describe('a pull request from a fork', () => {
  it('with push: true and no credentials, builds the image and skips the push with a warning', async () => {
    const ws = makeWorkspace()
    const name = uniqueName('fork')
    const repository = `${s.plain}/${name}`
    const payload = {
      pull_request: {
        number: 12,
        head: { sha: 'fedcba9876543210fedcba9876543210fedcba98', repo: { full_name: 'someone/octo-app', fork: true } },
        base: { repo: { full_name: 'Octo-Org/Octo-App' } }
      }
    }
    const result = await runMain(
      ws,
      { images: repository, context: 'app', push: 'true' },
      eventEnv(ws, 'pull_request', 'refs/pull/12/merge', 'a'.repeat(40), payload)
    )
    expect(result.code).toBe(0)
    expect(commands(result.log, 'warning')).toContainEqual(
      `::warning::Not pushing: a pull request from the fork someone/octo-app gets no secrets, and there is no login for ${s.plain}, so the push would fail. The image is built, and the outputs say nothing was pushed. Fix: push only outside pull requests (push: \${{ github.event_name != 'pull_request' }}), or give username and password for a registry that fork pull requests may push to.`
    )
    // Built: the image is in the engine under its tags. Not pushed: the registry (which takes anonymous pushes) has nothing.
    expect(docker(['image', 'inspect', '--format', '{{.Id}}', `${repository}:pr-12`])).toBe(result.outputs.imageid)
    expect(result.log).not.toContain(`docker push ${repository}`)
    expect((await fetchManifest(s.plain, name, 'pr-12')).status).toBe(404)
    expect(result.outputs.digest).toBe('')
    expect(result.outputs.refs).toBe('')
    expect(fs.readFileSync(ws.summaryFile, 'utf8')).toContain('nothing pushed')
  })
})
