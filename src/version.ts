/** tsbroker's release version, shown by `--version` and reported to clients. Keep in sync with package.json. */
export const VERSION = "0.1.0";
