// The one reader of action.yml: its inputs and outputs in file order, and `runs`.
// Used by scripts/reference.mjs (the README's reference), scripts/lint-workflows.mjs
// (the inputs and outputs a step of this action may use), the bench (the default
// save-compression-level) and the unit tests that check the code against action.yml.
// Plain Node ESM; the types are in action-yml.d.mts beside it.
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

/** The repository's action.yml. */
export const ACTION_YML = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'action.yml')

/** action.yml's inputs and outputs, in file order, as plain rows, and its `runs` mapping. */
export function readAction(actionYmlText) {
  const doc = parse(actionYmlText) ?? {}
  const inputs = entries(doc.inputs).map(([name, spec]) => {
    const s = spec ?? {}
    return {
      name,
      required: s.required === true || s.required === 'true',
      default: s.default === undefined || s.default === null ? undefined : String(s.default),
      description: oneLine(s.description),
      deprecationMessage: s.deprecationMessage === undefined ? undefined : oneLine(s.deprecationMessage)
    }
  })
  const outputs = entries(doc.outputs).map(([name, spec]) => ({
    name,
    description: oneLine((spec ?? {}).description)
  }))
  const runs = Object.fromEntries(entries(doc.runs).map(([key, value]) => [key, String(value)]))
  return { inputs, outputs, runs }
}

/** readAction of a file, by default the repository's action.yml. */
export function readActionFile(file = ACTION_YML) {
  return readAction(readFileSync(file, 'utf8'))
}

/** A mapping's entries; anything else (missing, a list, a scalar) has none. */
function entries(section) {
  return section && typeof section === 'object' && !Array.isArray(section) ? Object.entries(section) : []
}

/** A description as one line: line breaks (and blank lines between paragraphs) become spaces. */
function oneLine(text) {
  if (text === undefined || text === null) return ''
  return String(text)
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join(' ')
}
