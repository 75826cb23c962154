// scripts/lint-workflows.mjs (npm run lint:workflows) passes the repository's workflows
// and README, and catches broken ones: it is run as a process, the way scripts/test.sh
// runs it, on the real files and on broken ones written to a temporary folder.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from '@jest/globals'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const SCRIPT = join(ROOT, 'scripts', 'lint-workflows.mjs')
const TMP = mkdtempSync(join(tmpdir(), 'lint-workflows-'))
afterAll(() => rmSync(TMP, { recursive: true, force: true }))

function lint(...files: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [SCRIPT, ...files], { cwd: TMP, encoding: 'utf8', timeout: 60000 })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

function write(name: string, lines: string[]): string {
  const path = join(TMP, name)
  writeFileSync(path, lines.join('\n') + '\n')
  return name
}

/** A valid workflow that uses this action; each broken case changes one thing in it. */
const GOOD = [
  'on: push', //                                     1
  'jobs:', //                                        2
  '  image:', //                                     3
  '    runs-on: ubuntu-latest', //                   4
  '    steps:', //                                   5
  '      - uses: actions/checkout@v4', //            6
  '      - id: ship', //                             7
  '        uses: ship-image/ship-image@v1', //       8
  '        with:', //                                9
  '          images: ghcr.io/octo-org/app', //      10
  '      - uses: ./', //                            11
  '        with:', //                               12
  '          images: localhost:5000/app', //        13
  '          push: false', //                       14
  '      - run: echo "${{ steps.ship.outputs.digest }}"' // 15
]
const change = (line: number, text: string | null): string[] =>
  GOOD.flatMap((l, i) => (i === line - 1 ? (text === null ? [] : [text]) : [l]))

describe('lint-workflows on the repository', () => {
  it('passes .github/workflows and every workflow, job and steps block of README.md and docs/', () => {
    const { status, stdout, stderr } = lint()
    expect(stderr).toBe('')
    expect(status).toBe(0)
    const counts = /no problems in (\d+) workflow file\(s\), (\d+) markdown YAML block\(s\) \((\d+) wrapped\)/.exec(
      stdout
    )
    expect(counts).not.toBeNull()
    const [, workflows, blocks] = (counts ?? []).map(Number)
    expect(workflows).toBeGreaterThanOrEqual(1) // ci.yml
    // The README's recipes: GHCR with a cache and pull requests, tarball, two registries and promote,
    // sign keyless and attest, sign with a key, merge.
    expect(blocks).toBeGreaterThanOrEqual(6)
  })

  it("has a recipe, among the blocks it lints, for each of the README's workflows", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
    const blocks = [...readme.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((m) => m[1])
    for (const line of [
      /^ +cache: registry$/m, // GHCR, with a cache and pull requests
      /^ +push: \$\{\{ github\.event_name != 'pull_request' \}\}$/m,
      /^ +save: \$\{\{ runner\.temp \}\}\/image\.tar\.zst$/m, // tarball between jobs
      /^ +source-image: image\.tar\.zst$/m,
      /^ +registry-auth: \|$/m, // two registries, promote
      /^ +tags: stable$/m,
      /^ +sign: keyless$/m, // sign and attest
      /^ +- uses: actions\/attest@v4$/m,
      /^ +sign: key$/m, // sign with a key
      /^ +cosign-key: \$\{\{ secrets\.COSIGN_PRIVATE_KEY \}\}$/m,
      /^ +merge: part$/m, // merge
      /^ +merge: linux\/amd64, linux\/arm64$/m
    ]) {
      expect(blocks.filter((block) => line.test(block)).length).toBeGreaterThan(0)
    }
  })
})

