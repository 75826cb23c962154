// Types of scripts/reference.mjs, for the TypeScript tests that import it.
export declare const START: string
export declare const END: string

/** Text for one table cell (`|` and `<` escaped). */
export declare function cell(text: string): string
/** The markdown between the markers (without them). */
export declare function render(actionYmlText: string): string
/** The text between the markers, or undefined when README has none. */
export declare function extractRegion(readmeText: string): string | undefined
/** README's text with the region replaced by what action.yml says. */
export declare function update(actionYmlText: string, readmeText: string): string
/** Whether README's region says what action.yml says, with one problem per difference. */
export declare function check(actionYmlText: string, readmeText: string): { ok: boolean; problems: string[] }
