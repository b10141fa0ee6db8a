// The cdk8s validation plugin of this package, at a stable path for `cdk8s.yaml`:
//   package: ./node_modules/cdk8s-istio-source-ip/validation-plugin.js
//   class: CrdSchemaValidation
'use strict';
module.exports = require('./lib/src/validation/plugin.js');
