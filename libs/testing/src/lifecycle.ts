/** Something a test starts and must stop: a Nest app, a sandbox, a client. */
export interface Closable {
  close(): unknown;
}

/**
 * Closes, after the describe block, what each getter returns by then, in the order given (the
 * service before the sandbox it talks to); a getter that returns undefined (never started) is skipped.
 */
export function closeAfterAll(...getters: Array<() => Closable | undefined>): void {
  afterAll(async () => {
    for (const get of getters) await get()?.close();
  });
}

/** Starts an in-process server (a sandbox) on a random port and returns it. */
export async function listening<T extends { listen(port: number): Promise<unknown> }>(server: T): Promise<T> {
  await server.listen(0);
  return server;
}
