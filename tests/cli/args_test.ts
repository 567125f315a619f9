import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { parseCliArgs } from "../../src/cli/args.ts";
import { CliError } from "../../src/cli/errors.ts";

function cliError(argv: string[]): CliError {
  try {
    parseCliArgs(argv);
  } catch (e) {
    assert.ok(e instanceof CliError, `expected CliError, got ${e}`);
    return e;
  }
  assert.fail(`expected ${JSON.stringify(argv)} to be rejected`);
}

describe("parseCliArgs", () => {
  test("no arguments: run on defaults", () => {
    assert.deepEqual(parseCliArgs([]), { command: "run", configPath: undefined, overrides: [] });
  });

  test("long flags", () => {
    assert.deepEqual(
      parseCliArgs(["--config", "broker.toml", "--override", "num.partitions=3", "--override=log.dirs=/a,/b"]),
      { command: "run", configPath: "broker.toml", overrides: ["num.partitions=3", "log.dirs=/a,/b"] },
    );
    assert.deepEqual(parseCliArgs(["--config=b.toml"]), { command: "run", configPath: "b.toml", overrides: [] });
  });

  test("short flags, including -o=value and -ovalue", () => {
    assert.deepEqual(
      parseCliArgs(["-c", "b.toml", "-o", "a=1", "-o=b=2", "-oc=3"]),
      { command: "run", configPath: "b.toml", overrides: ["a=1", "b=2", "c=3"] },
    );
  });

  test("help and version win over everything else", () => {
    assert.deepEqual(parseCliArgs(["--help"]), { command: "help" });
    assert.deepEqual(parseCliArgs(["--help-config"]), { command: "help-config" });
    assert.deepEqual(parseCliArgs(["--help-config", "--help"]), { command: "help" });
    assert.deepEqual(parseCliArgs(["-h", "-c", "x.toml"]), { command: "help" });
    assert.deepEqual(parseCliArgs(["--version"]), { command: "version" });
    assert.deepEqual(parseCliArgs(["-V"]), { command: "version" });
    assert.deepEqual(parseCliArgs(["-V", "-h"]), { command: "help" });
  });

  test("unknown flags are named", () => {
    assert.match(cliError(["--conifg", "x"]).message, /unknown flag --conifg/);
    assert.match(cliError(["-x"]).message, /unknown flag -x/);
    assert.match(cliError(["--no-help"]).message, /unknown flag --no-help/);
  });

  test("missing values", () => {
    assert.match(cliError(["--config"]).message, /flag --config needs a value/);
    assert.match(cliError(["-o"]).message, /flag -o needs a value/);
    assert.match(cliError(["--config", "--help"]).message, /--config needs a value \(got flag --help\)/);
  });

  test("values on boolean flags, repeated --config, positionals", () => {
    assert.match(cliError(["--help=yes"]).message, /--help takes no value/);
    assert.match(cliError(["-c", "a.toml", "--config", "b.toml"]).message, /--config given more than once/);
    assert.match(cliError(["broker.toml"]).message, /unexpected argument "broker.toml".*--config/);
    assert.match(cliError(["--", "x"]).message, /unexpected argument "x"/);
  });
});
