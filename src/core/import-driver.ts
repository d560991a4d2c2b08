import { GatewayError } from '../sdk/errors.js';

/**
 * Imports a backend library on first use. A missing package becomes `DRIVER_MISSING` naming the
 * package to install; any other import failure keeps its cause.
 */
export async function importDriver<T>(service: string, specifier: string): Promise<T> {
  try {
    return (await import(specifier)) as T;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new GatewayError('DRIVER_MISSING', `needs the package "${specifier}", which is not installed: run npm install ${specifier}`, {
        service,
        cause: error,
      });
    }
    throw new GatewayError('DRIVER_MISSING', `could not load its driver "${specifier}": ${(error as Error).message}`, {
      service,
      cause: error,
    });
  }
}
