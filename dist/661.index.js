export const id = 661;
export const ids = [661];
export const modules = {

/***/ 6661:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   post: () => (/* binding */ post)
/* harmony export */ });
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(6058);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var _runner_log_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(7708);
/* harmony import */ var _runner_state_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(6003);
// The post step: runs after the job's steps, even when the main step failed or
// was stopped (also by SIGKILL, which the main step cannot handle). It stops any
// docker process of the run that is still running (a login that would write its
// credentials, a push that would publish a tag), then removes the run's temp
// folder (with the credentials) and any other path it left. It loads neither the
// docker module nor the rest of the main step.





async function post() {
    const temp = _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .getState */ .Gu(_runner_state_js__WEBPACK_IMPORTED_MODULE_4__/* .STATE_TEMP */ .j9);
    if (temp === '')
        return;
    const stopped = await stopLeftovers(`${_runner_state_js__WEBPACK_IMPORTED_MODULE_4__/* .RUN_MARKER */ .xO}=${temp}`);
    if (stopped.length > 0) {
        _runner_log_js__WEBPACK_IMPORTED_MODULE_3__/* .info */ .pq(`Stopped ${stopped.length} process(es) of this run that were still running: ${stopped.join(', ')}.`);
    }
    for (const leftover of [temp, ...pathsOf(_actions_core__WEBPACK_IMPORTED_MODULE_0__/* .getState */ .Gu(_runner_state_js__WEBPACK_IMPORTED_MODULE_4__/* .STATE_PATHS */ .$t))]) {
        if (!node_fs__WEBPACK_IMPORTED_MODULE_1__.existsSync(leftover))
            continue;
        node_fs__WEBPACK_IMPORTED_MODULE_1__.rmSync(leftover, { recursive: true, force: true });
        _runner_log_js__WEBPACK_IMPORTED_MODULE_3__/* .info */ .pq(`Removed ${leftover} (left by this run${leftover === temp ? ': its docker credentials and temporary files' : ''}).`);
    }
}
function pathsOf(json) {
    try {
        const list = JSON.parse(json);
        return Array.isArray(list) ? list.filter((p) => typeof p === 'string' && node_path__WEBPACK_IMPORTED_MODULE_2__.isAbsolute(p)) : [];
    }
    catch {
        return [];
    }
}
/** The processes whose environment holds `marker` (Linux: /proc), killed; resolves when they are gone. */
async function stopLeftovers(marker) {
    let pids;
    try {
        pids = node_fs__WEBPACK_IMPORTED_MODULE_1__.readdirSync('/proc')
            .filter((name) => /^\d+$/.test(name))
            .map(Number)
            .filter((pid) => pid !== process.pid && environOf(pid).includes(marker));
    }
    catch {
        return []; // no /proc: not Linux
    }
    for (const pid of pids)
        kill(pid, 'SIGKILL');
    for (let waited = 0; waited < 5000 && pids.some(isAlive); waited += 50) {
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return pids;
}
function environOf(pid) {
    try {
        return node_fs__WEBPACK_IMPORTED_MODULE_1__.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    }
    catch {
        return [];
    }
}
function kill(pid, signal) {
    try {
        process.kill(pid, signal);
    }
    catch {
        // already gone
    }
}
function isAlive(pid) {
    try {
        process.kill(pid, 0);
        // A zombie is dead for our purpose: it can write nothing more.
        return !/^\S+ \(.*\) Z/.test(node_fs__WEBPACK_IMPORTED_MODULE_1__.readFileSync(`/proc/${pid}/stat`, 'utf8'));
    }
    catch {
        return false;
    }
}


/***/ }),

