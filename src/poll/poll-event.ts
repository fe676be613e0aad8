/** What the core reports; only commands/ turn these into lines. */
export type PollEvent =
  | { kind: "poll"; method: string; url: string; status: number; count?: number; ms: number }
  | { kind: "wait"; ms: number; reason: string }
  | {
      kind: "delivery";
      id: string;
      type?: string;
      status?: number;
      ok: boolean;
      ms: number;
      error?: string;
      /** The app's answer, its first 64 KiB. */
      responseBody?: Uint8Array;
    }
  | { kind: "skip"; id: string; type?: string; reason: string }
  | { kind: "warning"; message: string };
