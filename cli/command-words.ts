// The first words that name a command rather than start a prompt. app.ts keys its command groups by
// these (the type makes it list every one), and the quick path leaves them to clipanion.
export const COMMAND_WORDS = ['resume', 'sessions', 'config', 'parallel', 'compare', 'chain', 'serve', 'mcp', 'version', 'doctor'] as const;
export type CommandWord = (typeof COMMAND_WORDS)[number];
