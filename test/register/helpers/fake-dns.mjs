// Preloaded into the spawned hook (NODE_OPTIONS=--import) in place of the internet's DNS: the stand-in
// cloudflared's *.trycloudflare.com hostnames resolve to 127.0.0.1; anything else is not found.
import dns from "node:dns";

const real = dns.promises.lookup.bind(dns.promises);
dns.promises.lookup = async (host, options) => {
  if (/\.trycloudflare\.com$/i.test(host) && !host.startsWith("api."))
    return { address: "127.0.0.1", family: 4 };
  if (host === "localhost" || /^\d+\.\d+\.\d+\.\d+$/.test(host)) return real(host, options);
  const error = new Error(`getaddrinfo ENOTFOUND ${host}`);
  error.code = "ENOTFOUND";
  throw error;
};
