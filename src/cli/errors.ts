/** A mistake on the command line; the entry point prints it with a pointer to --help and exits with status 2. */
export class CliError extends Error {
  override readonly name = "CliError";
}
