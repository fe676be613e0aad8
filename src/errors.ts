/** Exit codes, as in the README. */
export const Exit = {
  ok: 0,
  failed: 1,
  usage: 2,
  cannotStart: 3,
  lockHeld: 75,
  interrupted: 130,
} as const;

/**
 * The one error type that reaches the user. `message` is "<what failed>: <why>" without the
 * "hook: " prefix; `hint` is an optional next step. The top-level catch in cli.ts prints both.
 */
export class HookError extends Error {
  readonly exitCode: number;
  readonly hint: string | undefined;

  constructor(message: string, options: { exitCode?: number; hint?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "HookError";
    this.exitCode = options.exitCode ?? Exit.failed;
    this.hint = options.hint;
  }
}

/** Bad flag, bad config, unknown provider, unreadable input: exit 2. */
export class UsageError extends HookError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: Exit.usage, hint });
    this.name = "UsageError";
  }
}

/** Port in use, tunnel required but failed: exit 3. */
export class StartError extends HookError {
  constructor(message: string, hint?: string, cause?: unknown) {
    super(message, { exitCode: Exit.cannotStart, hint, cause });
    this.name = "StartError";
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
