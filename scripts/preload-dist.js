'use strict';
// `node -r ./scripts/preload-dist.js dist/…` — resolves @app/* to the compiled libs.
require('./register-paths').register('dist');
