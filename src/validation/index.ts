// Schema and CEL validation of synthesized manifests against pinned CRDs.
export { CrdSchemaValidator, type CrdSchemaValidatorOptions, type SchemaViolation, validateManifests } from './crd-schema-validator';
export { CrdSchemaSet } from './schema-sets';
