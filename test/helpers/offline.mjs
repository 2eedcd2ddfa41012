// Preloaded into a CLI child (`node --import`) to make it an offline machine: any fetch to a host other than the
// loopback emulator fails as DNS resolution fails without a network.
const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const url = new URL(typeof input === "string" || input instanceof URL ? input : input.url);
  if (url.hostname === "127.0.0.1" || url.hostname === "localhost") return realFetch(input, init);
  process.stderr.write(`[offline] blocked fetch ${url.href}\n`);
  throw new TypeError("fetch failed", { cause: Object.assign(new Error(`getaddrinfo ENOTFOUND ${url.hostname}`), { code: "ENOTFOUND" }) });
};
