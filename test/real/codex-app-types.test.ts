// Are the codex app-server types we keep (runtime/backends/codex-app-types.ts) still true of the
// installed codex? Regenerates its protocol (`codex app-server generate-ts`) and type-checks ours
// against it: what we send must be assignable to codex's types, what codex sends must be assignable
// to ours, and the server's requests must be exactly the ones we answer. Needs the real CLI:
// Skips with one line when the real CLI is not installed (harness.ts: .cache/real-clis or CLINVK_REAL_CLIS_DIR).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { realClis, skipUnless } from './harness.ts';

const codex = realClis().codex;
const present = !skipUnless('codex');

const ours = fileURLToPath(new URL('../../runtime/backends/codex-app-types.ts', import.meta.url));

// [our type, codex's type, file under the generated folder]
const SENT: [string, string, string][] = [
  ['InitializeParams', 'InitializeParams', 'InitializeParams'],
  ['ClientNotification', 'ClientNotification', 'ClientNotification'],
  ['ClientRequest', 'ClientRequest', 'ClientRequest'],
  ['ThreadStartParams', 'ThreadStartParams', 'v2/ThreadStartParams'],
  ['ThreadResumeParams', 'ThreadResumeParams', 'v2/ThreadResumeParams'],
  ['TurnStartParams', 'TurnStartParams', 'v2/TurnStartParams'],
  ['TurnInterruptParams', 'TurnInterruptParams', 'v2/TurnInterruptParams'],
  ['CommandExecutionRequestApprovalResponse', 'CommandExecutionRequestApprovalResponse', 'v2/CommandExecutionRequestApprovalResponse'],
  ['FileChangeRequestApprovalResponse', 'FileChangeRequestApprovalResponse', 'v2/FileChangeRequestApprovalResponse'],
  ['PermissionsRequestApprovalResponse', 'PermissionsRequestApprovalResponse', 'v2/PermissionsRequestApprovalResponse'],
  ['ToolRequestUserInputResponse', 'ToolRequestUserInputResponse', 'v2/ToolRequestUserInputResponse'],
  ['McpServerElicitationRequestResponse', 'McpServerElicitationRequestResponse', 'v2/McpServerElicitationRequestResponse'],
  ['DynamicToolCallResponse', 'DynamicToolCallResponse', 'v2/DynamicToolCallResponse'],
  ['ApplyPatchApprovalResponse', 'ApplyPatchApprovalResponse', 'ApplyPatchApprovalResponse'],
  ['ExecCommandApprovalResponse', 'ExecCommandApprovalResponse', 'ExecCommandApprovalResponse'],
];
const RECEIVED: [string, string, string][] = [
  ['ThreadStartResponse', 'ThreadStartResponse', 'v2/ThreadStartResponse'],
  ['ThreadResumeResponse', 'ThreadResumeResponse', 'v2/ThreadResumeResponse'],
  ['TurnStartResponse', 'TurnStartResponse', 'v2/TurnStartResponse'],
];

const NOTIFICATIONS = ['turn/started', 'turn/completed', 'item/started', 'item/completed', 'item/agentMessage/delta', 'thread/tokenUsage/updated', 'error', 'warning'];
const ITEM_KINDS = ['agentMessage', 'commandExecution', 'fileChange', 'mcpToolCall', 'webSearch'];
const union = (xs: string[]) => xs.map((x) => `'${x}'`).join(' | ');

/** The check file: one alias per claim, so a failure names the type that no longer fits. */
function checkSource(): string {
  const imports = [...SENT, ...RECEIVED].map(([, theirs, file]) => `import type { ${theirs} as G_${theirs} } from './gen/${file}';`);
  const lines = [
    `import type * as M from '${ours}';`,
    ...imports,
    `import type { ServerNotification as G_ServerNotification } from './gen/ServerNotification';`,
    `import type { ServerRequest as G_ServerRequest } from './gen/ServerRequest';`,
    `import type { ThreadItem as G_ThreadItem } from './gen/v2/ThreadItem';`,
    'type Sub<A, B> = [A] extends [B] ? true : false;',
    'type Assert<T extends true> = T;',
    ...SENT.map(([mine, theirs]) => `export type Sent_${mine} = Assert<Sub<M.${mine}, G_${theirs}>>;`),
    ...RECEIVED.map(([mine, theirs]) => `export type Received_${mine} = Assert<Sub<G_${theirs}, M.${mine}>>;`),
    `type GN<K> = Extract<G_ServerNotification, { method: K }>['params'];`,
    `type MN<K> = Extract<M.ServerNotification, { method: K }>['params'];`,
    `export type NotificationMethodsExist = Assert<Sub<M.ServerNotification['method'], G_ServerNotification['method']>>;`,
    `export type IgnoredMethodsExist = Assert<Sub<M.IgnoredNotificationMethod, G_ServerNotification['method']>>;`,
    `export type NotificationList = Assert<Sub<M.ServerNotification['method'], ${union(NOTIFICATIONS)}>>;`,
    ...NOTIFICATIONS.map((m, i) => `export type Notification_${i}_${m.replace(/\W/g, '_')} = Assert<Sub<GN<'${m}'>, MN<'${m}'>>>;`),
    `type GI<K> = Extract<G_ThreadItem, { type: K }>;`,
    `type MI<K> = Extract<M.ThreadItem, { type: K }>;`,
    `export type ItemKindsExist = Assert<Sub<M.ThreadItem['type'], G_ThreadItem['type']>>;`,
    `export type ItemList = Assert<Sub<M.ThreadItem['type'], ${union(ITEM_KINDS)}>>;`,
    ...ITEM_KINDS.map((k) => `export type Item_${k} = Assert<Sub<GI<'${k}'>, MI<'${k}'>>>;`),
    // Every request codex can send must have an answer here, and none we answer may have gone.
    `export type EveryServerRequestAnswered = Assert<Sub<G_ServerRequest['method'], M.ServerRequestMethod>>;`,
    `export type NoStaleServerRequest = Assert<Sub<M.ServerRequestMethod, G_ServerRequest['method']>>;`,
  ];
  return `${lines.join('\n')}\n`;
}

describe.skipIf(!present)('codex app-server types (real codex)', () => {
  const work = mkdtempSync(join(tmpdir(), 'clinvk-codex-types-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('our kept types still match `codex app-server generate-ts` of the installed codex', () => {
    const home = join(work, 'home');
    mkdirSync(join(home, '.codex'), { recursive: true });
    const env = { PATH: process.env.PATH ?? '', HOME: home, CODEX_HOME: join(home, '.codex') };
    const version = execFileSync(codex!, ['--version'], { env, encoding: 'utf8' }).trim();
    execFileSync(codex!, ['app-server', 'generate-ts', '--out', join(work, 'gen')], { env, stdio: 'ignore', timeout: 60_000 });
    const file = join(work, 'check.ts');
    writeFileSync(file, checkSource());
    const program = ts.createProgram([file], {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      allowImportingTsExtensions: true,
      types: [],
    });
    const problems = ts
      .getPreEmitDiagnostics(program)
      .map((d) => {
        // Name the claim that failed: the alias on that line of the check file.
        const at = d.file ? d.file.text.split('\n')[d.file.getLineAndCharacterOfPosition(d.start ?? 0).line] : undefined;
        const claim = at?.match(/export type (\w+)/)?.[1] ?? d.file?.fileName.replace(work, '') ?? '';
        return `${claim}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      });
    expect(problems, `${version}: our codex app-server types no longer match; regenerate and re-check runtime/backends/codex-app-types.ts`).toEqual([]);
  }, 90_000);
});
