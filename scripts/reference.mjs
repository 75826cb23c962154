#!/usr/bin/env node
// The README's input/output reference, generated from action.yml.
//
//   node scripts/reference.mjs           rewrite README.md between the markers
//   node scripts/reference.mjs --check   exit 1, naming what differs, when README.md
//                                        does not say what action.yml says
//   --action=FILE, --readme=FILE         other files than ./action.yml, ./README.md
//
// `npm run reference` is the first form; __tests__/unit/scripts/reference.test.ts runs check().
// Plain Node ESM so that it runs without a build; the types for the tests are in
// reference.d.mts beside it.
import { readFileSync, writeFileSync } from 'node:fs'
import { relative, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { readAction } from './lib/action-yml.mjs'

export const START = '<!-- reference:start -->'
export const END = '<!-- reference:end -->'
const NOTE = '<!-- Generated from action.yml by `npm run reference`: edit action.yml, not this. -->'

/**
 * Text for one table cell: `|` escaped everywhere (GFM splits cells on it even inside
 * code spans), and `<` escaped outside code spans so that `<context>` is not taken for
 * an HTML tag.
 */
export function cell(text) {
  return text
    .split(/(`+[^`]*?`+)/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/</g, '&lt;')))
    .join('')
    .replace(/\|/g, '\\|')
}

/** A value as a code span, whatever backticks it holds. */
function code(value) {
  const longest = Math.max(0, ...(value.match(/`+/g) ?? []).map((run) => run.length))
  const fence = '`'.repeat(longest + 1)
  const pad = value.startsWith('`') || value.endsWith('`') || value === '' ? ' ' : ''
  return `${fence}${pad}${value}${pad}${fence}`
}

/** One table row; an empty cell is `| |`. */
function row(cells) {
  return `|${cells.map((c) => (c === '' ? ' ' : ` ${c} `)).join('|')}|`
}

/** The markdown between the markers (without them), from action.yml's text. */
export function render(actionYmlText) {
  const { inputs, outputs } = readAction(actionYmlText)
  const lines = [NOTE, '', '### Inputs', '']
  lines.push('| input | required | default | description |', '|---|---|---|---|')
  for (const input of inputs) {
    let description = input.description
    if (input.deprecationMessage !== undefined) description += ` **Deprecated:** ${input.deprecationMessage}`
    const def = input.default === undefined || input.default === '' ? '' : code(input.default)
    lines.push(row([code(input.name), input.required ? 'yes' : 'no', cell(def), cell(description)]))
  }
  lines.push('', '### Outputs', '')
  lines.push('| output | description |', '|---|---|')
  for (const output of outputs) lines.push(row([code(output.name), cell(output.description)]))
  return lines.join('\n') + '\n'
}

/** Where the region is in README's text, or a problem that says why it can't be found. */
function locate(readmeText) {
  const start = readmeText.indexOf(START)
  const end = readmeText.indexOf(END)
  if (start < 0 || end < 0) {
    const missing = [start < 0 ? START : '', end < 0 ? END : ''].filter(Boolean).join(' and ')
    return { problem: `README has no ${missing} marker` }
  }
  if (end < start) return { problem: `README's ${END} comes before ${START}` }
  if (readmeText.indexOf(START, start + 1) >= 0 || readmeText.indexOf(END, end + 1) >= 0) {
    return { problem: 'README has more than one reference region' }
  }
  const from = readmeText.indexOf('\n', start) + 1
  return { from, to: end }
}

/** The text between the markers (exclusive), or undefined when there are no markers. */
export function extractRegion(readmeText) {
  const at = locate(readmeText)
  return at.problem ? undefined : readmeText.slice(at.from, at.to)
}

/** README's text with the region replaced by what action.yml says. */
export function update(actionYmlText, readmeText) {
  const at = locate(readmeText)
  if (at.problem) throw new Error(`${at.problem}: add ${START} and ${END} where the reference goes.`)
  return readmeText.slice(0, at.from) + render(actionYmlText) + readmeText.slice(at.to)
}

