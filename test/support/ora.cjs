// CommonJS stand-in for `ora` under jest. `@angular-devkit/schematics/testing` loads the package
// manager task executor, which `require`s the ESM-only `ora` spinner; jest's CommonJS runtime cannot
// load it. No test runs an install task, but if one did, this spinner writes its final line and
// nothing else (no TTY animation in test output).
'use strict';

function ora(options) {
  const spinner = {
    text: typeof options === 'string' ? options : (options && options.text) || '',
    isSpinning: false,
    start(text) {
      if (text !== undefined) spinner.text = text;
      spinner.isSpinning = true;
      return spinner;
    },
    stop() {
      spinner.isSpinning = false;
      return spinner;
    },
    succeed(text) {
      return finish(text);
    },
    fail(text) {
      return finish(text);
    },
    warn(text) {
      return finish(text);
    },
    info(text) {
      return finish(text);
    },
  };
  function finish(text) {
    spinner.isSpinning = false;
    process.stderr.write(`${text !== undefined ? text : spinner.text}\n`);
    return spinner;
  }
  return spinner;
}

module.exports = ora;
module.exports.default = ora;
