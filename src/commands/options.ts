/** Every command's options, plus the program's (--config, --no-color, --debug). */
export type CommandOptions = Record<string, unknown> & {
  json?: boolean;
  color?: boolean;
  debug?: boolean;
  /**
   * Options whose value came from hook.config.json. A command with its own environment variables
   * (STRIPE_API_KEY for --api-key) lets those win over the file: flag > environment > config.
   */
  configured?: string[];
};
