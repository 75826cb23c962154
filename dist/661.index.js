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
/* harmony import */ var _state_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(462);
// The post step: runs after the job's steps, even when the main step failed or
// was stopped, and removes this run's temp folder (with the credentials) if it
// is still there. It loads neither the toolkit nor the docker module, so it
// starts in the time Node itself takes.


function post() {
    const temp = (0,_state_js__WEBPACK_IMPORTED_MODULE_1__/* .stateOf */ .L4)(_state_js__WEBPACK_IMPORTED_MODULE_1__/* .STATE_TEMP */ .j9);
    if (temp === '' || !node_fs__WEBPACK_IMPORTED_MODULE_0__.existsSync(temp))
        return;
    node_fs__WEBPACK_IMPORTED_MODULE_0__.rmSync(temp, { recursive: true, force: true });
    process.stdout.write(`Removed ${temp} (this run's docker credentials and temporary files).\n`);
}


/***/ })

};
