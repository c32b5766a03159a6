// The shape of assets.gen.js, which scripts/build-console.mjs writes (it is not committed).
import type { ConsoleAssets } from './serve.ts';

export declare const CONSOLE_ASSETS: ConsoleAssets;
