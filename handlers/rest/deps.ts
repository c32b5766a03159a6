// What the REST routes need from the app.
import type { Config } from '../../runtime/config.ts';
import type { Runtime } from '../../runtime/contract.ts';

export interface RestDepsLike {
  runtime: Runtime;
  config: Config;
  heartbeatMs: number;
}
