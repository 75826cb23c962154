// phases/login.ts: docker login against the scripted docker: what it says, and a wrong password
// tried once.
import { describe, expect, it } from '@jest/globals'
import { logIn } from '../../../src/phases/login.js'
import { UNAUTHORIZED } from '../../__fixtures__/docker.js'
import { capture, docker, fake, planned, usePhases } from '../../__fixtures__/phases.js'
import { PASSWORD } from '../../__fixtures__/inputs.js'

usePhases()

describe('logIn', () => {
  const login = (): Promise<void> => {
    const { plan, secrets } = planned({ username: 'alice', password: PASSWORD, registry: 'localhost:5443' })
    const [login] = plan.logins
    if (!login) throw new Error('the plan has no login')
    return logIn(docker, login, secrets.passwords[0], plan.attempts)
  }

  it('says who logged in where, in a group', async () => {
    await login()
    expect(capture.lines()).toEqual([
      '::group::Logging in to localhost:5443 as alice',
      'Logged in to localhost:5443 as alice.',
      '::endgroup::'
    ])
  })

  it('tries a wrong password once, and says which inputs to check', async () => {
    fake.on(['login'], UNAUTHORIZED)
    await expect(login()).rejects.toThrow(
      /^Login to localhost:5443 as alice failed: login attempt to https:\/\/localhost:5443\/v2\/ failed with status: 401 Unauthorized\. Check the username and password inputs \(a token needs permission to push\)\.$/
    )
    expect(fake.calls).toHaveLength(1)
    expect(capture.commands('warning')).toEqual([])
  })
})
