import { randomUUID } from "node:crypto";
import { errorMessage, UsageError } from "../errors.js";
import { getProvider, providerNames } from "../providers/index.js";
import type { Provider, ProviderOptions } from "../providers/types.js";
import { brokenFixtures, type FixtureProblem, type LoadedFixture } from "../store/fixture-reader.js";
import { applyEdits, type Edit } from "./edit.js";
import type { ReplayJob } from "./run.js";

interface PrepareInput {
  fixtures: LoadedFixture[];
  /** --provider: signs every fixture, whatever its own provider. */
  override?: Provider;
  providerOptions: ProviderOptions;
  secrets: string[];
  edits: Edit[];
  now: Date;
}

interface Prepared {
  jobs: ReplayJob[];
  /** Things a person should know before the run (shown by the command, never by the core). */
  warnings: string[];
  /** Providers that will sign, for the secret check. */
  signers: Provider[];
}

function providerOf(
  fixture: LoadedFixture,
  input: PrepareInput,
  problems: FixtureProblem[],
): Provider | undefined {
  if (input.override) return input.override;
  // A bare payload has no provider: it goes unsigned unless --provider says how to sign it.
  if (fixture.bare || !fixture.provider) return getProvider("none");
  if (!providerNames().includes(fixture.provider.toLowerCase())) {
    problems.push({
      file: fixture.file,
      field: "provider",
      reason: `unknown provider "${fixture.provider}" (known: ${providerNames().join(", ")}; or pass --provider)`,
    });
    return undefined;
  }
  // A known provider that lacks an option (PayPal's --webhook-id) throws its own usage error.
  return getProvider(fixture.provider, input.providerOptions);
}

function ownSignatureHeaders(fixture: LoadedFixture, options: ProviderOptions): readonly string[] {
  if (!fixture.provider) return [];
  try {
    return getProvider(fixture.provider, options).signatureHeaders;
  } catch {
    return [];
  }
}

/**
 * Everything that can go wrong before sending goes wrong here: unknown providers, --set paths
 * that do not exist, a secret the provider cannot sign with. Nothing has been sent when it throws.
 */
export function prepareJobs(input: PrepareInput): Prepared {
  const problems: FixtureProblem[] = [];
  const jobs: ReplayJob[] = [];
  for (const fixture of input.fixtures) {
    const provider = providerOf(fixture, input, problems);
    if (!provider) continue;
    let body = fixture.body;
    try {
      body = applyEdits(fixture.body, fixture.headers["content-type"], input.edits);
    } catch (error) {
      problems.push({ file: fixture.file, reason: errorMessage(error) });
      continue;
    }
    const alsoDrop = input.override ? ownSignatureHeaders(fixture, input.providerOptions) : [];
    jobs.push({ fixture: { ...fixture, body }, provider, alsoDrop, secret: input.secrets[0] });
  }
  if (problems.length > 0) throw brokenFixtures(problems);
  const signers = [...new Map(jobs.map((j) => [j.provider.name, j.provider])).values()];
  const samples = new Map(jobs.map((j): [string, LoadedFixture] => [j.provider.name, j.fixture]).reverse());
  trySigning(signers, samples, input);
  const keepsId = new Map(signers.map((p) => [p.name, deliveryIdIsEventId(p, samples.get(p.name), input)]));
  for (const job of jobs) {
    if (!keepsId.get(job.provider.name)) continue;
    const saved = job.provider.describe(job.fixture.body, new Headers(job.fixture.headers)).deliveryId;
    job.deliveryId = saved ?? randomUUID();
  }
  const bare = jobs.filter((j) => j.fixture.bare && j.provider.name === "none").length;
  const warnings: string[] = [];
  if (bare > 0) {
    warnings.push(
      `${bare} bare payload${bare > 1 ? "s are" : " is"} sent unsigned (pass --provider NAME to sign)`,
    );
  }
  for (const provider of signers) {
    const hint = input.secrets[0] ? provider.checkSecret?.(input.secrets[0]) : undefined;
    if (hint) warnings.push(`${provider.name}: ${hint}`);
  }
  return { jobs, warnings, signers };
}

/** One signature per provider before the run, so a secret the scheme cannot use fails with exit 2, not 10,000 times. */
function trySigning(signers: Provider[], samples: Map<string, LoadedFixture>, input: PrepareInput): void {
  for (const provider of signers) {
    // No secret: the command reports that (exit 2) with its own, clearer message.
    if (provider.name === "none" || (input.secrets.length === 0 && provider.usesSecret !== false)) continue;
    try {
      const signInput = { ...probeInput(samples.get(provider.name), input), deliveryId: "hook-dry-run" };
      provider.sign({ ...signInput, body: provider.signBody?.(signInput) ?? signInput.body });
    } catch (error) {
      throw new UsageError(`cannot sign for ${provider.name}: ${errorMessage(error)}`, "check --secret");
    }
  }
}

/**
 * Whether the provider's delivery id is also its event id (the dedupe key): sign with a probe id
 * and see whether describe() reports it back as the event id.
 */
function deliveryIdIsEventId(
  provider: Provider,
  sample: LoadedFixture | undefined,
  input: PrepareInput,
): boolean {
  const probe = "hook-probe-delivery-id";
  try {
    const signInput = { ...probeInput(sample, input), deliveryId: probe };
    const body = provider.signBody?.(signInput) ?? signInput.body;
    const headers = provider.sign({ ...signInput, body });
    // The sample's own headers too: Shopify's event id header, when present, outranks the delivery id.
    return provider.describe(body, new Headers({ ...sample?.headers, ...lower(headers) })).id === probe;
  } catch {
    return false;
  }
}

/** A real fixture's body and path: a scheme may sign a form and a JSON body differently (Twilio). */
function probeInput(sample: LoadedFixture | undefined, input: PrepareInput) {
  return {
    body: sample?.body ?? Buffer.from("{}"),
    secret: input.secrets[0] ?? "",
    timestamp: input.now,
    url: `https://example.com${sample?.path ?? "/"}`,
  };
}

function lower(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}