describe('lint-workflows on broken workflows', () => {
  it('passes the valid workflow the broken ones are made from', () => {
    const { status, stderr } = lint(write('good.yml', GOOD))
    expect(stderr).toBe('')
    expect(status).toBe(0)
  })

  it.each<[string, string, string[], RegExp]>([
    [
      'runs-on missing',
      'no-runs-on.yml',
      change(4, null),
      /^no-runs-on\.yml:3:3: "runs-on" section is missing in job "image"/m
    ],
    [
      'steps misspelled',
      'steps-typo.yml',
      change(5, '    step:'),
      /^steps-typo\.yml:5:5: unexpected key "step" for "job" section/m
    ],
    [
      'uses misspelled',
      'uses-typo.yml',
      change(6, '      - use: actions/checkout@v4'),
      /^uses-typo\.yml:6:9: unexpected key "use" for "step" section/m
    ],
    [
      'uses without a ref',
      'no-ref.yml',
      change(6, '      - uses: actions/checkout'),
      /^no-ref\.yml:6:15: specifying action "actions\/checkout" in invalid format/m
    ],
    [
      'an unknown expression',
      'bad-expression.yml',
      change(15, '      - run: echo "${{ step.ship.outputs.digest }}"'),
      /^bad-expression\.yml:15:\d+: undefined variable "step"/m
    ],
    [
      'an input this action does not have',
      'bad-input.yml',
      change(10, '          image: ghcr.io/octo-org/app'),
      /^bad-input\.yml:10:11: input "image" is not defined in action\.yml/m
    ],
    [
      'a required input missing',
      'no-images.yml',
      change(13, null),
      /^no-images\.yml:11:15: missing input "images", which action\.yml requires/m
    ],
    [
      'an output this action does not have',
      'bad-output.yml',
      change(15, '      - run: echo "${{ steps.ship.outputs.digests }}"'),
      /^bad-output\.yml:15:\d+: output "digests" of step "ship" is not defined in action\.yml/m
    ],
    [
      'invalid YAML',
      'bad-yaml.yml',
      change(10, '          images: [unclosed'),
      /^bad-yaml\.yml:\d+:\d+: .*\[syntax-check\]/m
    ]
  ])('fails on %s, naming the file and line', (_, name, lines, expected) => {
    const { status, stdout, stderr } = lint(write(name, lines))
    expect(status).toBe(1)
    expect(stderr).toMatch(expected)
    expect(stderr).toMatch(/^lint-workflows: \d+ problem\(s\) in 1 workflow file\(s\)/m)
    expect(stdout).toBe('')
  })

  it('reports problems of markdown blocks at the markdown line, wrapping job and steps snippets', () => {
    const doc = write('doc.md', [
      '# Doc', //                                          1
      '', //                                               2
      '```yaml', //                                        3
      ...change(5, '    step:'), //                       4-18: line 5 of the workflow is line 8
      '```', //                                           19
      '', //                                              20
      '```yaml', //                                       21
      '      - uses: ship-image/ship-image@v1', //        22
      '        with:', //                                 23
      '          images: app', //                         24
      '          tag: latest', //                         25
      '```', //                                           26
      '', //                                              27
      '- a list item:', //                                28
      '', //                                              29
      '  ```yml', //                                      30
      '  runs-on: ubuntu-latest', //                      31
      '  steps:', //                                      32
      '    - uses: actions/checkout', //                  33
      '  ```', //                                         34
      '', //                                              35
      '```yaml', //                                       36
      'not: a workflow', //                               37
      '```', //                                           38
      '', //                                              39
      '<!-- lint-workflows: skip -->', //                 40
      '```yaml', //                                       41
      'on: push', //                                      42
      'jobs: {broken: true}', //                          43
      '```' //                                            44
    ])
    const { status, stderr } = lint(doc)
    expect(status).toBe(1)
    expect(stderr).toMatch(/^doc\.md:8:5: unexpected key "step" for "job" section.* \(yaml block 1 of 5\)$/m)
    expect(stderr).toMatch(
      /^doc\.md:25:11: input "tag" is not defined in action\.yml.* \(yaml block 2 of 5, steps wrapped in a workflow\)$/m
    )
    expect(stderr).toMatch(
      /^doc\.md:33:13: specifying action "actions\/checkout" in invalid format.* \(yaml block 3 of 5, job wrapped in a workflow\)$/m
    )
    expect(stderr).toMatch(/3 markdown YAML block\(s\) \(2 wrapped\), 2 skipped/)
    expect(stderr.match(/^doc\.md:/gm)).toHaveLength(4) // the two "steps" problems of block 1, one each in 2 and 3
  })

  it('fails when there is nothing to lint, so that it cannot pass by linting nothing', () => {
    const { status, stderr } = lint(write('empty.md', ['# Nothing', '', '```yaml', 'key: value', '```']))
    expect(status).toBe(1)
    expect(stderr).toMatch(/^lint-workflows: nothing to lint/m)
  })
})
