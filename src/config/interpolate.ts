import { readFileSync } from 'node:fs';

/** A reference that could not be resolved, with the config path of the value that held it. */
export interface InterpolationIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

export interface InterpolationOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Reads a secret file; injected so tests need no real /run/secrets. */
  readonly readFile?: (path: string) => string;
}

const REFERENCE = /\$\$\{|\$\{([^}]*)\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** References whose values are treated as secrets (redacted everywhere): secret files and credential-like names. */
const SECRET_REFERENCE = /^file:|TOKEN|SECRET|PASSW|PASS\b|_KEY|^KEY|DSN|CREDENTIAL|AUTH/i;

/**
 * Resolves `${VAR}`, `${VAR:-default}` and `${file:PATH}` in every string of a parsed YAML value.
 * `$${` is a literal `${`. A value that is exactly one reference keeps the referenced text (no YAML re-parse),
 * so a secret never turns into a number or a list by accident. Values of secret-looking references
 * (`${file:…}`, `*_TOKEN`, `*_KEY`, `*PASSWORD*`, `*DSN*`, …) are reported in `secretPaths` for redaction.
 *
 * @example interpolate({ dsn: '${DSN}' }, { env: { DSN: 'x' } }) // { value: { dsn: 'x' }, issues: [], secretPaths: [['dsn']] }
 */
export function interpolate(
  value: unknown,
  options: InterpolationOptions,
): { value: unknown; issues: InterpolationIssue[]; secretPaths: (string | number)[][] } {
  const issues: InterpolationIssue[] = [];
  const secretPaths: (string | number)[][] = [];
  const readFile = options.readFile ?? ((path: string) => readFileSync(path, 'utf8'));

  const visit = (node: unknown, path: (string | number)[]): unknown => {
    if (typeof node === 'string') return resolveString(node, path);
    if (Array.isArray(node)) return node.map((item, index) => visit(item, [...path, index]));
    if (node !== null && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(node)) out[key] = visit(child, [...path, key]);
      return out;
    }
    return node;
  };

  const resolveString = (text: string, path: (string | number)[]): string => {
    let secret = false;
    const result = text.replace(REFERENCE, (whole, body: string | undefined) => {
      if (whole === '$${') return '${';
      if (body !== undefined && SECRET_REFERENCE.test(body)) secret = true;
      return resolveReference(body ?? '', path);
    });
    if (secret) secretPaths.push(path);
    return result;
  };

  const resolveReference = (body: string, path: (string | number)[]): string => {
    if (body.startsWith('file:')) {
      const file = body.slice('file:'.length).trim();
      try {
        return readFile(file).replace(/\r?\n$/, '');
      } catch (error) {
        const reason = (error as NodeJS.ErrnoException).code ?? String(error);
        issues.push({ path, message: `cannot read secret file ${file} (${reason}): check the path and its permissions` });
        return '';
      }
    }
    const separator = body.indexOf(':-');
    const name = (separator >= 0 ? body.slice(0, separator) : body).trim();
    if (!NAME.test(name)) {
      issues.push({
        path,
        message: `"\${${body}}" is not a valid reference: use \${NAME}, \${NAME:-default} or \${file:/path/to/secret}`,
      });
      return '';
    }
    const found = options.env[name];
    if (found !== undefined && found !== '') return found;
    if (separator >= 0) return body.slice(separator + 2);
    issues.push({
      path,
      message: `environment variable ${name} is ${found === '' ? 'empty' : 'not set'}: export it, or write \${${name}:-default} to give a default`,
    });
    return '';
  };

  return { value: visit(value, []), issues, secretPaths };
}
