export const id = 661;
export const ids = [661];
export const modules = {

/***/ 661:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   post: () => (/* binding */ post)
/* harmony export */ });
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(24);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _runner_state_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(3);
// The post step: runs after the job's steps, even when the main step failed or
// was stopped (also by SIGKILL, which the main step cannot handle). It stops any
// docker process of the run that is still running (a login that would write its
// credentials, a push that would publish a tag), then removes the run's temp
// folder (with the credentials) and any other path it left. It loads neither the
// docker module nor the rest of the main step, so it starts in the time Node
// itself takes.



async function post() {
    const temp = (0,_runner_state_js__WEBPACK_IMPORTED_MODULE_2__/* .stateOf */ .L4)(_runner_state_js__WEBPACK_IMPORTED_MODULE_2__/* .STATE_TEMP */ .j9);
    if (temp === '')
        return;
    const stopped = await stopLeftovers(`${_runner_state_js__WEBPACK_IMPORTED_MODULE_2__/* .RUN_MARKER */ .xO}=${temp}`);
    if (stopped.length > 0) {
        process.stdout.write(`Stopped ${stopped.length} process(es) of this run that were still running: ${stopped.join(', ')}.\n`);
    }
    for (const leftover of [temp, ...pathsOf((0,_runner_state_js__WEBPACK_IMPORTED_MODULE_2__/* .stateOf */ .L4)(_runner_state_js__WEBPACK_IMPORTED_MODULE_2__/* .STATE_PATHS */ .$t))]) {
        if (!node_fs__WEBPACK_IMPORTED_MODULE_0__.existsSync(leftover))
            continue;
        node_fs__WEBPACK_IMPORTED_MODULE_0__.rmSync(leftover, { recursive: true, force: true });
        process.stdout.write(`Removed ${leftover} (left by this run${leftover === temp ? ': its docker credentials and temporary files' : ''}).\n`);
    }
}
function pathsOf(json) {
    try {
        const list = JSON.parse(json);
        return Array.isArray(list) ? list.filter((p) => typeof p === 'string' && node_path__WEBPACK_IMPORTED_MODULE_1__.isAbsolute(p)) : [];
    }
    catch {
        return [];
    }
}
/** The processes whose environment holds `marker` (Linux: /proc), killed; resolves when they are gone. */
async function stopLeftovers(marker) {
    let pids;
    try {
        pids = node_fs__WEBPACK_IMPORTED_MODULE_0__.readdirSync('/proc')
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
        return node_fs__WEBPACK_IMPORTED_MODULE_0__.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
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
        return !/^\S+ \(.*\) Z/.test(node_fs__WEBPACK_IMPORTED_MODULE_0__.readFileSync(`/proc/${pid}/stat`, 'utf8'));
    }
    catch {
        return false;
    }
}


/***/ })

};
