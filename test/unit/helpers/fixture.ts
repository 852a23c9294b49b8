/**
 * Shared setup for tests that stream against the fixture server: one server per test file,
 * a record of unhandled rejections, and a check that every socket and timer was released.
 */
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { startFixtureServer, type FixtureServer } from '../../fixtures/server';

/** Unhandled rejections seen in this process (a stream must never leave one behind). */
export const unhandled: unknown[] = [];
process.on('unhandledRejection', (reason) => unhandled.push(reason));

export interface FixtureHandle {
  /** The file's server; valid inside tests (started in `before`). */
  readonly server: FixtureServer;
  /** Waits until the server holds no sockets and no pending work, then asserts it and no unhandled rejections. */
  settled(): Promise<void>;
}

/** Starts a fixture server before the file's tests and closes it after them. */
export function useFixtureServer(): FixtureHandle {
  let server: FixtureServer | undefined;
  before(async () => {
    server = await startFixtureServer();
  });
  after(async () => {
    await server?.close();
    assert.deepEqual(unhandled, [], 'no unhandled rejections');
  });
  const handle: FixtureHandle = {
    get server() {
      if (!server) throw new Error('fixture server not started yet');
      return server;
    },
    async settled() {
      const s = handle.server;
      for (let i = 0; i < 200 && (s.openSockets() > 0 || s.pendingWork() > 0); i++) await delay(10);
      assert.equal(s.openSockets(), 0, 'every socket closed');
      assert.equal(s.pendingWork(), 0, 'no server work left');
      assert.deepEqual(unhandled, []);
    },
  };
  return handle;
}
