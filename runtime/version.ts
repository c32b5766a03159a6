// Replaced at bundle time by scripts/build.mjs; tests and tsx runs see the fallback.
declare const __CLINVK_VERSION__: string | undefined;

export const CLINVK_VERSION: string =
  typeof __CLINVK_VERSION__ === 'string' ? __CLINVK_VERSION__ : '0.1.0-dev';
