// scripts/lib/action-yml.mjs is the one reader of action.yml (the README reference,
// the workflow lint, the bench and the tests that check the code against action.yml).
import { describe, expect, it } from '@jest/globals'
import { readAction, readActionFile } from '../../../scripts/lib/action-yml.mjs'

describe('readAction', () => {
  const ACTION_YML = [
    'name: x',
    'inputs:',
    '  images:',
    '    description: Repositories.',
    '    required: true',
    '  level:',
    "    required: 'true'",
    '    default: 3',
    '  notes:',
    '    description: |',
    '      First line',
    '',
    '      second paragraph.',
    '    required: false',
    "    default: ''",
    '  old:',
    '    deprecationMessage: Use images.',
    'outputs:',
    '  digest:',
    '    description: The digest.',
    '  tarball:',
    'runs:',
    '  using: node24',
    '  main: dist/index.js',
    '  post-if: always()',
    ''
  ].join('\n')

  it('gives the inputs in file order, with required, default, one-line description and deprecation', () => {
    expect(readAction(ACTION_YML).inputs).toEqual([
      {
        name: 'images',
        required: true,
        default: undefined,
        description: 'Repositories.',
        deprecationMessage: undefined
      },
      { name: 'level', required: true, default: '3', description: '', deprecationMessage: undefined },
      {
        name: 'notes',
        required: false,
        default: '',
        description: 'First line second paragraph.',
        deprecationMessage: undefined
      },
      { name: 'old', required: false, default: undefined, description: '', deprecationMessage: 'Use images.' }
    ])
  })

  it('gives the outputs in file order, and runs as strings', () => {
    const action = readAction(ACTION_YML)
    expect(action.outputs).toEqual([
      { name: 'digest', description: 'The digest.' },
      { name: 'tarball', description: '' }
    ])
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js', 'post-if': 'always()' })
  })

  it('reads a file without inputs, outputs or runs as empty', () => {
    expect(readAction('name: x\n')).toEqual({ inputs: [], outputs: [], runs: {} })
    expect(readAction('')).toEqual({ inputs: [], outputs: [], runs: {} })
    expect(readAction('inputs: [a, b]\noutputs: text\n')).toEqual({ inputs: [], outputs: [], runs: {} })
  })
})

describe("the repository's action.yml", () => {
  it('runs dist/index.js as the main and the post step, always: the bundle scripts/lib/step-runner.mjs runs', () => {
    expect(readActionFile().runs).toMatchObject({ main: 'dist/index.js', post: 'dist/index.js', 'post-if': 'always()' })
  })
})
