import { negation, toggle, value } from "./options.js";

/** The program's own flags, given before or after the command's name (`hook listen --debug`). */
export const GLOBAL_FLAGS = {
  config: value("--config <file>", "config file (default: ./hook.config.json)"),
  color: negation("--no-color", "no colour in human output"),
  debug: toggle("--debug", "print stack traces on errors"),
};