/***/ 7708:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   $e: () => (/* binding */ warning),
/* harmony export */   Os: () => (/* binding */ group),
/* harmony export */   Yz: () => (/* binding */ debug),
/* harmony export */   a: () => (/* binding */ untrustedOutput),
/* harmony export */   dK: () => (/* binding */ mask),
/* harmony export */   gV: () => (/* binding */ prefixed),
/* harmony export */   hS: () => (/* binding */ counted),
/* harmony export */   iN: () => (/* binding */ shownArg),
/* harmony export */   lm: () => (/* binding */ notice),
/* harmony export */   pq: () => (/* binding */ info),
/* harmony export */   z3: () => (/* binding */ error)
/* harmony export */ });
/* unused harmony exports printable, GROUP_TITLE_MAX, shortTitle */
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(6058);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(7598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(8161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_os__WEBPACK_IMPORTED_MODULE_2__);
// What the step prints, through @actions/core (the runner protocol every action
// speaks: annotations, groups, masks, debug), plus the three things core leaves to
// its caller, which ship-image needs on every line it prints:
//   - a log line shows its control characters escaped (core.info writes it raw), so
//     no input and no name can start a workflow command or a second line;
//   - a group title is cut to a readable length, with the whole title inside;
//   - a value of several lines is masked line by line too, as the runner prints it.
// Output that the run does not write itself (what docker and the build print) is
// passed through with workflow commands stopped (untrustedOutput), so a Dockerfile's
// `RUN echo ::error::…` is only text.



/** Control characters as visible escapes, so a value prints on one line and cannot start a command. */
function printable(text) {
    // eslint-disable-next-line no-control-regex
    return text.replace(/[\x00-\x08\x0a-\x1f\x7f]/g, (c) => {
        if (c === '\n')
            return '\\n';
        if (c === '\r')
            return '\\r';
        return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
    });
}
/**
 * An argument as it may be shown: a URL's user information hidden (a token in a
 * Git context URL, `https://x-access-token:TOKEN@github.com/…`; a DOCKER_HOST with a
 * password), as docker itself shows them.
 */
function shownArg(arg) {
    return arg.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1***@');
}
/** A log line. Its control characters are shown escaped (see printable). */
function info(line) {
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .info */ .pq(printable(line));
}
/** A line only a debug run shows (ACTIONS_STEP_DEBUG): the facts and the plan behind the run. */
function debug(line) {
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .debug */ .Yz(printable(line));
}
function notice(message) {
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .notice */ .lm(message);
}
function warning(message) {
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .warning */ .$e(message);
}
/** An error annotation (on a file's line when `properties` say so); the step fails when it ends. */
function error(message, properties = {}) {
    // core writes `::error ::` for properties that are all empty; the runner reads both, the log reads better without.
    const given = Object.fromEntries(Object.entries(properties).filter(([, value]) => value !== undefined && value !== ''));
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .error */ .z3(message, given);
    process.exitCode = _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .ExitCode */ .yU.Failure;
}
/**
 * The runner hides this value wherever it would appear in the log from now on;
 * a value of several lines is also masked line by line, as it is printed.
 */
function mask(secret) {
    const lines = secret.split(/\r?\n/).filter((line) => line.trim() !== '');
    for (const value of lines.length > 1 ? [secret, ...lines] : lines)
        _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setSecret */ .Pq(value);
}
/** The longest group title: the log's group list stays readable; the rest goes inside the group. */
const GROUP_TITLE_MAX = 120;
/**
 * `title` cut to GROUP_TITLE_MAX characters: a list (`a, b, c`) after its last
 * item that fits, saying how many more there are; anything else at a space, with
 * `…`. Undefined when it fits as it is.
 */
function shortTitle(title) {
    if (title.length <= GROUP_TITLE_MAX)
        return undefined;
    const items = title.split(', ');
    for (let kept = items.length - 1; kept >= 1; kept--) {
        const short = `${items.slice(0, kept).join(', ')}, … (${items.length - kept} more)`;
        if (short.length <= GROUP_TITLE_MAX)
            return short;
    }
    const cut = title.slice(0, GROUP_TITLE_MAX - 1);
    const space = cut.lastIndexOf(' ');
    return `${space >= GROUP_TITLE_MAX / 2 ? cut.slice(0, space) : cut}…`;
}
/** Runs `work` inside a collapsible log group titled `title` (a long title is cut, and printed whole inside). */
async function group(title, work) {
    const short = shortTitle(title);
    return _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .group */ .Os(printable(short ?? title), async () => {
        if (short !== undefined)
            info(title);
        return work();
    });
}
/** Log lines of one of several commands running at once, each marked with its reference. */
function prefixed(ref) {
    return (line) => info(`[${ref}] ${line}`);
}
/** `1 reference`, `3 references`. */
function counted(n, noun) {
    return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
function untrustedOutput() {
    let token;
    let lastByte = 0x0a;
    return {
        write(chunk) {
            if (chunk.length === 0)
                return;
            if (token === undefined) {
                token = (0,node_crypto__WEBPACK_IMPORTED_MODULE_1__.randomUUID)();
                process.stdout.write(`::stop-commands::${token}${node_os__WEBPACK_IMPORTED_MODULE_2__.EOL}`);
            }
            lastByte = chunk[chunk.length - 1];
            process.stdout.write(chunk);
        },
        end() {
            if (token === undefined)
                return;
            // The token must start a line of its own.
            process.stdout.write(`${lastByte === 0x0a ? '' : node_os__WEBPACK_IMPORTED_MODULE_2__.EOL}::${token}::${node_os__WEBPACK_IMPORTED_MODULE_2__.EOL}`);
            token = undefined;
            lastByte = 0x0a;
        }
    };
}


/***/ })

};
