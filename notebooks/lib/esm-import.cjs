// tslab compiles cells to CommonJS; a real dynamic import() lives here, in a file tslab never compiles, so notebooks
// can load the project's ES modules (built into dist/) and ESM-only packages such as vega.
module.exports.importESM = (specifier) => import(specifier);
