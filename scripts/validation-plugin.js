// @ts-check
// This repository's cdk8s validation plugin entry (cdk8s.yaml `validations:`): the package's own
// plugin (validation-plugin.js, what an app references in node_modules), from a lib/ that is
// up to date with src/.
'use strict';
require('./build-lib').ensureFresh();
module.exports = require('../validation-plugin.js');
