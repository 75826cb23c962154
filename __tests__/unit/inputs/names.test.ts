// inputs/names.ts: the names of the action's inputs, as action.yml declares them.
import { describe, expect, it } from '@jest/globals'
import { readActionFile } from '../../../scripts/lib/action-yml.mjs'
import { INPUT_NAMES } from '../../../src/inputs/names.js'

describe('INPUT_NAMES', () => {
  it('lists every input of action.yml once', () => {
    const declared = readActionFile().inputs.map((input) => input.name)
    expect(declared.length).toBeGreaterThan(0)
    expect(new Set(INPUT_NAMES).size).toBe(INPUT_NAMES.length)
    expect([...INPUT_NAMES].sort()).toEqual([...declared].sort())
  })
})
