// plan/command-lines.ts: the commands the dry run prints, in order, with every secret as ***.
import { describe, expect, it } from '@jest/globals'
import type { BuildInputs } from '../../../src/inputs/build.js'
import { commandLines } from '../../../src/plan/command-lines.js'
import { ghcr, local, plainBuild, plan } from '../../__fixtures__/plan.js'
import { PASSWORD } from '../../__fixtures__/inputs.js'

describe('commandLines (the dry run)', () => {
  it('lists every command in order, with the password and secrets as ***', () => {
    const build: BuildInputs = {
      ...plainBuild,
      buildArgs: [{ key: 'MSG', value: "it's here" }],
      cacheFrom: [{ type: 'registry', attrs: [['ref', 'localhost:5000/app:latest']] }],
      secrets: [{ id: 'tok', value: PASSWORD }]
    }
    const p = plan(
      {
        registry: 'ghcr.io',
        credentials: { username: 'alice', password: PASSWORD },
        images: [ghcr],
        tags: ['v1', 'latest'],
        source: { kind: 'build', build },
        save: { path: '/ws/out dir/i.tar.gz', format: 'gzip', level: 3 }
      },
      'docker',
      false
    )
    expect(commandLines(p)).toEqual([
      "echo '***' | docker login --username alice --password-stdin ghcr.io",
      'docker pull localhost:5000/app:latest',
      "SHIP_IMAGE_SECRET_1='***' docker build --file /ws/Dockerfile --tag ghcr.io/org/app:v1 --tag ghcr.io/org/app:latest --build-arg 'MSG=it'\\''s here' --cache-from localhost:5000/app:latest --secret id=tok,env=SHIP_IMAGE_SECRET_1 --iidfile /tmp/run/iid /ws",
      'docker push ghcr.io/org/app:v1',
      'docker push ghcr.io/org/app:latest',
      "docker image save ghcr.io/org/app:v1 ghcr.io/org/app:latest | gzip -3 > '/ws/out dir/i.tar.gz'"
    ])
    expect(commandLines(p).join('\n')).not.toContain(PASSWORD)
  })

  it('shows a retag as inspect-or-pull, then one tag per target', () => {
    const p = plan({
      images: [local],
      tags: ['v2'],
      source: { kind: 'image', ref: 'localhost:5000/app:v1' },
      push: false
    })
    expect(commandLines(p)).toEqual([
      "docker image inspect --format '{{.Id}}' localhost:5000/app:v1 || docker pull localhost:5000/app:v1",
      'docker image tag localhost:5000/app:v1 localhost:5000/app:v2'
    ])
  })
})
