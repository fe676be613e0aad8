import { createServer, type Server } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { describe, expect, it } from "vitest";
import { belowEphemeral, Target } from "./target.js";

const refused = (port: number) =>
  new Promise<string>((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve("connected");
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? "error"));
  });

describe("Target.freePort (the 'target is down' port)", () => {
  it("is refused, and lies where no listen(0) of another test can land", async () => {
    const { low, span } = belowEphemeral();
    const port = await Target.freePort();
    expect(port).toBeGreaterThanOrEqual(low);
    expect(port).toBeLessThan(low + span);
    expect(await refused(port)).toBe("ECONNREFUSED");

    const servers: Server[] = [];
    for (let i = 0; i < 20; i += 1) {
      const server = createServer();
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      servers.push(server);
    }
    const ports = servers.map((s) => (s.address() as AddressInfo).port);
    for (const s of servers) s.close();
    expect(ports.filter((p) => p < low + span)).toEqual([]);
  });
});
