// @ts-check
// The default app as `cdk8s synth` runs it (cdk8s.yaml `app:`): the compiled src/main.ts in lib/,
// rebuilt first when any source changed since the last build, so it is never stale.
'use strict';
require('./build-lib').ensureFresh();
require('../lib/src/main.js');
