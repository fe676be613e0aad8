/**
 * The two ways hook reads bytes as UTF-8, named by what they do with a byte that is not UTF-8. Both
 * keep a leading BOM in the text: a signature covers the bytes as they are, and a fixture must give
 * back the same bytes (a reader that wants it gone strips it itself).
 */

/** A bad byte becomes U+FFFD and never throws: for reading what was received (forms, XML, JSON). */
export const lenientUtf8 = new TextDecoder("utf-8", { ignoreBOM: true });

/** Throws on a bad byte: for deciding whether a body is text at all (fixtures, --set, curl, Compare). */
export const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
