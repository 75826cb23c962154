// Types of scripts/lib/action-yml.mjs, for the TypeScript tests that import it.

export interface InputRow {
  name: string
  required: boolean
  default: string | undefined
  /** On one line: line breaks and blank lines become spaces. */
  description: string
  deprecationMessage: string | undefined
}
export interface OutputRow {
  name: string
  description: string
}
export interface Action {
  inputs: InputRow[]
  outputs: OutputRow[]
  /** `runs:` as strings (`using`, `main`, `post`, `post-if`, …); empty when there is none. */
  runs: Record<string, string>
}

/** The repository's action.yml (absolute path). */
export declare const ACTION_YML: string
/** action.yml's inputs and outputs, in file order, and its `runs` mapping. */
export declare function readAction(actionYmlText: string): Action
/** readAction of a file, by default the repository's action.yml. */
export declare function readActionFile(file?: string): Action
