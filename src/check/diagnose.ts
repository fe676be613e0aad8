import { listProviders } from "../providers/index.js";
import type { Provider } from "../providers/types.js";
import type { Answer } from "../replay/send.js";
import { appWords } from "./judge.js";

export interface FirstFix {
  /** What is wrong, as far as the answers tell: the app is down, the URL, the secret, the provider, the app. */
  cause: "app-down" | "redirect" | "wrong-url" | "wrong-provider" | "wrong-secret" | "app-error" | "refused";

  /** One sentence, with the app's own words where it gave some. */
  message: string;
}

const quoted = (answer: Answer): string => {
  const words = appWords(answer);
  return words ? ` ("${words}")` : "";
};

/** A header name written as a whole word (x-hub-signature is not found inside x-hub-signature-256). */
function names(text: string, header: string): boolean {
  const escaped = header.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(^|[^a-z0-9-])${escaped}([^a-z0-9-]|$)`, "i").test(text);
}

/** Another provider whose signature header the app's answer names ("Missing stripe-signature header"). */
function namedProvider(answer: Answer, ours: Provider): Provider | undefined {
  const text = answer.responseBody ? Buffer.from(answer.responseBody).toString("utf8") : "";
  if (!text) return undefined;
  return listProviders().find(
    (p) =>
      p.name !== ours.name &&
      p.signatureHeaders.some((h) => !ours.signatureHeaders.includes(h) && names(text, h)),
  );
}

/**
 * When the valid event was not acknowledged, nothing else the checklist measured means anything:
 * this says what to fix first. A refusal is told apart by comparing it with the answer to the same
 * event with no signature at all: the same answer means the endpoint does not see our signature
 * (another scheme: the provider), a different one means it found it and it did not match (the secret).
 */
export function firstFix(
  valid: Answer,
  unsigned: Answer | undefined,
  provider: Provider,
  to: string,
): FirstFix | undefined {
  const status = valid.status;
  if (status !== undefined && status >= 200 && status < 300) return undefined;
  if (status === undefined) {
    return {
      cause: "app-down",
      message: `the app did not answer at ${to}: ${valid.error ?? "no answer"}; start it, or fix --to`,
    };
  }
  if (status >= 300 && status < 400) {
    return {
      cause: "redirect",
      message: `${to} answered ${status}, a redirect: providers do not follow redirects, so give --to the final URL`,
    };
  }
  if (status === 404 || status === 405) {
    return {
      cause: "wrong-url",
      message: `${to} answered ${status}${quoted(valid)}: no webhook handler there; check --to's path and method (POST)`,
    };
  }
  if (status >= 500) {
    return {
      cause: "app-error",
      message: `the app failed on a valid event with ${status}${quoted(valid)}: see its log`,
    };
  }
  return refusal(valid, unsigned, provider);
}

function refusal(valid: Answer, unsigned: Answer | undefined, provider: Provider): FirstFix {
  const other = namedProvider(valid, provider);
  if (other) {
    return {
      cause: "wrong-provider",
      message: `the app refused a valid ${provider.name} event with ${valid.status}${quoted(valid)}, naming a ${other.name} header: is it a ${other.name} endpoint? try --provider ${other.name}`,
    };
  }
  const sameAsUnsigned =
    unsigned !== undefined &&
    unsigned.status === valid.status &&
    sameBytes(unsigned.responseBody, valid.responseBody);
  if (sameAsUnsigned && provider.usesSecret !== false) {
    // Either the endpoint does not look where this scheme puts the signature, or it says the same
    // thing about every bad signature: the answers cannot tell the two apart.
    return {
      cause: "refused",
      message: `the app answers a signed ${provider.name} event exactly as one with no signature (${valid.status}${quoted(valid)}): check --provider is the scheme it verifies, and --secret its signing secret`,
    };
  }
  if (provider.usesSecret === false) {
    return {
      cause: "refused",
      message: `the app refused a valid ${provider.name} event with ${valid.status}${quoted(valid)}: check the endpoint's ${provider.name} settings (webhook id, certificate)`,
    };
  }
  return {
    cause: "wrong-secret",
    message: `the app refused a validly signed ${provider.name} event with ${valid.status}${quoted(valid)}, and answers differently without a signature: it found the signature and it did not match; check --secret is this endpoint's signing secret`,
  };
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  return Buffer.from(a ?? []).equals(Buffer.from(b ?? []));
}
