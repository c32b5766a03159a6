// yaml through a static import, loaded lazily (`await import('./yaml.ts')`) by whatever needs it:
// most runs read no YAML, and a dynamic import of the package itself would hand bundled code the
// CommonJS wrapper instead of its functions.
export { parse as parseYaml, parseDocument, stringify as stringifyYaml } from 'yaml';
