// The heavy half of the reliability suite (hundreds of requests, many processes) runs only when
// CLINVK_RELIABILITY_FULL=1: `npm run test:reliability` and `.ci/run` set it; a plain `npm test`
// keeps the fast half so the everyday loop stays quick.
export const FULL = process.env.CLINVK_RELIABILITY_FULL === '1';
