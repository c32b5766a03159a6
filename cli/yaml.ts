// yaml through a static import, loaded lazily by the commands that need it (a dynamic import of the
// package itself would hand bundled code the CommonJS wrapper instead of its functions).
export { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
