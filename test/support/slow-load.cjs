// Preloaded into a gateway process (NODE_OPTIONS=--require) to make it load its code as slowly as a busy machine
// does: the first require of SLOW_LOAD_MODULE (say `@nestjs/core`) holds the process for SLOW_LOAD_MS, after
// writing `slow-load: holding <module>` to stderr, so a test knows the gateway's code is loading right then.
const Module = require('node:module');
const name = process.env.SLOW_LOAD_MODULE;
const ms = Number(process.env.SLOW_LOAD_MS || 0);
if (name && ms > 0) {
  const load = Module._load;
  let held = false;
  Module._load = function (request, ...rest) {
    if (!held && request === name) {
      held = true;
      process.stderr.write(`slow-load: holding ${name}\n`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    }
    return load.call(this, request, ...rest);
  };
}