/** A table row whose first cell is a name in a code span. */
const NAMED_ROW = /^\|\s*`+\s?([^`]+?)\s?`+\s*\|/

/** Rows of the region's tables by section and name: { inputs: Map, outputs: Map }. */
function rows(region) {
  const found = { inputs: new Map(), outputs: new Map() }
  let section
  for (const line of region.split('\n')) {
    if (/^#+\s*Inputs\s*$/i.test(line)) section = 'inputs'
    else if (/^#+\s*Outputs\s*$/i.test(line)) section = 'outputs'
    const name = NAMED_ROW.exec(line)
    if (section && name) found[section].set(name[1], line)
  }
  return found
}

/**
 * Whether README's region says what action.yml says: { ok, problems }, with one problem
 * per input or output that differs (or is missing on either side).
 */
export function check(actionYmlText, readmeText) {
  const at = locate(readmeText)
  if (at.problem) return { ok: false, problems: [`${at.problem}.`] }
  const expected = render(actionYmlText)
  const actual = readmeText.slice(at.from, at.to)
  if (actual === expected) return { ok: true, problems: [] }

  // Headings, table headers and notes first: when they differ the rows can't be lined up.
  const a = actual.split('\n')
  const e = expected.split('\n')
  const skeleton = (lines) => lines.map((line, i) => ({ line, i })).filter(({ line }) => !NAMED_ROW.test(line))
  const sa = skeleton(a)
  const se = skeleton(e)
  for (let k = 0; k < Math.max(sa.length, se.length); k++) {
    if (sa[k]?.line !== se[k]?.line) {
      const where = sa[k] ? `line ${sa[k].i + 1}` : 'the end'
      return {
        ok: false,
        problems: [
          `${where} of the region differs:\n    README:     ${sa[k]?.line ?? '(end)'}\n    generated:  ${se[k]?.line ?? '(end)'}`
        ]
      }
    }
  }

  const want = rows(expected)
  const have = rows(actual)
  const problems = []
  for (const section of ['inputs', 'outputs']) {
    const kind = section.slice(0, -1)
    for (const [name, line] of want[section]) {
      const got = have[section].get(name)
      if (got === undefined) problems.push(`${kind} \`${name}\` is in action.yml but not in README.`)
      else if (got !== line)
        problems.push(`${kind} \`${name}\` differs:\n    README:     ${got}\n    action.yml: ${line}`)
    }
    for (const name of have[section].keys()) {
      if (!want[section].has(name)) problems.push(`${kind} \`${name}\` is in README but not in action.yml.`)
    }
  }
  if (problems.length === 0) problems.push("the rows are not in action.yml's order, or one is repeated.")
  return { ok: false, problems }
}

function main(argv) {
  const option = (name, fallback) => {
    const arg = argv.find((a) => a.startsWith(`--${name}=`))
    const path = resolve(arg ? arg.slice(name.length + 3) : fallback)
    return relative(process.cwd(), path).startsWith('..') ? path : relative(process.cwd(), path)
  }
  const unknown = argv.filter((a) => a !== '--check' && !/^--(action|readme)=/.test(a))
  if (unknown.length > 0) {
    console.error(
      `usage: node scripts/reference.mjs [--check] [--action=FILE] [--readme=FILE] (unknown: ${unknown.join(' ')})`
    )
    return 2
  }
  const actionPath = option('action', 'action.yml')
  const readmePath = option('readme', 'README.md')
  const actionText = readFileSync(actionPath, 'utf8')
  const readmeText = readFileSync(readmePath, 'utf8')

  if (argv.includes('--check')) {
    const { ok, problems } = check(actionText, readmeText)
    if (ok) {
      console.log(`${readmePath}: the reference matches ${actionPath}.`)
      return 0
    }
    console.error(`${readmePath}: the reference does not match ${actionPath}:`)
    for (const problem of problems) console.error(`  - ${problem}`)
    console.error("Run 'npm run reference' and commit README.md.")
    return 1
  }
  const updated = update(actionText, readmeText)
  if (updated === readmeText) console.log(`${readmePath}: the reference is up to date.`)
  else {
    writeFileSync(readmePath, updated)
    console.log(`${readmePath}: the reference was rewritten from ${actionPath}.`)
  }
  return 0
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    process.exitCode = main(process.argv.slice(2))
  } catch (error) {
    console.error(error instanceof Error ? error.message : error)
    process.exitCode = 1
  }
}
