/**
 * The order jest starts test files in. With its timing cache (a developer's second run) jest's own
 * order stands: failed first, then the longest. A fresh clone (CI) has no cache and jest falls back to
 * file size, which started a 40 s file near the end and left one worker idle for the tail. Then the
 * files of slow-tests.json (the slowest of a measured run, slowest first) start first, the rest after
 * them in jest's order. A stale list costs only ordering: a new slow file still runs, by its size.
 */
const path = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;
const slowest = require('./slow-tests.json');

const rank = new Map(slowest.map((file, index) => [file, index]));

class SlowestFirst extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    if (sorted.some((test) => test.duration != null)) return sorted;
    const rankOf = (test) => rank.get(path.relative(test.context.config.rootDir, test.path)) ?? rank.size;
    return [...sorted].sort((a, b) => rankOf(a) - rankOf(b));
  }
}

module.exports = SlowestFirst;
