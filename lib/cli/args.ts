/**
 * The one argument parser of every command-line entry point (scripts/, bench/):
 * `node:util`'s `parseArgs`, with the same rules everywhere:
 *
 * - `--help` / `-h` prints the usage on stdout and exits 0;
 * - an unknown option, an option without its value, a value given to a flag,
 *   or too many / too few arguments is an error naming the option (or the
 *   arguments) followed by the usage, on stderr, exit code 2;
 * - `--name value` and `--name=value` both work; `--` ends the options.
 *
 * `parseCommandLine` is the pure part (it throws `UsageError`), `cliArgs` the
 * entry points' wrapper that prints and exits.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export type CliOptions = NonNullable<ParseArgsConfig['options']>;

export interface CliSpec<O extends CliOptions> {
  /** The usage text, printed for --help and after every error. */
  usage: string;
  options: O;
  /** How many positional arguments are accepted (default: none). */
  positionals?: { min?: number; max?: number };
}

/** The values of the options (a string option: string | undefined; a flag: boolean | undefined). */
export type CliValues<O extends CliOptions> = {
  [K in keyof O]?: O[K] extends { type: 'string'; multiple: true } ? string[] : O[K] extends { type: 'string' } ? string : boolean;
};

export interface CliResult<O extends CliOptions> {
  values: CliValues<O>;
  positionals: string[];
  /** `--help` or `-h` was given. */
  help: boolean;
}

/** A command line the usage does not allow: the message names what is wrong; `usage` follows it when printed. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly usage: string,
  ) {
    super(message);
  }
}

const HELP = { type: 'boolean', short: 'h' } as const;

/** Parse `argv` (without the node and script paths) against `spec`; throws `UsageError`. */
export function parseCommandLine<O extends CliOptions>(argv: readonly string[], spec: CliSpec<O>): CliResult<O> {
  const options: CliOptions = { help: HELP, ...spec.options };
  // Not strict: the checks below name the option in our own words (node's strict errors suggest `--` tricks).
  const { values, positionals, tokens } = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  const fail = (message: string): never => {
    throw new UsageError(message, spec.usage);
  };
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const option = Object.hasOwn(options, token.name) ? options[token.name] : undefined;
    if (!option) fail(`unknown option ${token.rawName}`);
    else if (option.type === 'string' && token.value === undefined) fail(`option ${token.rawName} needs a value`);
    else if (option.type === 'boolean' && token.value !== undefined) fail(`option ${token.rawName} takes no value`);
  }
  const help = values.help === true;
  if (!help) {
    const { min = 0, max = 0 } = spec.positionals ?? {};
    if (positionals.length > max)
      fail(max === 0 ? `unexpected argument ${JSON.stringify(positionals[0])}` : `too many arguments (at most ${max}): ${JSON.stringify(positionals[max])}`);
    if (positionals.length < min) fail(`missing argument (at least ${min})`);
  }
  delete values.help;
  return { values: values as CliValues<O>, positionals, help };
}

/**
 * For an entry point: parse, then `convert` the result (which may throw `UsageError` too, e.g. `integerOption`), or
 * print the usage: --help on stdout, exit 0; an error on stderr, exit 2.
 */
export function cliArgs<O extends CliOptions, T = CliResult<O>>(argv: readonly string[], spec: CliSpec<O>, convert?: (result: CliResult<O>) => T): T {
  try {
    const result = parseCommandLine(argv, spec);
    if (result.help) {
      process.stdout.write(`${spec.usage}\n`);
      process.exit(0);
    }
    return convert ? convert(result) : (result as T);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n${error.usage}\n`);
    process.exit(2);
  }
}

/** A whole number option in [min, max], or `fallback` when absent; anything else is a `UsageError` naming the option. */
export function integerOption(value: string | undefined, name: string, usage: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  const n = /^[0-9]{1,15}$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`option ${name} needs a whole number from ${min} to ${max}; got ${JSON.stringify(value)}`, usage);
  return n;
}
