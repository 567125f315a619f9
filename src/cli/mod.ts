/** Public surface of the command-line layer. */
export { type CliCommand, parseCliArgs } from "./args.ts";
export { CliError } from "./errors.ts";
export { configHelpText, helpText } from "./help.ts";
export { type CliOutcome, resolveCli } from "./resolve.ts";
