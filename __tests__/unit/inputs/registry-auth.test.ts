// inputs/registry-auth.ts: login-action's list of registries and their credentials.
import { describe, expect, it, test } from '@jest/globals'
import { Report } from '../../../src/inputs/parse.js'
import { parseRegistryAuth } from '../../../src/inputs/registry-auth.js'

describe('parseRegistryAuth', () => {
  function read(text: string): { entries: ReturnType<typeof parseRegistryAuth>; report: Report } {
    const report = new Report()
    return { entries: parseRegistryAuth(text, report), report }
  }

  it('reads login-action’s list, quotes removed, comments and blank lines skipped', () => {
    const { entries, report } = read(
      [
        '# Docker Hub first',
        '- registry: docker.io',
        '  username: alice',
        '  password: "p: #a*ss"',
        '',
        '- registry: ghcr.io',
        "  username: 'octo'",
        "  password: it''s: # not a comment",
        '- username: bob',
        '  password: plain'
      ].join('\n')
    )
    expect(entries).toEqual([
      { line: 2, registry: 'docker.io', username: 'alice', password: 'p: #a*ss' },
      { line: 6, registry: 'ghcr.io', username: 'octo', password: "it''s: # not a comment" },
      { line: 9, username: 'bob', password: 'plain' }
    ])
    expect(report.problems).toEqual([])
    expect(report.masks).toEqual(['p: #a*ss', "it''s: # not a comment", 'plain'])
  })

  it('refuses a line it cannot read by its number, and masks what follows its colon', () => {
    const { report } = read('- registry: ghcr.io\n  username: u\n  pasword: hunter2\n  password: p')
    expect(report.problems.map((p) => p.message)).toEqual([
      `Input 'registry-auth': line 3 is not a registry, username or password line. Fix: write one entry per registry: a line "- registry: host", then "  username: …" and "  password: …" below it, as login-action takes it.`
    ])
    expect(report.masks).toContain('hunter2')
    expect(report.problems[0].message).not.toContain('hunter2')
  })

  test.each([
    ['a line before any entry', 'username: u\n- registry: x'],
    ['a flow list', '[{registry: ghcr.io}]'],
    ['a key given twice', '- registry: a\n  registry: b\n  username: u\n  password: p']
  ])('refuses %s', (_label, text) => {
    expect(read(text).report.problems).toHaveLength(1)
  })

  it('leaves out, with a warning, an entry without a password (a fork’s empty secret)', () => {
    const { entries, report } = read(
      '- registry: ghcr.io\n  username: u\n  password:\n- registry: quay.io\n  username: q\n  password: p'
    )
    expect(entries.map((e) => e.registry)).toEqual(['quay.io'])
    expect(report.warnings.map((w) => w.message)).toEqual([
      'The registry-auth entry of line 1 has no password, so the action does not log in to ghcr.io (a secret is empty on pull requests from forks).'
    ])
  })
})
