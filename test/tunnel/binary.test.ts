import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { findCloudflared, isPackageLauncher } from "../../src/tunnel/binary.js";
import { TunnelError } from "../../src/tunnel/tunnel.js";
import { ROOT } from "../helpers/cli.js";

/** The launcher `npm install cloudflared` links into node_modules/.bin, which npx puts on PATH. */
const LAUNCHER = join(ROOT, "node_modules", "cloudflared", "lib", "cloudflared.js");

describe("finding the cloudflared binary", () => {
  let dir: string;
  let installs: string[];
  /** The package's managed copy, not there yet, and a download that fails as it does offline. */
  const offline = () => ({
    path: join(dir, "managed", "cloudflared"),
    install: async (to: string) => {
      installs.push(to);
      throw new Error("getaddrinfo ENOTFOUND github.com");
    },
  });
  const find = (env: NodeJS.ProcessEnv, explicit?: string) =>
    findCloudflared({ env, explicit, managed: async () => offline() }).catch((error: unknown) => error);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "hook-cloudflared-"));
    installs = [];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("never takes the npm package's launcher on PATH for the binary: the offline message is the same as without it", async () => {
    const npxBin = join(dir, "node_modules", ".bin");
    mkdirSync(npxBin, { recursive: true });
    symlinkSync(LAUNCHER, join(npxBin, "cloudflared"));
    expect(isPackageLauncher(join(npxBin, "cloudflared"))).toBe(true);

    const viaNpx = await find({ PATH: [npxBin, join(dir, "empty")].join(":") });
    const plain = await find({ PATH: join(dir, "empty") });
    expect(viaNpx).toBeInstanceOf(TunnelError);
    expect((viaNpx as TunnelError).message).toBe((plain as TunnelError).message);
    expect((viaNpx as TunnelError).message).toMatch(/not installed and could not be downloaded: .*ENOTFOUND/);
    expect((viaNpx as TunnelError).hint).toBe((plain as TunnelError).hint);
    expect(installs).toHaveLength(2);
  });

  it("takes a cloudflared on PATH that is not the launcher, a wrapper script included", async () => {
    const wrapper = join(dir, "cloudflared");
    writeFileSync(wrapper, '#!/bin/sh\nexec /opt/cloudflared/cloudflared "$@"\n');
    chmodSync(wrapper, 0o755);
    expect(await find({ PATH: dir })).toBe(wrapper);
    expect(installs).toEqual([]);
  });

  it("--cloudflared naming the launcher is an error that says what it is", async () => {
    const error = (await find({ PATH: "" }, LAUNCHER)) as TunnelError;
    expect(error).toBeInstanceOf(TunnelError);
    expect(error.message).toMatch(/--cloudflared: .* is the cloudflared npm package's JavaScript launcher/);
    expect(installs).toEqual([]);
  });
});
